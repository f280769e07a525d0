#!/usr/bin/env bash
# Due-contact fetch benchmark: imports an N-row list (bench/import's generator) with the given
# dozvon, then times DueContacts on it through the store library of the same build tree.
# Usage: bench/store/run.sh [BUILD_DIR] [ROWS]   (defaults: build/release 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
ROWS=${2:-1000000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
/usr/bin/python3 bench/import/gen_csv.py "$ROWS" "$W/in.csv"
"$BUILD/dozvon" import --db "$W/t.db" --list bench --country RU "$W/in.csv" >/dev/null
g++ -std=c++20 -O2 -Isrc bench/store/due.cc -o "$W/due" "$BUILD/src/store/libdozvon_store.a" \
  "$BUILD/src/core/libdozvon_core.a" -lsqlite3
echo "rows=$ROWS"
"$W/due" "$W/t.db" bench
