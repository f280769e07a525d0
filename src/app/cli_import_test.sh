#!/usr/bin/env bash
# End-to-end test of `dozvon import` and `dozvon contacts` through the real binary:
# exit statuses, the summary line, the rejects file, and an unchanged database on exit 2.
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

# 5. Progress lines appear on a non-terminal stderr for a file big enough to take a while.
/usr/bin/python3 "$SRC/bench/import/gen_csv.py" 300000 "$T/big.csv"
"$DOZVON" import --db "$T/big.db" --list big "$T/big.csv" 2>"$T/progress" >/dev/null
grep -q 'import .*rows' "$T/progress" || fail "no progress lines: $(cat "$T/progress")"
ok

echo "$passed passed, 0 failed"
