#!/usr/bin/python3
"""Campaign control of a running `dozvon serve` through its control socket, and a graceful
stop: a campaign that is not started does not dial; `campaign start` makes it dial; after
`pause` no new attempt is opened; `resume` dials again; SIGTERM stops dialling, lets calls in
progress finish, and leaves no attempt open."""
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from broadcast_lib import cleanup, Sim, db, fail, run, server_config, wait_for  # noqa: E402

DOZVON = sys.argv[1]

CAMPAIGN = """name = "ctl"
mode = "broadcast"
lists = ["ctl"]
max_attempts = 1
ring_timeout = "5s"
default_timezone = "Europe/Moscow"
max_lines = 5
[window]
weekdays = ["00:00-24:00"]
weekends = ["00:00-24:00"]
[broadcast]
scenario = "%s"
"""


def attempts(work):
    con = db(work)
    n = con.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    con.close()
    return n


def check_realtime(pid, log):
    """With calls up, the libre loop (the main thread) and RtpIo's submitter run SCHED_RR at
    engine.realtime_priority and no other thread does; unprivileged, serve says it runs at
    normal priority and goes on (the dialling above shows it did)."""
    log.flush()
    with open(log.name) as f:
        text = f.read()
    if "running at normal priority" in text:
        print("note: no real-time scheduling allowed here, only its refusal checked")
        return
    rr = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            name = f.read().strip()
        try:
            # SCHED_RESET_ON_FORK rides on the policy: threads they start get normal scheduling.
            policy = os.sched_getscheduler(int(tid)) & ~os.SCHED_RESET_ON_FORK
            prio = os.sched_getparam(int(tid)).sched_priority
        except ProcessLookupError:  # a thread that ended meanwhile
            continue
        if policy != os.SCHED_OTHER:
            rr[("loop" if int(tid) == pid else name)] = (policy, prio)
    want = {"loop": (os.SCHED_RR, 2), "dozvon-rtp-io": (os.SCHED_RR, 2)}
    if rr != want:
        fail(f"real-time threads of serve: {rr}, want {want}")


def main():
    work = tempfile.mkdtemp(prefix="dozvon-e2e-ctl-")
    sim = serve = None
    try:
        with open(os.path.join(work, "c.csv"), "w") as f:
            f.write("phone,timezone\n" + "".join(
                "+79994%06d,Europe/Moscow\n" % i for i in range(200)))
        with open(os.path.join(work, "s.toml"), "w") as f:
            f.write('voice = "en"\n[[step]]\nsay = "This is a test call."\n')
        campaign = os.path.join(work, "campaign.toml")
        with open(campaign, "w") as f:
            f.write(CAMPAIGN % os.path.join(work, "s.toml"))
        sim = Sim(DOZVON, work, "[shares]\nanswer = 1.0\n[ring]\nmean = 0.5\n[talk]\nmean = 30.0\n")
        # engine.realtime_priority: checked once calls are up (below).
        cfg = server_config(work, sim.port, campaign, max_calls=5, cps=5, grace="20s",
                            engine_extra="realtime_priority = 2")
        with open(cfg) as f:
            text = f.read().replace("start = true", "start = false")
        with open(cfg, "w") as f:
            f.write(text)
        run([DOZVON, "import", "--db", os.path.join(work, "test.db"), "--list", "ctl",
             os.path.join(work, "c.csv")], timeout=60)
        log = open(os.path.join(work, "serve.log"), "w+")
        serve = subprocess.Popen([DOZVON, "serve", "--config", cfg, "--progress", "0s"],
                                 stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def ctl(*args):
            return run([DOZVON, "campaign", *args, "--config", cfg], timeout=20, check=False)

        wait_for(lambda: ctl("status").returncode == 0, 20, "the control socket")
        st = ctl("status").stdout
        if "ctl: draft" not in st:
            fail("status of a campaign never started: " + st)
        time.sleep(1.0)
        if attempts(work) != 0:
            fail("a draft campaign dialled")
        if "ok ctl running" not in ctl("start", "ctl").stdout:
            fail("start refused")
        wait_for(lambda: attempts(work) >= 5, 20, "dialling after start")
        check_realtime(serve.pid, log)
        p = ctl("pause", "ctl")
        if "ok ctl paused" not in p.stdout:
            fail("pause: " + p.stdout)
        time.sleep(0.5)  # an attempt already being opened may still land
        at_pause = attempts(work)
        time.sleep(3.0)
        if attempts(work) != at_pause:
            fail(f"attempts went from {at_pause} to {attempts(work)} while paused")
        if ctl("pause", "ctl").returncode == 0:
            fail("pausing a paused campaign should be refused")
        if "ok ctl running" not in ctl("resume", "ctl").stdout:
            fail("resume refused")
        wait_for(lambda: attempts(work) > at_pause, 20, "dialling after resume")
        if ctl("start", "nosuch").returncode == 0:
            fail("an unknown campaign was accepted")

        serve.send_signal(signal.SIGTERM)
        try:
            rc = serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            fail("serve did not stop within 60 s of SIGTERM")
        log.seek(0)
        out = log.read()
        if rc != 0 or "no new calls" not in out or "dozvon serve: stopped" not in out:
            fail(f"SIGTERM: exit {rc}\n{out}")
        con = db(work)
        open_rows = con.execute("SELECT COUNT(*) FROM attempts WHERE outcome IS NULL").fetchone()[0]
        outcomes = dict(con.execute("SELECT outcome, COUNT(*) FROM attempts GROUP BY 1").fetchall())
        con.close()
        if open_rows:
            fail(f"{open_rows} attempts open after a graceful stop")
        # Calls in progress at SIGTERM (a few seconds each) finished within the 20 s grace.
        if outcomes.get("interrupted"):
            fail(f"calls were cut although the grace period sufficed: {outcomes}")
        print(f"ok: draft did not dial; start, pause, resume, SIGTERM; outcomes {outcomes}")
    finally:
        if serve and serve.poll() is None:
            serve.kill()
        cleanup(work, sim)


main()
