#!/usr/bin/env bash
# The demo: a Russian payment-reminder broadcast over real SIP on loopback.
#   1. import examples/contacts.csv (300 contacts across Russian time zones) into SQLite;
#   2. start the carrier simulator (answers, busy, no answer, invalid...; callees press 1 or 2);
#   3. run `dozvon serve` for about a minute with live progress lines;
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
trap 'kill $SIM 2>/dev/null || true' EXIT
PORT=""
for _ in $(seq 1 50); do
  PORT=$(sed -n 's/^carrier-sim listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$DATA/carrier.out")
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "carrier simulator did not start:"; cat "$DATA/carrier.out"; exit 1; }
echo "   listening on port $PORT"
cat > "$DATA/dozvon.toml" <<CONF
# Written by scripts/demo.sh: one trunk to the loopback carrier, one broadcast campaign.
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

[[campaign]]
file = "$ROOT/examples/demo/reminder.toml"
start = true
CONF
echo

echo "== 3. dozvon serve: campaign \"payment-reminder\" for about a minute"
"$DOZVON" serve --config "$DATA/dozvon.toml" --max-run 60s --exit-when-done --progress 5s
echo

echo "== 4. campaign summary (from the store)"
"$DOZVON" report --db "$DATA/demo.db" payment-reminder
"$DOZVON" report --db "$DATA/demo.db" payment-reminder --attempts > "$DATA/attempts.csv"
echo
echo "every attempt: $DATA/attempts.csv; the simulator answered $(wc -l < "$DATA/answered.log") calls"
