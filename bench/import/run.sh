#!/usr/bin/env bash
# Import benchmark: `dozvon import` of an N-row CSV against `sqlite3 .import` of the same file
# (no normalisation, no indexes: the floor for getting those bytes into SQLite).
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

for run in 1 2 3; do
  rm -f "$W/sq.db" "$W/dz.db" "$W"/*.rejects.csv
  t_sqlite=$(secs sqlite3 "$W/sq.db" ".import --csv $W/in.csv contacts")
  t_dozvon=$(secs "$DOZVON" import --db "$W/dz.db" --list bench --country RU "$W/in.csv")
  imported=$(sqlite3 "$W/dz.db" "select count(*) from contacts")
  echo "run=$run sqlite3_import_s=$t_sqlite dozvon_import_s=$t_dozvon ratio=$(echo "scale=2; $t_dozvon / $t_sqlite" | bc) imported=$imported"
done
