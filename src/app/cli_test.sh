#!/usr/bin/env bash
# End-to-end tests of the CLI through the real binary: import and contacts (exit statuses, the
# summary line, the rejects file, an unchanged database on exit 2), campaign add and explain.
set -euo pipefail
DOZVON=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); }

# 1. The sample list imports with the documented summary and a rejects file.
cp "$SRC/examples/contacts.csv" "$T/contacts.csv"
out=$("$DOZVON" import --db "$T/d.db" --list demo --country RU "$T/contacts.csv" 2>"$T/err")
[ "$out" = "imported 300, rejected 3, duplicates 1" ] || fail "summary: $out"
[ -f "$T/contacts.csv.rejects.csv" ] || fail "no rejects file"
grep -q '^19,"phone ""+7 999"": too short for RU"' "$T/contacts.csv.rejects.csv" || fail "reject reason"
ok

# 2. contacts prints every stored contact, CSV and JSON lines.
"$DOZVON" contacts --db "$T/d.db" --list demo --format json > "$T/c.json"
"$DOZVON" contacts --db "$T/d.db" --list demo --format csv > "$T/c.csv"
n=$(wc -l < "$T/c.json")
[ "$n" = 300 ] || fail "json lines: $n"
[ "$(head -1 "$T/c.csv")" = 'id,phone_e164,zones,fields,state' ] || fail "csv header"
head -1 "$T/c.json" | grep -q '"zones":\["Europe/Moscow"\]' || fail "zones in json"
ok

# 3. Unusable input: exit 2 and the database is byte-for-byte unchanged (or never created).
sum_before=$(sha256sum "$T/d.db" | cut -d' ' -f1)
printf 'name,amount\nIvan,1\n' > "$T/nophone.csv"
set +e
"$DOZVON" import --db "$T/d.db" --list other "$T/nophone.csv" 2>"$T/err"; rc=$?
set -e
[ $rc = 2 ] || fail "no phone column: exit $rc"
grep -q 'no "phone" column' "$T/err" || fail "message: $(cat "$T/err")"
[ "$(sha256sum "$T/d.db" | cut -d' ' -f1)" = "$sum_before" ] || fail "database changed on exit 2"
set +e
"$DOZVON" import --db "$T/new.db" --list x "$T/missing.csv" 2>/dev/null; rc=$?
set -e
[ $rc = 2 ] || fail "missing file: exit $rc"
[ ! -e "$T/new.db" ] || fail "database created for a missing file"
ok

# 4. Re-importing the same file: everything is a duplicate within the list.
out=$("$DOZVON" import --db "$T/d.db" --list demo --country RU "$T/contacts.csv" 2>/dev/null)
[ "$out" = "imported 0, rejected 3, duplicates 301" ] || fail "re-import: $out"
ok

# 5. Progress lines appear on a non-terminal stderr for a big file (at least a final one, even
#    when the import beats the first periodic line).
/usr/bin/python3 "$SRC/bench/import/gen_csv.py" 300000 "$T/big.csv"
"$DOZVON" import --db "$T/big.db" --list big "$T/big.csv" 2>"$T/progress" >/dev/null
grep -q 'import .*rows' "$T/progress" || fail "no progress lines: $(cat "$T/progress")"
ok

# 6. campaign add validates the file; explain answers per contact and per campaign.
cp "$SRC/examples/replay/campaign.toml" "$T/c.toml"
"$DOZVON" import --db "$T/e.db" --list replay "$SRC/examples/replay/contacts.csv" >/dev/null 2>&1
"$DOZVON" campaign add --db "$T/e.db" "$T/c.toml" | grep -q 'campaign "replay-230fz" stored' || fail "campaign add"
printf 'name = "x"\nmax_atempts = 3\n' > "$T/bad.toml"
set +e
"$DOZVON" campaign add --db "$T/e.db" "$T/bad.toml" 2>"$T/err"; rc=$?
set -e
[ $rc = 2 ] || fail "bad campaign: exit $rc"
grep -q "bad.toml:2: max_atempts: unknown key" "$T/err" || fail "bad campaign message: $(cat "$T/err")"
"$DOZVON" explain --db "$T/e.db" --campaign replay-230fz --contact 1 --at 2026-03-02T10:00:00+03:00 > "$T/x1"
grep -qx 'would be called now: yes' "$T/x1" || fail "explain callable: $(cat "$T/x1")"
"$DOZVON" explain --db "$T/e.db" --campaign replay-230fz --contact 1 --at 2026-03-07T23:00:00+03:00 > "$T/x2"
grep -q 'outside_window: outside the calling window in Europe/Moscow' "$T/x2" || fail "explain window: $(cat "$T/x2")"
grep -q 'next possible: 2026-03-08T09:00:00+03:00' "$T/x2" || fail "explain next: $(cat "$T/x2")"
"$DOZVON" explain --db "$T/e.db" --campaign replay-230fz --at 2026-03-07T23:00:00+03:00 > "$T/x3"
grep -q '1000 contacts, 0 callable now' "$T/x3" || fail "explain campaign: $(cat "$T/x3")"
grep -Eq 'outside_window +1000$' "$T/x3" || fail "explain counts: $(cat "$T/x3")"
ok

# 7. dozvon pace: one answer per line, errors as {"error":...} without stopping, an audit log.
printf '%s\n' '{"t":0,"n_agents":3,"idle":2,"ringing_elapsed":[1.5]}' 'not json' '{"t":1,"idle":2}' \
  '{"t":2,"n_agents":0,"idle":0,"memo":null}' '[1,2]' '{"t":3,"n_agents":"x","idle":1}' \
  '{"t":4,"n_agents":2,"idle":2,"future_key":{"a":1}}' > "$T/pace.in"
"$DOZVON" pace --pacer predictive --log "$T/pace.log" < "$T/pace.in" > "$T/pace.out"
[ "$(wc -l < "$T/pace.out")" = 7 ] || fail "pace: $(cat "$T/pace.out")"
sed -n 1p "$T/pace.out" | grep -q '^{"dial":1,' || fail "pace line 1: $(sed -n 1p "$T/pace.out")"
sed -n 2p "$T/pace.out" | grep -qx '{"error":"line 2: not valid JSON"}' || fail "pace line 2"
sed -n 3p "$T/pace.out" | grep -qx '{"error":"line 3: field \\"n_agents\\": missing"}' || fail "pace line 3: $(sed -n 3p "$T/pace.out")"
sed -n 4p "$T/pace.out" | grep -q '^{"dial":0,' || fail "pace line 4"
sed -n 5p "$T/pace.out" | grep -q '"error":"line 5: expected a JSON object"' || fail "pace line 5"
sed -n 6p "$T/pace.out" | grep -q 'n_agents.*expected a number' || fail "pace line 6"
sed -n 7p "$T/pace.out" | grep -q '^{"dial":2,' || fail "pace line 7: unknown keys are ignored"
[ "$(wc -l < "$T/pace.log")" = 3 ] || fail "pace log lines: $(cat "$T/pace.log")"
grep -q '"expected_abandon"' "$T/pace.log" || fail "pace log fields"
ok

# 8. simulate forecast prints the plan's figures.
"$DOZVON" simulate --campaign "$SRC/examples/replay/campaign.toml" --contacts 500 --agents 5 \
  --profile answer_rate=0.3,talk_mean=90,wrap_mean=15,ring_mean=10 --seed 2 > "$T/fc"
grep -q 'days to finish the list' "$T/fc" || fail "forecast: $(cat "$T/fc")"
grep -q 'contacts reached' "$T/fc" || fail "forecast reached"
# A broadcast campaign: lines, and answers heard rather than reached.
grep -q '^  by day (Europe/Moscow) *dials  answers    heard  abandon  occupancy  line-h  contacts left$' "$T/fc" ||
  fail "forecast by-day header: $(cat "$T/fc")"
grep -Eq '^  20[0-9]{2}-[0-9]{2}-[0-9]{2} (Mon|Tue|Wed|Thu|Fri|Sat|Sun) +[0-9]+ +[0-9]+ +[0-9]+ ' "$T/fc" ||
  fail "forecast by-day rows"
set +e
"$DOZVON" simulate --campaign "$SRC/examples/replay/campaign.toml" --contacts 500 --agents 5 \
  --profile answer_rat=0.3 2>"$T/err"; rc=$?
set -e
[ $rc = 2 ] || fail "forecast bad profile: exit $rc"
grep -q 'answer_rat' "$T/err" || fail "forecast bad profile message"
ok

# 9. operator passwords in the store: read from stdin, stored as HA1, bad input refused.
cat > "$T/srv.toml" <<'EOF2'
[store]
path = "srv.db"
[[trunk]]
name = "c"
host = "127.0.0.1"
port = 5060
[registrar]
listen = "127.0.0.1:0"
[[operators]]
name = "anna"
[[operators]]
name = "boris"
password = "pw"
EOF2
echo "s3cret" | "$DOZVON" operator passwd --config "$T/srv.toml" anna > "$T/op.out" || fail "operator passwd"
grep -q '^operator anna: password stored for realm "dozvon"$' "$T/op.out" || fail "passwd: $(cat "$T/op.out")"
"$DOZVON" operator list --config "$T/srv.toml" > "$T/op.list"
grep -q '^anna,stored,dozvon,20' "$T/op.list" || fail "list anna: $(cat "$T/op.list")"
grep -q '^boris,config,dozvon,$' "$T/op.list" || fail "list boris: $(cat "$T/op.list")"
for bad in "passwd carl" "passwd anna" "remove boris"; do
  set +e
  # shellcheck disable=SC2086
  "$DOZVON" operator $bad --config "$T/srv.toml" < /dev/null > /dev/null 2> "$T/err"; rc=$?
  set -e
  [ $rc = 2 ] || fail "operator $bad: exit $rc"
done
grep -q 'boris" has no stored credential' "$T/err" || fail "remove message: $(cat "$T/err")"
"$DOZVON" operator remove --config "$T/srv.toml" anna > /dev/null || fail "operator remove"
grep -q '^anna,none,,$' <("$DOZVON" operator list --config "$T/srv.toml") || fail "list after remove"
ok

echo "$passed passed, 0 failed"
