#!/usr/bin/env bash
# Replay benchmark: `dozvon simulate --outcomes` over N contacts with 3 attempts each.
# Usage: bench/replay/run.sh [DOZVON_BINARY] [CONTACTS]   (defaults: build/release/dozvon 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
DOZVON=${1:-build/release/dozvon}
N=${2:-100000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
/usr/bin/python3 bench/replay/gen.py "$N" "$W"
cat > "$W/campaign.toml" <<'TOML'
name = "bench"
start_at = "2026-03-02T09:00:00+03:00"
stop_at = "2026-04-30T20:00:00+03:00"
max_attempts = 5
[window]
weekdays = ["08:00-22:00"]
weekends = ["09:00-20:00"]
[caps]
per_day = 2
[retry]
busy = { after = "10m" }
no_answer = { after = "next_daypart" }
TOML
for run in 1 2 3; do
  s=$(date +%s.%N)
  "$DOZVON" simulate --campaign "$W/campaign.toml" --contacts "$W/contacts.csv" \
    --outcomes "$W/outcomes.csv" --lines 500 --out "$W/attempts.csv" > "$W/out.txt"
  e=$(date +%s.%N)
  echo "run=$run contacts=$N attempts=$(($(wc -l < "$W/attempts.csv") - 1)) wall_s=$(echo "$e - $s" | bc)"
done
cat "$W/out.txt"
