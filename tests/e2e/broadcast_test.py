#!/usr/bin/python3
"""End-to-end broadcast campaign over loopback SIP: `dozvon serve` against the carrier
simulator, 200 contacts whose numbers each behave one known way (per-number rules), and the
demo's payment-reminder scenario. Afterwards every contact must be in the state the rules
imply, with the keys, variables and "heard to the end" the calls produced; every call the
simulator answered must have its attempt row. Also: a bad scenario is refused with its line."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from broadcast_lib import cleanup, ROOT, Sim, db, fail, run, server_config  # noqa: E402

DOZVON = sys.argv[1]

# Behaviour per category: (profile rule, expected final state, expected attempts).
# The message takes about 9-10 s; the question "press 1 / press 2" follows for about 4 s.
CATEGORIES = {
    "confirm": ('{ behaviour = "answer", ring = 0.2, dtmf = "1", dtmf_at = 11.5 }', "done", 1),
    "operator": ('{ behaviour = "answer", ring = 0.2, dtmf = "2", dtmf_at = 11.5 }', "done", 1),
    "silent": ('{ behaviour = "answer", ring = 0.2 }', "done", 1),
    "early": ('{ behaviour = "answer", ring = 0.2, talk = 3.0 }', "done", 2),
    "busy": ('"busy"', "done", 3),
    "noanswer": ('"no_answer"', "done", 3),
    "congested": ('"congestion"', "done", 3),
    "invalid": ('"invalid"', "struck", 1),
    "rejected": ('{ code = 603 }', "struck", 1),
    "dnc": ('{ behaviour = "answer", ring = 0.2 }', "struck", 0),
}
COUNTS = {"confirm": 40, "operator": 20, "silent": 30, "early": 20, "busy": 20, "noanswer": 15,
          "congested": 15, "invalid": 15, "rejected": 15, "dnc": 10}

CAMPAIGN = """name = "e2e-broadcast"
mode = "broadcast"
lists = ["e2e"]
max_attempts = 3
ring_timeout = "5s"
default_timezone = "Europe/Moscow"
max_lines = 100

[window]
weekdays = ["00:00-24:00"]
weekends = ["00:00-24:00"]

[retry]
busy = { after = "2s" }
no_answer = { after = "2s" }
congestion = { after = "2s" }
failed = { after = "2s" }
rejected = "strike"
invalid_number = "strike"
unsuccessful = { after = "2s", max = 1 }

[dnc]
numbers = [%s]

[broadcast]
scenario = "%s"
success = "heard >= 90%% or confirmed = yes"
"""


def main():
    work = tempfile.mkdtemp(prefix="dozvon-e2e-bc-")
    sim = None
    try:
        # Contacts: +7999 2CC NNNN, the category in the number.
        phones = {}
        rows = ["phone,first_name,amount,due_date,timezone"]
        for ci, (cat, n) in enumerate(COUNTS.items()):
            for i in range(n):
                phone = "+79992%02d%04d" % (ci, i)
                phones[phone] = cat
                rows.append(f"{phone},Имя{i},{1000 + 37 * i},2026-12-{1 + i % 28:02d},Europe/Moscow")
        assert len(phones) == 200
        with open(os.path.join(work, "contacts.csv"), "w") as f:
            f.write("\n".join(rows) + "\n")
        profile = "seed = 3\n[shares]\nanswer = 1.0\n[talk]\nmean = 300.0\ncv = 0.1\n[numbers]\n"
        profile += "".join(f'"{p}" = {CATEGORIES[c][0]}\n' for p, c in phones.items())
        sim = Sim(DOZVON, work, profile)
        dnc = ", ".join(f'"{p}"' for p, c in phones.items() if c == "dnc")
        scenario = os.path.join(ROOT, "examples/demo/reminder.scenario.toml")
        campaign = os.path.join(work, "campaign.toml")
        with open(campaign, "w") as f:
            f.write(CAMPAIGN % (dnc, scenario))
        cfg = server_config(work, sim.port, campaign)
        run([DOZVON, "import", "--db", os.path.join(work, "test.db"), "--list", "e2e",
             os.path.join(work, "contacts.csv")], timeout=60)

        out = run([DOZVON, "serve", "--config", cfg, "--exit-when-done", "--max-run", os.environ.get("DOZVON_MAX_RUN", "240s"),
                   "--progress", "10s"], timeout=300)
        if "finished: every contact is done or struck" not in out.stdout:
            fail("the campaign did not finish:\n" + out.stdout)

        con = db(work)
        checked = 0
        for c in con.execute("SELECT id, phone_e164, state, attempts, state_reason FROM contacts"):
            cat = phones[c["phone_e164"]]
            _, want_state, want_attempts = CATEGORIES[cat]
            if c["state"] != want_state or c["attempts"] != want_attempts:
                fail(f"{cat} {c['phone_e164']}: {c['state']} after {c['attempts']} attempts "
                     f"({c['state_reason']}); want {want_state} after {want_attempts}")
            atts = con.execute("SELECT * FROM attempts WHERE contact_id = ? ORDER BY attempt_no",
                               (c["id"],)).fetchall()
            if any(a["outcome"] is None for a in atts):
                fail(f"{c['phone_e164']}: an attempt is still open")
            last = atts[-1] if atts else None
            if cat == "confirm":
                if last["dtmf"] != "1" or '"confirmed":"yes"' not in last["vars"].replace(" ", ""):
                    fail(f"confirm {c['phone_e164']}: dtmf {last['dtmf']} vars {last['vars']}")
                if last["success"] != 1:
                    fail(f"confirm {c['phone_e164']}: not a success")
            elif cat == "operator":
                v = last["vars"].replace(" ", "")
                if last["dtmf"] != "2" or '"wants_operator":"yes"' not in v or \
                        '"transfer":"no_operator"' not in v or '"confirmed"' in v:
                    fail(f"operator {c['phone_e164']}: dtmf {last['dtmf']} vars {last['vars']}")
            elif cat == "silent":
                if last["heard_to_end"] != 1 or last["dtmf"] != "" or last["success"] != 1:
                    fail(f"silent {c['phone_e164']}: heard_to_end {last['heard_to_end']} "
                         f"dtmf {last['dtmf']!r} success {last['success']}")
                if last["hangup_by"] != "us":
                    fail(f"silent {c['phone_e164']}: hung up by {last['hangup_by']}")
            elif cat == "early":
                for a in atts:
                    # Hung up at 3 s: the message was cut, with about 3 s heard.
                    if a["heard_to_end"] != 0 or a["success"] != 0 or a["hangup_by"] != "them":
                        fail(f"early {c['phone_e164']}: {dict(a)}")
                    if not 2000 <= a["heard_ms"] <= 3500:
                        fail(f"early {c['phone_e164']}: heard {a['heard_ms']} ms, want about 3 s")
                if "not a success" not in c["state_reason"]:
                    fail(f"early {c['phone_e164']}: reason {c['state_reason']}")
            elif cat in ("busy", "noanswer", "congested", "invalid", "rejected"):
                want = {"busy": "busy", "noanswer": "no_answer", "congested": "congestion",
                        "invalid": "invalid_number", "rejected": "rejected"}[cat]
                if any(a["outcome"] != want for a in atts):
                    fail(f"{cat} {c['phone_e164']}: outcomes {[a['outcome'] for a in atts]}")
            elif cat == "dnc":
                if atts or "do-not-call" not in c["state_reason"].lower() and \
                        "dnc" not in c["state_reason"].lower():
                    fail(f"dnc {c['phone_e164']}: {len(atts)} attempts, reason {c['state_reason']}")
            checked += 1
        if checked != 200:
            fail(f"checked {checked} contacts, want 200")

        # Every call the simulator answered has its attempt row, for the same number.
        answered = sim.answered()
        if not answered:
            fail("the simulator answered nothing")
        by_id = {str(r["id"]): r["phone_e164"] for r in con.execute("SELECT id, phone_e164 FROM attempts")}
        for number, attempt in answered:
            if by_id.get(attempt) != number:
                fail(f"answered call to {number} with attempt {attempt!r}: no such attempt row")
        n_answered = con.execute("SELECT COUNT(*) FROM attempts WHERE outcome = 'answered'").fetchone()[0]
        if n_answered != len(answered):
            fail(f"{n_answered} answered attempts, the simulator answered {len(answered)}")

        # The summary report reads the same facts.
        rep = run([DOZVON, "report", "--db", os.path.join(work, "test.db"), "e2e-broadcast"],
                  timeout=30).stdout
        if "confirmed=yes" not in rep or "(finished)" not in rep:
            fail("report:\n" + rep)
        con.close()

        # A bad scenario is refused when the server starts, naming the file and line.
        bad = os.path.join(work, "bad.scenario.toml")
        with open(bad, "w") as f:
            f.write('voice = "ru"\n\n[[step]]\nsay = "Здравствуйте, {frist_name}"\n')
        with open(campaign, "w") as f:
            f.write((CAMPAIGN % (dnc, bad)).replace("e2e-broadcast", "e2e-bad"))
        p = run([DOZVON, "serve", "--config", cfg], timeout=60, check=False)
        if p.returncode != 2 or f"{bad}:4: step.say: unknown field {{frist_name}}" not in p.stdout:
            fail(f"bad scenario: exit {p.returncode}:\n{p.stdout}")
        # A malformed trunk host is refused with the config's line, before anything dials.
        with open(cfg) as f:
            good = f.read()
        with open(cfg, "w") as f:
            f.write(good.replace('host = "127.0.0.1"', 'host = "sip example.com"'))
        p = run([DOZVON, "serve", "--config", cfg], timeout=60, check=False)
        want = 'trunk.host: "sip example.com": expected an IP address or a host name'
        if p.returncode != 2 or want not in p.stdout:
            fail(f"malformed trunk host: exit {p.returncode}:\n{p.stdout}")
        print(f"ok: 200 contacts in their expected states; {len(answered)} answered calls "
              "each with an attempt; bad scenario refused with its line")
    finally:
        cleanup(work, sim)


main()
