#!/usr/bin/env bash
# Import benchmark: `dozvon import` of an N-row CSV against three SQLite figures for the same rows:
#  - `sqlite3 .import` into a bare table (no normalisation, no indexes): the issue's yardstick;
#  - sqlite3 alone filling dozvon's own contacts schema (its indexes, zone sets, synchronous=FULL,
#    the bulk load's rollback journal) from that file, with dozvon's zones and a trivial phone
#    rewrite: what SQLite itself costs for the rows dozvon stores, before any of dozvon's work;
#  - sqlite_floor.c: the same rows through SQLite's C API alone (no CSV at all), the lowest
#    figure any importer into this schema can reach.
# Usage: bench/import/run.sh [DOZVON_BINARY] [ROWS]   (defaults: build/release/dozvon 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
DOZVON=${1:-build/release/dozvon}
ROWS=${2:-1000000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
/usr/bin/python3 bench/import/gen_csv.py "$ROWS" "$W/in.csv"
echo "rows=$ROWS file_bytes=$(stat -c %s "$W/in.csv") cores=$(nproc)"

# Seconds `"$@"` took; a failure stops the benchmark with its message.
# Each starts once the file system has written out what the previous one left dirty, so no
# timing includes another's write-back.
secs() {
  local s e
  sync
  s=$(date +%s.%N)
  "$@" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
  e=$(date +%s.%N)
  echo "$e - $s" | bc
}
ratio() { echo "scale=2; $1 / $2" | bc; }

cc -O2 -o "$W/sqlite_floor" bench/import/sqlite_floor.c -lsqlite3

# An empty database with dozvon's schema (importing a header-only file creates it).
printf 'phone\n' > "$W/empty.csv"
"$DOZVON" import --db "$W/schema.db" --list bench --country RU "$W/empty.csv" >/dev/null
# What dozvon stores for a Russian mobile: every zone the +79 range spans.
MOBILE_ZONES="Asia/Almaty Asia/Anadyr Asia/Aqtobe Asia/Irkutsk Asia/Kamchatka Asia/Krasnoyarsk \
Asia/Magadan Asia/Novosibirsk Asia/Omsk Asia/Sakhalin Asia/Vladivostok Asia/Yakutsk \
Asia/Yekaterinburg Europe/Kaliningrad Europe/Moscow Europe/Samara"
# The raw rows go to an in-memory TEMP table, so only the contacts rows reach the file. As dozvon
# does for a large import, inside the transaction the due index is dropped and re-created and
# the numbers go to contact_phones in one sorted pass instead of through the insert trigger.
PHONE_TRIGGER=$(sqlite3 "$W/schema.db" "SELECT sql FROM sqlite_schema WHERE name = 'contacts_phone_added'")
FILL="PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; PRAGMA journal_mode=DELETE;
BEGIN;
DROP TRIGGER contacts_phone_added;
DROP INDEX contacts_due;
INSERT INTO zone_sets(id, zones) VALUES (1, '$MOBILE_ZONES'), (2, 'Europe/Moscow');
INSERT INTO contacts(list_id, phone_e164, country, zone_set, zone_source, fields, external_id,
                     priority, source_line, created_at, updated_at)
WITH r AS (
  SELECT rowid AS rid, *, substr(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(',
                                 ''), ')', ''), -10) AS national
  FROM temp.raw)
SELECT 1, '+7' || national, 'RU',
       CASE WHEN national LIKE '9%' THEN 1 ELSE 2 END, 'prefix',
       json_object('first_name', first_name, 'last_name', last_name, 'amount', amount,
                   'due_date', due_date, 'external_id', external_id),
       external_id, 0, rid + 1, 0, 0
FROM r;
INSERT INTO contact_phones(phone_e164, contact_id) SELECT phone_e164, id FROM contacts ORDER BY 1, 2;
$PHONE_TRIGGER;
CREATE INDEX contacts_due ON contacts(list_id, state, priority, COALESCE(next_attempt_at, 0));
COMMIT;
PRAGMA journal_mode=WAL;"

for run in 1 2 3; do
  rm -f "$W/sq.db" "$W/dz.db"* "$W/fill.db"* "$W/floor.db"* "$W"/*.rejects.csv
  cp "$W/schema.db" "$W/fill.db"
  cp "$W/schema.db" "$W/floor.db"
  # The two sides of the ratio back to back, before the two reference figures.
  t_sqlite=$(secs sqlite3 "$W/sq.db" ".import --csv $W/in.csv contacts")
  t_dozvon=$(secs "$DOZVON" import --db "$W/dz.db" --list bench --country RU "$W/in.csv")
  t_fill=$(secs sqlite3 "$W/fill.db" "PRAGMA temp_store=MEMORY" \
                      ".import --csv --schema temp $W/in.csv raw" "$FILL")
  t_floor=$(secs "$W/sqlite_floor" "$W/floor.db" "$ROWS")
  imported=$(sqlite3 "$W/dz.db" "select count(*) from contacts")
  echo "run=$run sqlite3_import_s=$t_sqlite sqlite3_sql_into_schema_s=$t_fill" \
       "c_api_into_schema_s=$t_floor dozvon_import_s=$t_dozvon" \
       "dozvon_ratio=$(ratio "$t_dozvon" "$t_sqlite") sql_ratio=$(ratio "$t_fill" "$t_sqlite")" \
       "c_api_ratio=$(ratio "$t_floor" "$t_sqlite") imported=$imported"
done
