#!/usr/bin/env bash
# End-to-end telephony over 127.0.0.1 with real SIP: `dozvon dial` (our UAC on libre) against
# `dozvon carrier-sim` (our UAS) for every row of the SIP -> outcome table, Q.850 Reason
# headers, the ring timeout's CANCEL, digest auth, who hung up, malformed input, and against
# SIPp's UAS, a peer we did not write. Ports are ephemeral; every wait is bounded.
set -euo pipefail
DOZVON=$1
T=$(mktemp -d)
SIM_PID=""
REG_PID=""
BS_PID=""
BR_PID=""
OPS_PID=""
DNS_PID=""
cleanup() {
  for p in "$SIM_PID" "$REG_PID" "$BS_PID" "$BR_PID" "$OPS_PID" "$DNS_PID"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); }

start_sim() {  # start_sim PROFILE -> sets PORT and SIM_PID
  "$DOZVON" carrier-sim --listen 127.0.0.1:0 --profile "$1" > "$T/sim.out" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 50); do
    PORT=$(sed -n 's/^carrier-sim listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$T/sim.out")
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  fail "carrier-sim did not start: $(cat "$T/sim.out")"
}
stop_sim() {
  kill -TERM "$SIM_PID"
  for _ in $(seq 1 50); do kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=""
}
field() {  # field FILE NUMBER KEY
  /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j["to"] == sys.argv[2]:
        v = j[sys.argv[3]]
        print("null" if v is None else v)' "$1" "$2" "$3"
}

# 1. Every row of the mapping table, and Reason headers.
cat > "$T/table.toml" <<'TOML'
seed = 3
[ring]
mean = 0.2
[talk]
mean = 0.3
[numbers]
"+79990000404" = { code = 404 }
"+79990000484" = { code = 484 }
"+79990000485" = { code = 485 }
"+79990000604" = { code = 604 }
"+79990000486" = { code = 486 }
"+79990000600" = { code = 600 }
"+79990000408" = { code = 408 }
"+79990000480" = { code = 480 }
"+79990000483" = { code = 483 }
"+79990000401" = { code = 401 }
"+79990000403" = { code = 403 }
"+79990000407" = { code = 407 }
"+79990000603" = { code = 603 }
"+79990000410" = { code = 410 }
"+79990000503" = { code = 503 }
"+79990000500" = { code = 500 }
"+79990000502" = { code = 502 }
"+79990000504" = { code = 504 }
"+79990001480" = { code = 480, q850 = 17 }
"+79990001503" = { code = 503, q850 = 1 }
"+79990000001" = "no_answer"
"+79990000002" = { behaviour = "answer", ring = 0.2, talk = 0.3 }
TOML
cat > "$T/stay.toml" <<'TOML'
[talk]
stay_share = 1.0
[ring]
mean = 0.1
[shares]
answer = 1
busy = 0
no_answer = 0
invalid = 0
rejected = 0
congestion = 0
TOML
start_sim "$T/table.toml"
nums=()
for n in 404 484 485 604 486 600 408 480 483 401 403 407 603 410 503 500 502 504; do nums+=(--to "+79990000$n"); done
timeout 60 "$DOZVON" dial --trunk "127.0.0.1:$PORT" "${nums[@]}" --to +79990001480 --to +79990001503 \
  --to +79990000001 --to +79990000002 --ring-timeout 2s --hold 5s > "$T/table.out"
[ "$(wc -l < "$T/table.out")" = 22 ] || fail "table: $(cat "$T/table.out")"
expect() {  # expect NUMBER OUTCOME STATUS CAUSE
  local o s c
  o=$(field "$T/table.out" "$1" outcome); s=$(field "$T/table.out" "$1" sip_status)
  c=$(field "$T/table.out" "$1" q850_cause)
  [ "$o/$s/$c" = "$2/$3/$4" ] || fail "$1: got $o/$s/$c, want $2/$3/$4"
}
for n in 404 484 485 604; do expect "+79990000$n" invalid_number "$n" 1; done
expect +79990000410 invalid_number 410 22
for n in 486 600; do expect "+79990000$n" busy "$n" 17; done
expect +79990000408 no_answer 408 18
for n in 480 483; do expect "+79990000$n" no_answer "$n" 19; done
for n in 401 403 407 603; do expect "+79990000$n" rejected "$n" 21; done
expect +79990000503 congestion 503 34
expect +79990000500 congestion 500 41
expect +79990000502 congestion 502 38
expect +79990000504 congestion 504 41
expect +79990001480 busy 480 17          # the Reason header wins over the status
expect +79990001503 invalid_number 503 1
ok

# 2. The ring timeout sends CANCEL: a no-answer after 2 s, and the far end saw the CANCEL.
expect +79990000001 no_answer 487 19
[ "$(field "$T/table.out" +79990000001 cancelled_on_timeout)" = True ] || fail "cancel flag"
ring=$(field "$T/table.out" +79990000001 ring_s)
/usr/bin/python3 -c "import sys; r=float(sys.argv[1]); sys.exit(0 if 1.9 <= r <= 4.0 else 1)" "$ring" || fail "ring time $ring"
# 3. An answered callee who hangs up first: answered, hung up by them, timings measured.
expect +79990000002 answered 200 null
[ "$(field "$T/table.out" +79990000002 hangup_by)" = them ] || fail "hangup_by"
/usr/bin/python3 -c "import sys; a=float(sys.argv[1]); sys.exit(0 if 0.15 <= a <= 1.5 else 1)" \
  "$(field "$T/table.out" +79990000002 answer_s)" || fail "answer time"
stop_sim
grep -q '"cancelled":1' "$T/sim.out" || fail "carrier saw no CANCEL: $(tail -1 "$T/sim.out")"
grep -q '"invites":22' "$T/sim.out" || fail "carrier invites: $(tail -1 "$T/sim.out")"
ok

# 4. A callee who stays: we hang up after --hold.
start_sim "$T/stay.toml"
timeout 20 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79161234567 --hold 300ms > "$T/stay.out"
[ "$(field "$T/stay.out" +79161234567 hangup_by)" = us ] || fail "stay: $(cat "$T/stay.out")"
# The summary tells how the media tick kept time: a second of media is about 200 ticks of
# 5 ms, and the longest gap between two is at least about one period.
timeout 20 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79161234567 --hold 1s --summary > "$T/sum.out"
/usr/bin/python3 - "$T/sum.out" <<'PY' || fail "summary timings: $(cat "$T/sum.out")"
import json, sys
j = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
t = j["tick"]
assert 100 <= t["ticks"] <= 2000, t
assert 4.0 <= t["gap_max_ms"] < 1000, t
assert 0 <= t["work_max_ms"] <= t["gap_max_ms"] + 1000, t
assert j["late_frames"] >= t["frames_skipped"] >= 0 and j["rtp"]["submit_delay_max_ms"] >= 0, j
# The longest tick's parts are that tick, and the loop thread ran for no longer than it
# lasted; -0.001 is "no schedstat in this kernel".
l = t["longest"]
assert l["poll_ms"] + l["sessions_ms"] + l["flush_ms"] <= t["work_max_ms"] + 0.01, t
assert 0 <= l["cpu_ms"] <= t["work_max_ms"] + 1, t
assert l["runqueue_wait_ms"] >= 0 or l["runqueue_wait_ms"] == -0.001, t
assert l["blocked"] >= 0 and l["preempted"] >= 0, t
# The longest submission carried this call's frames, and its thread ran within it.
s = j["rtp"]["submit_longest"]
assert s["sends"] >= 1 and s["wake_ms"] >= 0 and s["submit_ms"] >= 0, j["rtp"]
assert 0 <= s["cpu_ms"] <= s["submit_ms"] + 1, j["rtp"]
assert s["runqueue_wait_ms"] >= 0 or s["runqueue_wait_ms"] == -0.001, j["rtp"]
PY
stop_sim
grep -q '"hangups_by_caller":2' "$T/sim.out" || fail "carrier saw no BYEs: $(tail -1 "$T/sim.out")"
ok

# 4b. --realtime-priority: while a call is up the loop thread and the RTP submitter run
#     SCHED_RR at that priority; every other thread of the process keeps normal scheduling.
start_sim "$T/stay.toml"
timeout 20 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79161234567 --hold 3s \
  --realtime-priority 3 > "$T/rt.out" 2> "$T/rt.err" &
RT_TIMEOUT=$!
sleep 1.5
RT_PID=$(pgrep -P "$RT_TIMEOUT" -x dozvon) || fail "realtime dial is not running: $(cat "$T/rt.err")"
rt_threads=""
for t in /proc/"$RT_PID"/task/*; do
  tid=${t##*/}
  rt_threads+="$tid $(cat "$t/comm") $(chrt -p "$tid" | tr '\n' ' ')
"
done
wait "$RT_TIMEOUT" || fail "realtime dial: $(cat "$T/rt.out" "$T/rt.err")"
stop_sim
[ "$(field "$T/rt.out" +79161234567 outcome)" = answered ] || fail "realtime call: $(cat "$T/rt.out")"
if grep -q "running at normal priority" "$T/rt.err"; then
  echo "note: no real-time scheduling allowed here, only its refusal checked: $(cat "$T/rt.err")"
else
  echo "$rt_threads" | /usr/bin/python3 -c '
import sys
pid = sys.argv[1]
seen = set()
for line in sys.stdin.read().strip().splitlines():
    tid, name = line.split()[:2]
    rr = "SCHED_RR" in line and "priority: 3" in line
    media = tid == pid or name == "dozvon-rtp-io"
    assert rr == media, line
    if media:
        seen.add("loop" if tid == pid else "rtp-io")
assert seen == {"loop", "rtp-io"}, seen
' "$RT_PID" || fail "thread scheduling: $rt_threads"
fi
ok

# 5. Digest auth to the trunk: right password answered, wrong one rejected with 401.
cat "$T/stay.toml" > "$T/auth.toml"
printf '[auth]\nusername = "dozvon"\npassword = "s3cret"\nrealm = "sim.test"\n' >> "$T/auth.toml"
start_sim "$T/auth.toml"
timeout 20 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79161234567 --user dozvon --password s3cret --hold 200ms > "$T/a1"
[ "$(field "$T/a1" +79161234567 outcome)" = answered ] || fail "auth ok: $(cat "$T/a1")"
timeout 20 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79161234567 --user dozvon --password nope > "$T/a2"
[ "$(field "$T/a2" +79161234567 sip_status)" = 401 ] || fail "auth wrong: $(cat "$T/a2")"
ok

# 6. Malformed SIP: garbage and an INVITE without From/Call-ID; the carrier answers 400 or
#    drops it, stays up, and the next call works.
/usr/bin/python3 - "$PORT" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
port = int(sys.argv[1])
s.sendto(b"\x00\xff garbage %s%s%n\r\n\r\n", ("127.0.0.1", port))
s.sendto(b"INVITE sip:+7999@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK1\r\n"
         b"To: <sip:+7999@127.0.0.1>\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n", ("127.0.0.1", port))
PY
sleep 0.3
kill -0 "$SIM_PID" || fail "carrier crashed on malformed input"
timeout 20 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79161234567 --user dozvon --password s3cret --hold 200ms > "$T/a3"
[ "$(field "$T/a3" +79161234567 outcome)" = answered ] || fail "after malformed: $(cat "$T/a3")"
stop_sim
ok

# 7. Bad input to dial is refused with the field named.
set +e
"$DOZVON" dial --trunk 127.0.0.1:9 --to 8916 2> "$T/err"; rc=$?
set -e
[ $rc = 2 ] || fail "bad number exit $rc"
grep -q 'to "8916": expected E.164' "$T/err" || fail "bad number message: $(cat "$T/err")"
ok

# 8. A peer we did not write: SIPp's built-in UAS answers; we hang up; SIPp counts 1 success.
SIPP_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 30 sipp -sn uas -i 127.0.0.1 -p "$SIPP_PORT" -m 1 -nostdin > "$T/sipp.out" 2>&1 &
SIPP_PID=$!
sleep 0.5
timeout 20 "$DOZVON" dial --trunk "127.0.0.1:$SIPP_PORT" --to +79161234567 --hold 300ms > "$T/sipp.json"
wait "$SIPP_PID" || fail "sipp: $(tail -20 "$T/sipp.out")"
[ "$(field "$T/sipp.json" +79161234567 outcome)" = answered ] || fail "sipp call: $(cat "$T/sipp.json")"
[ "$(field "$T/sipp.json" +79161234567 hangup_by)" = us ] || fail "sipp hangup"
ok

# 9. Media: a WAV prompt (16 kHz, resampled to 8 kHz once) is heard by the far end for its
#    length; an early hang-up reports the seconds heard; RFC 4733 and in-band DTMF are
#    detected; a stereo recording is written.
/usr/bin/python3 - "$T/tone16k.wav" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 16000)))
                       for i in range(32000)))
w.close()
PY
cat > "$T/media.toml" <<'TOML'
[ring]
mean = 0.1
[talk]
stay_share = 1.0
[shares]
answer = 1
busy = 0
no_answer = 0
invalid = 0
rejected = 0
congestion = 0
[numbers]
"+79990000010" = { behaviour = "answer", ring = 0.1, talk = 0.8 }
"+79990000011" = { behaviour = "answer", ring = 0.1, dtmf = "19", dtmf_at = 0.4 }
"+79990000012" = { behaviour = "answer", ring = 0.1, dtmf = "2", dtmf_at = 0.4, dtmf_mode = "inband" }
"+79990000013" = { behaviour = "answer", ring = 0.1, talk = 1.5, reinvite_at = 0.5 }
TOML
mkdir -p "$T/rec"
start_sim "$T/media.toml"
timeout 30 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79161234567 --to +79990000010 \
  --to +79990000011 --to +79990000012 --to +79990000013 --prompt "$T/tone16k.wav" --hold 300ms --record "$T/rec" > "$T/media.out"
stop_sim
near() { /usr/bin/python3 -c "import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) <= float(sys.argv[3]) else 1)" "$@"; }
near "$(field "$T/media.out" +79161234567 prompt_seconds_played)" 2.0 0.05 || fail "prompt length: $(cat "$T/media.out")"
[ "$(field "$T/media.out" +79161234567 prompt_finished)" = True ] || fail "prompt finished"
near "$(field "$T/media.out" +79990000010 prompt_seconds_played)" 0.8 0.3 || fail "early hang-up seconds"
[ "$(field "$T/media.out" +79990000010 prompt_finished)" = False ] || fail "early hang-up flag"
[ "$(field "$T/media.out" +79990000010 hangup_by)" = them ] || fail "early hang-up by"
[ "$(field "$T/media.out" +79990000011 dtmf)" = 19 ] || fail "rfc4733 dtmf: $(field "$T/media.out" +79990000011 dtmf)"
[ "$(field "$T/media.out" +79990000012 dtmf)" = 2 ] || fail "in-band dtmf: $(field "$T/media.out" +79990000012 dtmf)"
# An unexpected re-INVITE mid-call is answered; the call goes on and ends normally.
[ "$(field "$T/media.out" +79990000013 reinvites)" = 1 ] || fail "re-INVITE: $(cat "$T/media.out")"
[ "$(field "$T/media.out" +79990000013 outcome)" = answered ] || fail "re-INVITE outcome"
[ "$(field "$T/media.out" +79990000013 hangup_by)" = them ] || fail "re-INVITE hang-up"
near "$(field "$T/media.out" +79990000013 prompt_seconds_played)" 1.5 0.3 || fail "re-INVITE media kept flowing"
# What the far end heard: 2.0 + 0.8 + 2.0 + 2.0 + 1.5 s of tone above speech level.
voice=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["voice_seconds"])' "$T/sim.out")
near "$voice" 8.3 0.8 || fail "far end heard $voice s of audio, expected 8.3"
/usr/bin/python3 - "$T/rec/79161234567.wav" <<'PY' || fail "recording"
import array, math, sys, wave
w = wave.open(sys.argv[1])
assert w.getnchannels() == 2 and w.getframerate() == 8000, (w.getnchannels(), w.getframerate())
n = w.getnframes()
assert 2.0 * 8000 <= n <= 3.0 * 8000, n
a = array.array("h", w.readframes(n))
left = a[0::2]
rms = math.sqrt(sum(x * x for x in left[:16000]) / 16000)
assert rms > 3000, rms  # our side carries the 440 Hz prompt
PY
ok

# 10. A TTS prompt (espeak-ng, Russian) is heard by the far end to its end.
start_sim "$T/media.toml"
timeout 30 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79161234567 --hold 200ms \
  --say "Здравствуйте, Иван. Ваша задолженность 1500 рублей до 15 марта." --voice ru \
  --tts-cache "$T/tts" > "$T/tts.out"
stop_sim
[ "$(field "$T/tts.out" +79161234567 prompt_finished)" = True ] || fail "tts: $(cat "$T/tts.out")"
played=$(field "$T/tts.out" +79161234567 prompt_seconds_played)
voice=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["voice_seconds"])' "$T/sim.out")
/usr/bin/python3 -c "import sys; p, v = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if p > 2.0 and v > 0.5 * p else 1)" "$played" "$voice" \
  || fail "tts heard $voice s of $played s"
ok

# 11. SDP without a usable codec: the carrier answers 488 and keeps serving.
start_sim "$T/media.toml"
/usr/bin/python3 - "$PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); s.settimeout(3)
me = s.getsockname()[1]
sdp = "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"
msg = ("INVITE sip:+79161234567@127.0.0.1:%d SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-g729;rport\r\n"
       "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:+79161234567@127.0.0.1>\r\n"
       "Call-ID: g729-test\r\nCSeq: 1 INVITE\r\nContact: <sip:t@127.0.0.1:%d>\r\n"
       "Max-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
       % (port, me, me, len(sdp), sdp))
s.sendto(msg.encode(), ("127.0.0.1", port))
while True:
    data = s.recv(4096).decode()
    code = int(data.split(" ")[1])
    if code >= 200:
        assert code == 488, data
        break
PY
timeout 20 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79161234567 --hold 200ms > "$T/after488"
[ "$(field "$T/after488" +79161234567 outcome)" = answered ] || fail "after 488: $(cat "$T/after488")"
stop_sim
grep -q '"not_acceptable":1' "$T/sim.out" || fail "488 not counted: $(tail -1 "$T/sim.out")"
ok

# 12. Operators' phones: baresip (a peer we did not write) registers to our registrar with
#     digest auth; a wrong password is refused; quitting baresip unregisters it.
printf '[users]\n"1001" = "secret1"\n"1002" = "secret2"\n' > "$T/users.toml"
"$DOZVON" registrar --listen 127.0.0.1:0 --users "$T/users.toml" > "$T/reg.out" 2>&1 &
REG_PID=$!
for _ in $(seq 1 50); do grep -q "^registrar listening" "$T/reg.out" && break; sleep 0.1; done
RPORT=$(sed -n 's/^registrar listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$T/reg.out")
[ -n "$RPORT" ] || fail "registrar did not start: $(cat "$T/reg.out")"
mkdir -p "$T/bs"
# baresip's aufile source wants 8 kHz: a 3 s 660 Hz tone for the operator to "say".
/usr/bin/python3 - "$T/bs/say8k.wav" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 660 * i / 8000)))
                       for i in range(24000)))
w.close()
PY
cat > "$T/bs/config" <<CFG
poll_method		epoll
sip_listen		127.0.0.1:0
net_interface		127.0.0.1
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module_app		account.so
audio_player		aufile,$T/bs/heard.wav
audio_source		aufile,$T/bs/say8k.wav
CFG
printf '<sip:1001@127.0.0.1:%s>;auth_pass=secret1;regint=60;answermode=auto\n<sip:1002@127.0.0.1:%s>;auth_pass=WRONG;regint=60\n' \
  "$RPORT" "$RPORT" > "$T/bs/accounts"
# --foreground: otherwise timeout relays our SIGTERM twice (to baresip and to its process
# group), and a second SIGTERM makes baresip exit before its un-REGISTER is answered.
timeout --foreground 30 baresip -f "$T/bs" > "$T/bs.out" 2>&1 &
BS_PID=$!
for _ in $(seq 1 100); do grep -q '"event":"registered","expires":60,"user":"1001"' "$T/reg.out" && break; sleep 0.1; done
grep -q '"event":"registered","expires":60,"user":"1001"' "$T/reg.out" || fail "baresip did not register: $(cat "$T/reg.out") $(tail -5 "$T/bs.out")"
sleep 1
! grep -q '"user":"1002"' "$T/reg.out" || fail "wrong password accepted: $(cat "$T/reg.out")"
# Call the operator at its registered Contact: baresip auto-answers; audio flows both ways.
CONTACT=$(/usr/bin/python3 -c 'import json,sys; print([json.loads(l)["contact"] for l in open(sys.argv[1]) if l.startswith("{")][0])' "$T/reg.out")
timeout 20 "$DOZVON" dial --trunk "127.0.0.1:$RPORT" --to "$CONTACT" --prompt "$T/tone16k.wav" --hold 500ms > "$T/op.out"
[ "$(field "$T/op.out" "$CONTACT" outcome)" = answered ] || fail "operator call: $(cat "$T/op.out")"
[ "$(field "$T/op.out" "$CONTACT" prompt_finished)" = True ] || fail "operator heard the prompt"
# The call lasts the 2 s prompt plus the 0.5 s hold; baresip "says" its tone all along.
near "$(field "$T/op.out" "$CONTACT" seconds_with_voice)" 2.4 0.5 || fail "operator's audio: $(cat "$T/op.out")"
kill -TERM "$BS_PID"
# baresip unregisters on SIGTERM; give it up to 15 s.
for _ in $(seq 1 150); do grep -q '"event":"unregistered"' "$T/reg.out" && break; sleep 0.1; done
grep -q '"event":"unregistered","expires":60,"user":"1001"' "$T/reg.out" || fail "no unregister: $(cat "$T/reg.out") $(tail -5 "$T/bs.out")"
wait "$BS_PID" 2>/dev/null || true
kill -TERM "$REG_PID"; wait "$REG_PID" 2>/dev/null || true
ok

# 13. Bridge: `dozvon bridge` runs a registrar, calls the registered operator once (a nailed-up
#     leg) and bridges each answered customer into it. Operators are the simulator's
#     --operators phones (1 kHz "voice"); customers speak 450 Hz. Each side must hear the other.
cat > "$T/talk.toml" <<'TOML'
[shares]
answer = 1
busy = 0
no_answer = 0
invalid = 0
rejected = 0
congestion = 0
[ring]
mean = 0.3
[talk]
stay_share = 1
voice_hz = 450
TOML
start_sim "$T/talk.toml"
printf '[users]\n"op1" = "pw2"\n"op2" = "pw2"\n"op3" = "other"\n' > "$T/ops.toml"
mkdir -p "$T/brrec"
"$DOZVON" bridge --trunk "127.0.0.1:$PORT" --to +79990000001 --to +79990000002 --to +79990000003 \
  --users "$T/ops.toml" --operator op2 --hold 2s --record "$T/brrec" > "$T/br.out" 2> "$T/br.err" &
BR_PID=$!
for _ in $(seq 1 50); do grep -q "^registrar listening" "$T/br.out" && break; sleep 0.1; done
BRPORT=$(sed -n 's/^registrar listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$T/br.out")
[ -n "$BRPORT" ] || fail "bridge did not start: $(cat "$T/br.out" "$T/br.err")"
"$DOZVON" carrier-sim --listen 127.0.0.1:0 --operators 2 --registrar "127.0.0.1:$BRPORT" \
  --operator-password WRONG > "$T/badops.out" 2>&1 &
BAD_PID=$!
"$DOZVON" carrier-sim --listen 127.0.0.1:0 --operators 2 --registrar "127.0.0.1:$BRPORT" \
  --operator-password pw2 --operators-log "$T/ops.log" > "$T/ops.out" 2>&1 &
OPS_PID=$!
for _ in $(seq 1 300); do kill -0 "$BR_PID" 2>/dev/null || break; sleep 0.1; done
wait "$BR_PID" || fail "bridge failed: $(cat "$T/br.out" "$T/br.err")"
BR_PID=""
kill -TERM "$OPS_PID" "$BAD_PID"; wait "$OPS_PID" 2>/dev/null || true; wait "$BAD_PID" 2>/dev/null || true
OPS_PID=""
stop_sim
/usr/bin/python3 - "$T/br.out" "$T/ops.out" "$T/sim.out" "$T/badops.out" "$T/brrec" <<'PY' || fail "bridge with simulated operators: $(cat "$T/br.out" "$T/ops.out")"
import json, math, sys, wave
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
cust = [l for l in lines if l["role"] == "customer"]
op = [l for l in lines if l["role"] == "operator"]
assert len(cust) == 3 and len(op) == 1, lines
# One operator leg carried all three customers (nailed up): op2 on the phones' socket.
assert op[0]["to"].startswith("sip:op2@"), op
for c in cust:
    assert c["outcome"] == "answered", c
    assert c["connect_s"] < 0.1, c                   # 200 OK to the operator's audio
    assert c["bridge_voice_heard_s"] > 1.0, c        # the customer heard the operator
    assert c["bridge_voice_passed_s"] > 1.0, c       # and was passed on to the operator
ops = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")][-1]["operators"]
assert ops["registered"] == 2 and ops["answered"] == 1, ops
# Measured by the simulator itself: the operator's phone heard the customers...
passed = sum(c["bridge_voice_passed_s"] for c in cust)
assert abs(ops["heard_voice_s"] - passed) < 0.5, (ops, passed)
# ... and the customers' phones heard the operator.
sim = [json.loads(l) for l in open(sys.argv[3]) if l.startswith("{")][-1]
heard = sum(c["bridge_voice_heard_s"] for c in cust)
assert sim["voice_seconds"] > 3.0 and abs(sim["voice_seconds"] - heard) < 0.5, (sim, heard)
bad = [json.loads(l) for l in open(sys.argv[4]) if l.startswith("{")][-1]["operators"]
assert bad["registered"] == 0, bad                   # a wrong password never registers
# The recording: left is what the customer heard (the operator's 1 kHz), right the customer.
def power(x, hz):
    w = 2 * math.pi * hz / 8000
    re_ = sum(v * math.cos(w * i) for i, v in enumerate(x)); im = sum(v * math.sin(w * i) for i, v in enumerate(x))
    return re_ * re_ + im * im
w = wave.open(sys.argv[5] + "/79990000002.wav")
assert w.getnchannels() == 2 and w.getframerate() == 8000
import array
a = array.array("h", w.readframes(w.getnframes()))
left, right = a[0::2], a[1::2]
def dominant(ch):
    votes = {1000: 0, 450: 0}
    for k in range(0, len(ch) - 160, 160):
        f = ch[k:k + 160]
        p = {hz: power(f, hz) for hz in votes}
        if max(p.values()) > 1e9:
            votes[max(p, key=p.get)] += 1
    return votes
l, r = dominant(left), dominant(right)
assert l[1000] > 40 and l[450] == 0, l
assert r[450] > 40 and r[1000] == 0, r
PY
ok

# 14. The same with a phone we did not write: baresip registers with digest, auto-answers the
#     nailed-up call, "says" 660 Hz and records what it hears (the customers' 450 Hz).
start_sim "$T/talk.toml"
"$DOZVON" bridge --trunk "127.0.0.1:$PORT" --to +79990000011 --to +79990000012 \
  --users "$T/users.toml" --operator 1001 --hold 2s > "$T/br2.out" 2> "$T/br2.err" &
BR_PID=$!
for _ in $(seq 1 50); do grep -q "^registrar listening" "$T/br2.out" && break; sleep 0.1; done
BRPORT=$(sed -n 's/^registrar listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$T/br2.out")
[ -n "$BRPORT" ] || fail "bridge did not start: $(cat "$T/br2.out" "$T/br2.err")"
mkdir -p "$T/bs2"
/usr/bin/python3 - "$T/bs2/say8k.wav" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 660 * i / 8000)))
                       for i in range(8000 * 20)))
w.close()
PY
# Its sndfile module writes down what it decodes (heard) and encodes (said) per call.
mkdir -p "$T/bs2/snd"
sed -e "s#$T/bs/#$T/bs2/#g" "$T/bs/config" > "$T/bs2/config"
printf 'module\t\t\tsndfile.so\nsnd_path\t\t%s\n' "$T/bs2/snd" >> "$T/bs2/config"
printf '<sip:1001@127.0.0.1:%s>;auth_pass=secret1;regint=60;answermode=auto\n' "$BRPORT" > "$T/bs2/accounts"
timeout 40 baresip -f "$T/bs2" > "$T/bs2.out" 2>&1 &
BS_PID=$!
for _ in $(seq 1 300); do kill -0 "$BR_PID" 2>/dev/null || break; sleep 0.1; done
wait "$BR_PID" || fail "bridge to baresip failed: $(cat "$T/br2.out" "$T/br2.err") $(tail -5 "$T/bs2.out")"
BR_PID=""
# The call has ended and its recordings are closed. The registrar went with the bridge, so a
# SIGTERM would leave baresip retrying its un-REGISTER for 32 s: stop it outright. BS_PID is
# `timeout`, which does not pass on a SIGKILL: kill its child, and timeout ends with it.
sleep 0.5
pkill -KILL -P "$BS_PID" 2>/dev/null || true; wait "$BS_PID" 2>/dev/null || true
BS_PID=""
stop_sim
/usr/bin/python3 - "$T/br2.out" "$T"/bs2/snd/dump-*-dec.wav <<'PY' || fail "bridge with baresip: $(cat "$T/br2.out")"
import array, json, math, sys, wave
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
cust = [l for l in lines if l["role"] == "customer"]
assert len(cust) == 2, lines
for c in cust:
    assert c["outcome"] == "answered" and c["connect_s"] < 0.1, c
    assert c["bridge_voice_heard_s"] > 1.0 and c["bridge_voice_passed_s"] > 1.0, c
# What baresip wrote down as heard: the customers' 450 Hz tone, for about 2 x 2 s.
w = wave.open(sys.argv[2])
a = array.array("h", w.readframes(w.getnframes()))
rate, ch = w.getframerate(), w.getnchannels()
a = a[0::ch]
n = rate // 50
def power(x, hz):
    k = 2 * math.pi * hz / rate
    r = sum(v * math.cos(k * i) for i, v in enumerate(x)); m = sum(v * math.sin(k * i) for i, v in enumerate(x))
    return r * r + m * m
tone = 0
for s in range(0, len(a) - n, n):
    f = a[s:s + n]
    if power(f, 450) > 1e9 and power(f, 450) > 10 * power(f, 660):
        tone += 1
assert tone * 0.02 > 2.0, tone
PY
ok

# 15. Early media: the carrier answers the attempt with 183 + SDP and plays a tone instead of a
#     final response. Busy, congestion and SIT end the call at once (CANCEL) with their outcome;
#     ringback is recognised and the call goes on to be answered. All five at once.
cat > "$T/early.toml" <<'TOML'
[ring]
mean = 0.2
[talk]
mean = 1
[numbers]
"+79990000101" = { early = "busy" }
"+79990000102" = { early = "congestion" }
"+79990000103" = { early = "sit" }
"+79990000104" = { early = "ringback", ring = 6.0, talk = 1.0 }
"+79990000105" = { early = "busy" }
TOML
start_sim "$T/early.toml"
timeout 30 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --to +79990000101 --to +79990000102 \
  --to +79990000103 --to +79990000104 --to +79990000105 --ring-timeout 15s --hold 200ms > "$T/early.out"
stop_sim
for row in "+79990000101 busy 17 busy" "+79990000102 congestion 34 congestion" \
           "+79990000103 invalid_number 1 special information" "+79990000105 busy 17 busy"; do
  set -- $row
  num=$1 want=$2 cause=$3; shift 3
  [ "$(field "$T/early.out" "$num" outcome)" = "$want" ] || fail "early $num: $(grep "$num" "$T/early.out")"
  [ "$(field "$T/early.out" "$num" q850_cause)" = "$cause" ] || fail "early cause $num"
  [ "$(field "$T/early.out" "$num" early_tone)" = "$*" ] || fail "early tone $num"
  near "$(field "$T/early.out" "$num" ring_s)" 1.0 1.0 || fail "early $num took too long"
done
[ "$(field "$T/early.out" +79990000104 outcome)" = answered ] || fail "ringback call: $(grep 104 "$T/early.out")"
[ "$(field "$T/early.out" +79990000104 early_tone)" = ringback ] || fail "ringback not recognised"
grep -q '"cancelled":4' "$T/sim.out" || fail "four CANCELs expected: $(tail -1 "$T/sim.out")"
ok

# 16. Trunks as carriers hand them out: TCP, REGISTER with digest, and a DNS name (SRV and A
#     records from a loopback dnsmasq). A wrong password never registers.
cat > "$T/reg.toml" <<'TOML'
[shares]
answer = 1
busy = 0
no_answer = 0
invalid = 0
rejected = 0
congestion = 0
[ring]
mean = 0.1
[talk]
stay_share = 1
[auth]
username = "acct"
password = "pw"
TOML
start_sim "$T/reg.toml"
DP=$(/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null --pid-file= --user=root \
  --bind-interfaces --listen-address=127.0.0.1 --port="$DP" \
  --host-record=sip.trunk.test,127.0.0.1 --srv-host="_sip._udp.trunk.test,sip.trunk.test,$PORT" > /dev/null 2>&1 &
DNS_PID=$!
sleep 0.3
A="--user acct --password pw --hold 200ms --ring-timeout 5s"
timeout 15 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --transport tcp --to +79990000201 $A > "$T/tcp.out"
timeout 15 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --register --to +79990000202 $A > "$T/regd.out"
timeout 15 "$DOZVON" dial --trunk trunk.test --dns "127.0.0.1:$DP" --to +79990000203 $A > "$T/srv.out"
timeout 15 "$DOZVON" dial --trunk "sip.trunk.test:$PORT" --dns "127.0.0.1:$DP" --transport tcp --to +79990000204 $A > "$T/a.out"
rc=0; timeout 15 "$DOZVON" dial --trunk "127.0.0.1:$PORT" --register --to +79990000205 --user acct --password WRONG > "$T/badreg.out" 2>&1 || rc=$?
kill "$DNS_PID"; wait "$DNS_PID" 2>/dev/null || true
stop_sim
[ "$(field "$T/tcp.out" +79990000201 outcome)" = answered ] || fail "TCP call: $(cat "$T/tcp.out")"
[ "$(field "$T/regd.out" +79990000202 outcome)" = answered ] || fail "registered call: $(cat "$T/regd.out")"
[ "$(field "$T/srv.out" +79990000203 outcome)" = answered ] || fail "SRV call: $(cat "$T/srv.out")"
[ "$(field "$T/a.out" +79990000204 outcome)" = answered ] || fail "DNS A + TCP call: $(cat "$T/a.out")"
[ "$rc" -ne 0 ] && grep -q "did not accept our REGISTER" "$T/badreg.out" || fail "wrong password registered: $(cat "$T/badreg.out")"
/usr/bin/python3 - "$T/sim.out" <<'PY' || fail "trunk counters: $(tail -1 "$T/sim.out")"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
assert s["answered"] == 4, s
assert s["registers"] == 1, s       # the good REGISTER; the wrong password only got 401s
assert s["tcp_invites"] >= 2, s     # two calls over TCP (each challenged once, then sent again)
PY
ok

echo "$passed passed, 0 failed"
