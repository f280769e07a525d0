#!/usr/bin/python3
"""Crash safety: `dozvon serve` is killed with SIGKILL at 20 random moments during a
300-contact broadcast campaign with 1-minute retries, restarted each time, and then left to
finish. From the store: no contact went over max_attempts or its daily cap, no two attempts of
one contact overlapped, nothing is left open, and every call the simulator answered has its
attempt row (the row is committed before the INVITE leaves)."""
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from broadcast_lib import cleanup, Sim, db, fail, run, server_config  # noqa: E402

DOZVON = sys.argv[1]
KILLS = 20
MAX_ATTEMPTS = 3
PER_DAY = 3

PROFILE = """seed = 11
[shares]
answer = 0.5
busy = 0.2
no_answer = 0.1
congestion = 0.1
invalid = 0.1
[ring]
mean = 1.5
cv = 0.5
[talk]
mean = 4.0
cv = 0.5
"""

SCENARIO = """voice = "ru"
[[step]]
say = "Здравствуйте, {first_name}. Это напоминание о платеже."
message = true
[[step]]
hangup = true
"""

CAMPAIGN = """name = "crash"
mode = "broadcast"
lists = ["crash"]
max_attempts = %d
ring_timeout = "5s"
default_timezone = "Europe/Moscow"
max_lines = 40

[window]
weekdays = ["00:00-24:00"]
weekends = ["00:00-24:00"]

[caps]
per_day = %d

[retry]
busy = { after = "1m" }
no_answer = { after = "1m" }
congestion = { after = "1m" }
failed = { after = "1m" }
interrupted = { after = "1m" }
unsuccessful = { after = "1m", max = 1 }
rejected = "strike"
invalid_number = "strike"

[broadcast]
scenario = "SCENARIO_PATH"
success = "heard >= 90%%"
""" % (MAX_ATTEMPTS, PER_DAY)


def main():
    rng = random.Random(int(os.environ.get("DOZVON_CRASH_SEED", "20261123")))
    work = tempfile.mkdtemp(prefix="dozvon-e2e-crash-")
    sim = None
    try:
        rows = ["phone,first_name,timezone"]
        for i in range(300):
            rows.append("+79993%06d,Имя%d,Europe/Moscow" % (i, i))
        with open(os.path.join(work, "contacts.csv"), "w") as f:
            f.write("\n".join(rows) + "\n")
        with open(os.path.join(work, "s.toml"), "w") as f:
            f.write(SCENARIO)
        campaign = os.path.join(work, "campaign.toml")
        with open(campaign, "w") as f:
            f.write(CAMPAIGN.replace("SCENARIO_PATH", os.path.join(work, "s.toml")))
        sim = Sim(DOZVON, work, PROFILE)
        cfg = server_config(work, sim.port, campaign, max_calls=40, cps=20)
        run([DOZVON, "import", "--db", os.path.join(work, "test.db"), "--list", "crash",
             os.path.join(work, "contacts.csv")], timeout=60)

        log = open(os.path.join(work, "serve.log"), "w")
        for k in range(KILLS):
            p = subprocess.Popen([DOZVON, "serve", "--config", cfg, "--progress", "0s"],
                                 stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.2, 4.0))
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=10)
        con = db(work)
        killed_open = con.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
        con.close()

        out = run([DOZVON, "serve", "--config", cfg, "--exit-when-done", "--max-run", "600s",
                   "--progress", "30s"], timeout=700)
        if "finished: every contact is done or struck" not in out.stdout:
            fail("the campaign did not finish after the kills:\n" + out.stdout[-3000:])

        con = db(work)
        open_rows = con.execute("SELECT COUNT(*) FROM attempts WHERE outcome IS NULL").fetchone()[0]
        if open_rows:
            fail(f"{open_rows} attempts left open")
        by_contact = defaultdict(list)
        for a in con.execute("SELECT * FROM attempts ORDER BY contact_id, attempt_no"):
            by_contact[a["contact_id"]].append(a)
        for cid, atts in by_contact.items():
            if len(atts) > MAX_ATTEMPTS:
                fail(f"contact {cid}: {len(atts)} attempts > max_attempts {MAX_ATTEMPTS}")
            per_day = defaultdict(int)
            for a in atts:
                # Moscow is UTC+3 all year.
                per_day[(a["created_at"] + 3 * 3600 * 1000) // 86400000] += 1
            if max(per_day.values()) > PER_DAY:
                fail(f"contact {cid}: {max(per_day.values())} attempts in one day > {PER_DAY}")
            for prev, nxt in zip(atts, atts[1:]):
                if prev["ended_at"] is None or prev["ended_at"] > nxt["created_at"]:
                    fail(f"contact {cid}: attempt {prev['attempt_no']} (ended {prev['ended_at']}) "
                         f"overlaps attempt {nxt['attempt_no']} (created {nxt['created_at']})")
        rows = {str(r["id"]): r["phone_e164"] for r in con.execute("SELECT id, phone_e164 FROM attempts")}
        answered = sim.answered()
        for number, attempt in answered:
            if rows.get(attempt) != number:
                fail(f"the simulator answered {number} for attempt {attempt!r}: no such row")
        interrupted = con.execute(
            "SELECT COUNT(*) FROM attempts WHERE outcome = 'interrupted'").fetchone()[0]
        states = dict(con.execute("SELECT state, COUNT(*) FROM contacts GROUP BY state").fetchall())
        con.close()
        if interrupted == 0:
            fail("no attempt was interrupted: the kills did not land during calls")
        print(f"ok: {KILLS} kills ({killed_open} attempts by then, {interrupted} interrupted); "
              f"{len(answered)} answered calls all with attempt rows; states {states}")
    finally:
        cleanup(work, sim)


main()
