#!/usr/bin/env bash
# The demo: a Russian payment-reminder broadcast over real SIP on loopback.
#   1. import examples/contacts.csv (300 contacts across Russian time zones) into SQLite;
#   2. start the carrier simulator (answers, busy, no answer, invalid...; callees press 1 or 2);
#   3. run `dozvon serve` for about a minute with live progress lines; two operators' phones
#      (simulated, `carrier-sim --operators 2`) register to its registrar and log in, and
#      callees who press 2 are transferred to them;
#   4. print the campaign summary from the store.
# Everything it writes goes to demo-data/.
set -euo pipefail
cd "$(dirname "$0")/.."
DOZVON=$(realpath "${1:-build/release/dozvon}")
DATA=$(pwd)/demo-data
ROOT=$(pwd)
rm -rf "$DATA"
mkdir -p "$DATA"
cp examples/contacts.csv "$DATA/contacts.csv"

echo "== 1. import: examples/contacts.csv -> list \"demo\""
"$DOZVON" import --db "$DATA/demo.db" --list demo --country RU --dedupe list "$DATA/contacts.csv"
if [ -f "$DATA/contacts.csv.rejects.csv" ]; then
  echo "   rows not imported (line, reason):"
  tail -n +2 "$DATA/contacts.csv.rejects.csv" | cut -d, -f1-2 | sed 's/^/     /'
fi
echo "   contacts by time zone:"
"$DOZVON" contacts --db "$DATA/demo.db" --list demo --format csv |
  tail -n +2 | awk -F, '{print $3}' | sort | uniq -c | sort -rn | head -8 | sed 's/^/   /'
echo

echo "== 2. carrier simulator on 127.0.0.1 (profile examples/demo/carrier.toml)"
"$DOZVON" carrier-sim --listen 127.0.0.1:0 --profile examples/demo/carrier.toml \
  --answered-log "$DATA/answered.log" > "$DATA/carrier.out" 2>&1 &
SIM=$!
PHONES=""
SERVE=""
trap 'kill $SIM $PHONES $SERVE 2>/dev/null || true' EXIT
PORT=""
for _ in $(seq 1 50); do
  # The background child may not have created its output file yet: that is "not yet".
  PORT=$(sed -n 's/^carrier-sim listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$DATA/carrier.out" \
    2>/dev/null || true)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "carrier simulator did not start:"; cat "$DATA/carrier.out"; exit 1; }
echo "   listening on port $PORT"
cat > "$DATA/dozvon.toml" <<CONF
# Written by scripts/demo.sh: one trunk to the loopback carrier, one broadcast campaign, and
# two operators (skill "collections") who take the callees pressing 2.
[store]
path = "demo.db"

[engine]
control = "dozvon.sock"
recordings = "recordings"
tts_cache = "tts-cache"
grace = "20s"

[[trunk]]
name = "carrier"
host = "127.0.0.1"
port = $PORT
caller_id = "74950000000"
max_calls = 40
cps = 8

[registrar]
listen = "127.0.0.1:0"

[[operators]]
name = "op1"
password = "demo-operator"
skills = ["collections"]

[[operators]]
name = "op2"
password = "demo-operator"
skills = ["collections"]

[[campaign]]
file = "$ROOT/examples/demo/reminder.toml"
start = true
CONF
echo

echo "== 3. dozvon serve: campaign \"payment-reminder\" for about a minute"
"$DOZVON" serve --config "$DATA/dozvon.toml" --max-run 60s --exit-when-done --progress 5s \
  > >(tee "$DATA/serve.out") 2>&1 &
SERVE=$!
RPORT=""
for _ in $(seq 1 100); do
  RPORT=$(sed -n 's/^dozvon serve: registrar for 2 operator(s) on 127.0.0.1:\([0-9]*\)$/\1/p' \
    "$DATA/serve.out" 2>/dev/null || true)  # tee may not have created the file yet
  [ -n "$RPORT" ] && break
  sleep 0.1
done
if [ -n "$RPORT" ]; then
  # The operators' phones register with digest auth; each operator logs in ready, and the
  # server calls their phone once and keeps the line up (the nailed-up leg).
  "$DOZVON" carrier-sim --listen 127.0.0.1:0 --operators 2 --operator-prefix op \
    --registrar "127.0.0.1:$RPORT" --operator-password demo-operator > "$DATA/phones.out" 2>&1 &
  PHONES=$!
  for op in op1 op2; do
    for _ in $(seq 1 50); do
      "$DOZVON" agent login "$op" --ready --config "$DATA/dozvon.toml" > /dev/null 2>&1 && break
      sleep 0.2
    done
  done
fi
wait "$SERVE" || { echo "dozvon serve failed (see above)"; exit 1; }
SERVE=""
echo

echo "== 4. campaign summary (from the store)"
"$DOZVON" report --db "$DATA/demo.db" payment-reminder
"$DOZVON" report --db "$DATA/demo.db" payment-reminder --attempts > "$DATA/attempts.csv"
echo
echo "every attempt: $DATA/attempts.csv; the simulator answered $(wc -l < "$DATA/answered.log") calls"
echo "transferred to an operator: $(grep -c 'transferred to queue' "$DATA/attempts.csv" || true)" \
  "(operators' time sheet: $DOZVON agent events --db $DATA/demo.db)"
