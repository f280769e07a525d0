#!/usr/bin/env bash
# The demo: import the sample list into a fresh SQLite database and show what landed.
# Later issues extend it to a live campaign over the loopback SIP carrier simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
DOZVON=${1:-build/release/dozvon}
DATA=demo-data
mkdir -p "$DATA"
rm -f "$DATA/demo.db" "$DATA/demo.db-wal" "$DATA/demo.db-shm"
cp examples/contacts.csv "$DATA/contacts.csv"

echo "== dozvon import: examples/contacts.csv -> list \"demo\" (default country RU)"
"$DOZVON" import --db "$DATA/demo.db" --list demo --country RU --dedupe list "$DATA/contacts.csv"
echo
if [ -f "$DATA/contacts.csv.rejects.csv" ]; then
  echo "== rows not imported, with line and reason ($DATA/contacts.csv.rejects.csv)"
  cut -d, -f1-3 "$DATA/contacts.csv.rejects.csv"
  echo
fi
echo "== contacts by candidate time zones (from the number's prefix, or the timezone column)"
"$DOZVON" contacts --db "$DATA/demo.db" --list demo --format csv > "$DATA/contacts.out.csv"
tail -n +2 "$DATA/contacts.out.csv" | awk -F, '{print $3}' | sort | uniq -c | sort -rn
echo
echo "== first three contacts as stored"
"$DOZVON" contacts --db "$DATA/demo.db" --list demo --format json > "$DATA/contacts.out.json"
sed -n 1,3p "$DATA/contacts.out.json"
echo
echo "demo database: $DATA/demo.db"
