#!/usr/bin/env bash
# Telephony capacity benchmark, on loopback only.
#   1. Calls per second: `dozvon dial --count N --cps R` against SIPp's built-in UAS (answer,
#      we hang up at once); failures and the achieved rate per R. Then the same against
#      `dozvon carrier-sim` (CPS_SIM_LIST), which must carry the benchmark's load too.
#   2. Concurrent calls: every call plays a 30 s prompt and runs in-band DTMF detection on every
#      frame it receives; late frames (sent > 20 ms after due), CPU and peak RSS of the dialer,
#      and the CPU of each of its threads over 5 s with every call up. Two far ends, both on
#      the same 2 cores: SIPp's UAS echoing our RTP back (-rtp_echo, one socket, no decoding),
#      and `dozvon carrier-sim`, which runs a full media session per call like the dialer.
#   DOZVON_RTP_IO=plain measures the dialer without io_uring; SIM_RTP_IO=plain runs the
#   simulator without it; REALTIME_PRIORITY=N runs the dialer's media threads SCHED_RR (root).
#   Every process runs with glibc's heap on transparent huge pages (GLIBC_TUNABLES, the
#   setting docs/telephony.md recommends for high call rates); GLIBC_TUNABLES= measures without.
#   Each concurrent run also prints steal_s: the seconds the hypervisor took this VM's vCPUs
#   away (/proc/stat), during which no thread of the guest runs. As root it also runs
#   cyclictest (rt-tests) for the length of the run: one SCHED_FIFO 50 thread per CPU, above
#   the media threads, that only sleeps 1 ms and wakes. "probe" is its worst wake-up delay per
#   CPU and how many of its wake-ups came more than 20 ms late: what the machine itself
#   allows a real-time thread that does no work.
# Usage: bench/telephony/run.sh [DOZVON_BINARY]   (default build/release/dozvon)
set -euo pipefail
cd "$(dirname "$0")/../.."
DOZVON=${1:-build/release/dozvon}
export GLIBC_TUNABLES=${GLIBC_TUNABLES-glibc.malloc.hugetlb=1}
echo "GLIBC_TUNABLES=$GLIBC_TUNABLES"
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
# CPU% of each thread of process $1 over $2 seconds: "name:tid=percent ...".
thread_cpu() {
  local pid=$1 secs=$2 hz; hz=$(getconf CLK_TCK)
  declare -A before
  for t in /proc/"$pid"/task/*; do
    before[${t##*/}]=$(awk '{print $14+$15}' "$t/stat" 2>/dev/null || echo 0)
  done
  sleep "$secs"
  local out=""
  for t in /proc/"$pid"/task/*; do
    local id=${t##*/} now
    now=$(awk '{print $14+$15}' "$t/stat" 2>/dev/null || echo 0)
    out+="$(cat "$t/comm" 2>/dev/null):$id=$(( (now - ${before[$id]:-0}) * 100 / hz / secs ))% "
  done
  echo "$out"
}

# Dials N calls at 100 a second to 127.0.0.1:$2 and prints the summary, with per-thread CPU
# sampled once all N are up (the ramp takes N/100 s).
steal_ticks() { awk '/^cpu / {print $9}' /proc/stat; }
# Starts cyclictest for $1 seconds, histogram in $W/probe.txt; sets PROBE to its pid.
PROBE=""
probe_start() {
  PROBE=""
  if [ "$(id -u)" -eq 0 ] && command -v cyclictest >/dev/null; then
    cyclictest -m -q -p 50 -t 2 -a -i 1000 -h 100000 -D "$1" > "$W/probe.txt" 2>&1 &
    PROBE=$!
  fi
}
# "max_us=A,B over_20ms=X,Y" from the finished probe's histogram (buckets are microseconds, one column per CPU).
probe_report() {
  [ -n "$PROBE" ] || { echo "probe=none"; return; }
  awk '/^[0-9]/ { for (i = 2; i <= NF; ++i) if ($1 > 20000) over[i] += $i }
       /Max Latencies/ { max = $4 "," $5 }
       /Histogram Overflows/ { ovf = $4 "," $5 }
       END { printf "probe max_us=%s over_20ms=%d,%d overflows=%s\n", max, over[2], over[3], ovf }' \
    "$W/probe.txt"
}
concurrent() {
  local n=$1 port=$2 steal0
  steal0=$(steal_ticks)
  probe_start $(( n / 100 + 32 ))
  /usr/bin/time -f "cpu=%P max_rss_kb=%M" "$DOZVON" dial --trunk "127.0.0.1:$port" --to +79000000000 \
    --count "$n" --cps 100 --prompt "$W/tone30.wav" --hold 0ms --ring-timeout 10s --summary \
    --realtime-priority "${REALTIME_PRIORITY:-0}" > "$W/conc.json" 2> "$W/time.txt" &
  local timer=$!
  sleep $(( n / 100 + 3 ))
  local threads
  threads=$(thread_cpu "$(pgrep -P "$timer" -x dozvon | head -1)" 5)
  wait "$timer" || true
  [ -z "$PROBE" ] || wait "$PROBE" || true
  local steal_s
  steal_s=$(awk -v a="$steal0" -v b="$(steal_ticks)" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.2f", (b - a) / hz }')
  echo "calls=$n $(cat "$W/conc.json") $(tail -1 "$W/time.txt") steal_s=$steal_s $(probe_report) threads: $threads"
}

# Starts carrier-sim with the stay profile under /usr/bin/time (its CPU and RSS go to
# $W/sim_time.txt); sets SIM (time's pid) and PORT. stop_sim ends it.
start_sim() {
  DOZVON_RTP_IO=${SIM_RTP_IO:-} /usr/bin/time -f "sim_cpu=%P sim_max_rss_kb=%M" "$DOZVON" \
    carrier-sim --listen 127.0.0.1:0 --profile "$W/stay.toml" > "$W/sim.out" 2> "$W/sim_time.txt" &
  SIM=$!
  for _ in $(seq 1 50); do grep -q listening "$W/sim.out" && break; sleep 0.1; done
  PORT=$(sed -n 's/^carrier-sim listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$W/sim.out")
}
stop_sim() {
  kill -TERM "$(pgrep -P "$SIM" -x dozvon | head -1)" 2>/dev/null || true
  wait "$SIM" 2>/dev/null || true
}

echo "## calls per second against dozvon carrier-sim (10,000 calls each; it rings 0.5 s on average)"
for CPS in ${CPS_SIM_LIST:-500}; do
  start_sim
  /usr/bin/time -f "cpu=%P max_rss_kb=%M" "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79000000000 \
    --count 10000 --cps "$CPS" --hold 0ms --ring-timeout 10s --summary > "$W/cps.json" 2> "$W/time.txt" || true
  stop_sim
  echo "cps=$CPS $(cat "$W/cps.json") $(tail -1 "$W/time.txt") $(tail -1 "$W/sim_time.txt")"
done

echo "## concurrent calls against SIPp's UAS echoing RTP, each playing a 30 s prompt with DTMF detection"
for N in ${CONCURRENT_LIST:-500 1000 2000}; do
  P=$(free_port)
  MP=$(( $(free_port) / 4 * 4 ))
  timeout 300 sipp -sn uas -i 127.0.0.1 -p "$P" -mi 127.0.0.1 -mp "$MP" -rtp_echo \
    -m "$N" -nostdin > "$W/sipp.out" 2>&1 &
  SIPP=$!
  sleep 0.5
  concurrent "$N" "$P"
  kill "$SIPP" 2>/dev/null || true
  wait "$SIPP" 2>/dev/null || true
done

echo "## concurrent calls against dozvon carrier-sim, each playing a 30 s prompt with DTMF detection"
for N in ${CONCURRENT_SIM_LIST:-500 1000 2000}; do
  start_sim
  concurrent "$N" "$PORT"
  stop_sim
done
