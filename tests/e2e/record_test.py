#!/usr/bin/python3
"""A scenario's record step over loopback SIP: the callee's reply is written to a WAV named by
the attempt, ended by silence, and kept when the callee hangs up mid-reply; record_calls keeps
a stereo WAV of each answered call."""
import csv
import io
import json
import os
import sys
import tempfile
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from broadcast_lib import cleanup, Sim, db, fail, run, server_config  # noqa: E402

DOZVON = sys.argv[1]


def seconds(path):
    with wave.open(path) as w:
        return w.getnframes() / w.getframerate(), w.getnchannels()


def main():
    work = tempfile.mkdtemp(prefix="dozvon-e2e-rec-")
    sim = None
    try:
        with open(os.path.join(work, "c.csv"), "w") as f:
            f.write("phone,timezone\n+79995000001,Europe/Moscow\n+79995000002,Europe/Moscow\n")
        with open(os.path.join(work, "s.toml"), "w") as f:
            f.write('voice = "en"\n[[step]]\nsay = "Please leave a message."\n'
                    '[[step]]\nrecord = { max = "8s", silence = "3s" }\n'
                    '[[step]]\nsay = "Thank you."\n')
        campaign = os.path.join(work, "campaign.toml")
        with open(campaign, "w") as f:
            f.write('name = "rec"\nlists = ["rec"]\nmax_attempts = 1\n'
                    'default_timezone = "Europe/Moscow"\n[window]\nweekdays = ["00:00-24:00"]\n'
                    'weekends = ["00:00-24:00"]\n[broadcast]\nscenario = "%s"\n'
                    'record_calls = true\n' % os.path.join(work, "s.toml"))
        # 1 stays and "speaks" (a key tone) 3 s after answer; 2 hangs up 3.5 s after answer,
        # in the middle of its reply.
        sim = Sim(DOZVON, work, '[numbers]\n'
                  '"+79995000001" = { behaviour = "answer", ring = 0.2, dtmf = "5", '
                  'dtmf_at = 3.0, dtmf_mode = "inband" }\n'
                  '"+79995000002" = { behaviour = "answer", ring = 0.2, talk = 3.5 }\n')
        cfg = server_config(work, sim.port, campaign)
        run([DOZVON, "import", "--db", os.path.join(work, "test.db"), "--list", "rec",
             os.path.join(work, "c.csv")], timeout=60)
        run([DOZVON, "serve", "--config", cfg, "--exit-when-done", "--max-run", "60s",
             "--progress", "0s"], timeout=90)
        con = db(work)
        rows = {r["phone_e164"]: r for r in con.execute("SELECT * FROM attempts")}
        con.close()
        stays, leaves = rows["+79995000001"], rows["+79995000002"]
        for r in (stays, leaves):
            if r["outcome"] != "answered" or not r["recording"].endswith("-reply.wav"):
                fail(f"{r['phone_e164']}: {dict(r)}")
            path = os.path.join(work, r["recording"])
            if not os.path.exists(path):
                fail("reply not written: " + path)
        s1, ch1 = seconds(os.path.join(work, stays["recording"]))
        s2, _ = seconds(os.path.join(work, leaves["recording"]))
        # Speech at ~3 s after answer, then 3 s of silence end the reply: about 3-5 s in all.
        if not 2.5 <= s1 <= 6.5 or ch1 != 1:
            fail(f"reply of the callee who stayed: {s1:.2f} s, {ch1} channels")
        if not 0.3 <= s2 <= 3.0 or leaves["hangup_by"] != "them":
            fail(f"reply of the callee who hung up: {s2:.2f} s, hung up by {leaves['hangup_by']}")
        call = os.path.join(work, "recordings", f"{stays['id']}.wav")
        cs, cch = seconds(call)
        if cch != 2 or cs < 5:
            fail(f"call recording {call}: {cs:.2f} s, {cch} channels")
        print(f"ok: replies {s1:.1f} s and {s2:.1f} s (hung up mid-reply); call recording {cs:.1f} s stereo")
        # The attempts report is RFC 4180 CSV: reasons ("200 OK; ...") and variables (JSON with
        # commas and quotes) come back field for field.
        out = run([DOZVON, "report", "--db", os.path.join(work, "test.db"), "rec", "--attempts"],
                  timeout=30).stdout
        report = {r["phone"]: r for r in csv.DictReader(io.StringIO(out))}
        for phone, r in rows.items():
            got = report.get(phone)
            if not got or got["reason"] != r["reason"] or json.loads(got["vars"]) != \
                    json.loads(r["vars"]) or got["recording"] != r["recording"] or \
                    got["attempt"] != str(r["id"]):
                fail(f"report --attempts for {phone}: {got} vs {dict(r)}")
        print("ok: report --attempts round-trips reasons, variables and recordings")
    finally:
        cleanup(work, sim)


main()
