#!/usr/bin/env bash
# Telephony capacity benchmark, on loopback only.
#   1. Calls per second: `dozvon dial --count N --cps R` against SIPp's built-in UAS (answer,
#      we hang up at once); failures and the achieved rate per R.
#   2. Concurrent calls: `dozvon dial` against `dozvon carrier-sim` (answers and stays); every
#      call plays a 30 s prompt with DTMF detection on; late frames (sent > 20 ms after due),
#      CPU and peak RSS of the dialer. The simulator runs on the same 2 cores.
# Usage: bench/telephony/run.sh [DOZVON_BINARY]   (default build/release/dozvon)
set -euo pipefail
cd "$(dirname "$0")/../.."
DOZVON=${1:-build/release/dozvon}
W=$(mktemp -d)
trap 'pkill -TERM -f "carrier-sim --listen 127.0.0.1:0 --profile $W" 2>/dev/null || true; rm -rf "$W"' EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "## calls per second against SIPp (10,000 calls each)"
for CPS in ${CPS_LIST:-200 500 800}; do
  P=$(free_port)
  timeout 120 sipp -sn uas -i 127.0.0.1 -p "$P" -m 10000 -nostdin > "$W/sipp.out" 2>&1 &
  SIPP=$!
  sleep 0.5
  /usr/bin/time -f "cpu=%P max_rss_kb=%M" "$DOZVON" dial --trunk "127.0.0.1:$P" --to +79000000000 \
    --count 10000 --cps "$CPS" --hold 0ms --ring-timeout 10s --summary > "$W/cps.json" 2> "$W/time.txt" || true
  kill "$SIPP" 2>/dev/null || true
  wait "$SIPP" 2>/dev/null || true
  echo "cps=$CPS $(cat "$W/cps.json") $(tail -1 "$W/time.txt")"
done

/usr/bin/python3 - "$W/tone30.wav" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / 8000)))
                       for i in range(8000 * 30)))
w.close()
PY
cat > "$W/stay.toml" <<'TOML'
[ring]
mean = 0.5
[talk]
stay_share = 1.0
[shares]
answer = 1
busy = 0
no_answer = 0
invalid = 0
rejected = 0
congestion = 0
TOML
echo "## concurrent calls, each playing a 30 s prompt with DTMF detection"
for N in ${CONCURRENT_LIST:-500 1000 2000}; do
  "$DOZVON" carrier-sim --listen 127.0.0.1:0 --profile "$W/stay.toml" > "$W/sim.out" 2>&1 &
  SIM=$!
  for _ in $(seq 1 50); do grep -q listening "$W/sim.out" && break; sleep 0.1; done
  PORT=$(sed -n 's/^carrier-sim listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$W/sim.out")
  /usr/bin/time -f "cpu=%P max_rss_kb=%M" "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79000000000 \
    --count "$N" --cps 100 --prompt "$W/tone30.wav" --hold 0ms --ring-timeout 10s --summary \
    > "$W/conc.json" 2> "$W/time.txt" || true
  kill -TERM "$SIM"; wait "$SIM" 2>/dev/null || true
  echo "calls=$N $(cat "$W/conc.json") $(tail -1 "$W/time.txt")"
done
