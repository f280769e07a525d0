#!/usr/bin/env bash
# Import benchmark: `dozvon import` of an N-row CSV against two sqlite3 figures for the same file:
#  - `sqlite3 .import` into a bare table (no normalisation, no indexes): the issue's yardstick;
#  - sqlite3 alone filling dozvon's own contacts schema (its indexes, WAL, synchronous=FULL)
#    from that file, with a constant zone and a trivial phone rewrite: what SQLite itself costs
#    for the rows dozvon stores, before any of dozvon's own work.
# Usage: bench/import/run.sh [DOZVON_BINARY] [ROWS]   (defaults: build/release/dozvon 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
DOZVON=${1:-build/release/dozvon}
ROWS=${2:-1000000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
/usr/bin/python3 bench/import/gen_csv.py "$ROWS" "$W/in.csv"
echo "rows=$ROWS file_bytes=$(stat -c %s "$W/in.csv") cores=$(nproc)"

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }

# An empty database with dozvon's schema (importing a header-only file creates it).
printf 'phone\n' > "$W/empty.csv"
"$DOZVON" import --db "$W/schema.db" --list bench --country RU "$W/empty.csv" >/dev/null
FILL="PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;
BEGIN;
INSERT INTO contacts(list_id, phone_e164, country, zones, zone_source, fields, external_id,
                     priority, source_line, created_at, updated_at)
SELECT 1, '+7' || substr(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''),
                                 ')', ''), -10),
       'RU', 'Europe/Moscow', 'prefix',
       json_object('first_name', first_name, 'last_name', last_name, 'amount', amount,
                   'due_date', due_date, 'external_id', external_id),
       external_id, 0, rowid + 1, 0, 0
FROM raw;
COMMIT;"

for run in 1 2 3; do
  rm -f "$W/sq.db" "$W/dz.db"* "$W/fill.db"* "$W"/*.rejects.csv
  cp "$W/schema.db" "$W/fill.db"
  t_sqlite=$(secs sqlite3 "$W/sq.db" ".import --csv $W/in.csv contacts")
  t_fill=$(secs sqlite3 "$W/fill.db" ".import --csv $W/in.csv raw" "$FILL")
  t_dozvon=$(secs "$DOZVON" import --db "$W/dz.db" --list bench --country RU "$W/in.csv")
  imported=$(sqlite3 "$W/dz.db" "select count(*) from contacts")
  echo "run=$run sqlite3_import_s=$t_sqlite sqlite3_into_schema_s=$t_fill dozvon_import_s=$t_dozvon" \
       "ratio=$(echo "scale=2; $t_dozvon / $t_sqlite" | bc)" \
       "schema_floor_ratio=$(echo "scale=2; $t_fill / $t_sqlite" | bc) imported=$imported"
done
