#!/usr/bin/python3
"""Operators reached by a call per customer (`reach = "per_call"`) end to end over loopback SIP.
Two simulated phones (`carrier-sim --operators 2`) register with digest auth and log in with no
nailed-up leg; a progressive campaign of 60 contacts runs. Every customer who answered must be
bridged to exactly one operator through a call of its own to that operator's phone, within the
2 s connect limit, or hear the abandon message; the phones must have taken one call per bridged
customer, each carrying that customer's speech. Then the phones crash (still registered, never
answering): each answered customer hears the abandon message at the connect limit instead of
waiting on a phone that does not answer, and both operators are paused, with that reason."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from broadcast_lib import (cleanup, db, fail, import_list, kill,  # noqa: E402
                           operators_with_phones, read, run, start_carrier, stop, wait_for)

DOZVON = sys.argv[1]
N = 60

CARRIER = """seed = 5
[shares]
answer = 0.7
busy = 0.1
no_answer = 0.1
invalid = 0.1
rejected = 0.0
congestion = 0.0
[ring]
mean = 0.6
cv = 0.3
[talk]
mean = 1.5
cv = 0.2
voice_hz = 450
"""

CAMPAIGN = """name = "%(name)s"
mode = "progressive"
lists = ["%(name)s"]
max_attempts = 1
ring_timeout = "5s"
default_timezone = "Europe/Moscow"

[window]
weekdays = ["00:00-24:00"]
weekends = ["00:00-24:00"]

[pacing]
connect_limit = "2s"

[operators]
skill = "sales"
abandon_message = "Это компания Акме. Перезвоните нам по номеру восемь восемьсот."
wrapup_timeout = "150ms"
"""


def main():
    work = tempfile.mkdtemp(prefix="dozvon-e2e-percall-")
    procs = []
    try:
        import_list(DOZVON, work, "pc", ["+7999530%04d" % i for i in range(N)])
        import_list(DOZVON, work, "dead", ["+7999531%04d" % i for i in range(10)])
        for name in ("pc", "dead"):
            with open(os.path.join(work, name + ".toml"), "w") as f:
                f.write(CAMPAIGN % {"name": name})
        port = start_carrier(DOZVON, work, CARRIER, procs)
        serve, cfg, serve_out, phones, act, status = operators_with_phones(
            DOZVON, work, port, 2, "sales", [("pc.toml", False), ("dead.toml", False)], procs,
            reach="per_call", max_calls=20, cps=20, grace="5s")
        for i in (1, 2):
            out = act("login", f"op{i}", "--ready")
            if "called per customer" not in out:
                fail("login of a per-call operator: " + out)
        wait_for(lambda: all(a["state"] == "ready" for a in status().values()), 10,
                 lambda: "both ready: " + json.dumps(status()))
        if any(a["reach"] != "per_call" for a in status().values()):
            fail("operators' reach: " + json.dumps(status()))

        con = db(work)
        run([DOZVON, "campaign", "start", "--config", cfg, "pc"], 20)
        wait_for(lambda: con.execute("SELECT state FROM campaigns WHERE name = 'pc'")
                 .fetchone()[0] == "finished", 180,
                 lambda: "the campaign to finish; serve's log ends: " + read(serve_out)[-2000:])

        # The phones crash: still registered, they answer nothing.
        kill(phones)
        run([DOZVON, "campaign", "start", "--config", cfg, "dead"], 20)
        wait_for(lambda: all(a["state"] == "paused" and
                             a.get("reason", "").startswith("phone did not answer")
                             for a in status().values()), 60,
                 lambda: "both operators paused: " + json.dumps(status()))
        wait_for(lambda: con.execute("SELECT count(*) FROM attempts WHERE outcome IS NULL")
                 .fetchone()[0] == 0, 30, "the dead phones' customers' calls to end")
        stop(serve)
        for p in procs:
            stop(p)

        dead = con.execute("SELECT a.* FROM attempts a JOIN campaigns c ON c.id = a.campaign_id "
                           "WHERE c.name = 'dead' AND a.answered_at IS NOT NULL").fetchall()
        if not dead:
            fail("no customer answered while the phones were dead")
        late = "phone did not answer within the connect limit: abandon message played"
        for r in dead:
            if r["outcome"] != "abandoned" or r["agent"] or not (
                    late in r["reason"] or "phone rang" in r["reason"]):
                fail(f"attempt {r['id']} while the phones were dead: {dict(r)}")
        print(f"ok dead phones: {len(dead)} answered customers abandoned at the connect limit, "
              "both operators paused")

        rows = con.execute("SELECT a.* FROM attempts a JOIN campaigns c ON c.id = a.campaign_id "
                           "WHERE c.name = 'pc'").fetchall()
        live = [r for r in rows if r["answered_at"] is not None]
        bridged = [r for r in live if r["agent"]]
        abandoned = [r for r in live if r["outcome"] == "abandoned"]
        if len(bridged) + len(abandoned) != len(live) or len(bridged) < len(live) * 0.8:
            fail(f"{len(live)} answered, {len(bridged)} bridged, {len(abandoned)} abandoned: "
                 + "; ".join(r["reason"] for r in abandoned))
        on_call = {}
        for (attempt, name) in con.execute(
                "SELECT attempt_id, agent FROM agent_events WHERE to_state = 'on_call'"):
            on_call.setdefault(attempt, []).append(name)
        for r in bridged:
            if on_call.get(r["id"]) != [r["agent"]]:
                fail(f"attempt {r['id']}: operators {on_call.get(r['id'])} vs {r['agent']}")
            if r["connect_ms"] is not None and r["connect_ms"] > 2200:
                fail(f"attempt {r['id']}: connected after {r['connect_ms']} ms")
        # One call to a phone per bridged customer, each carrying the customer's 450 Hz speech
        # (a customer who hung up within the bridge's first frames may leave a silent one).
        with open(os.path.join(work, "operators.log")) as f:
            legs = [json.loads(line) for line in f]
        if len(legs) < len(bridged):
            fail(f"{len(legs)} calls to the phones for {len(bridged)} bridged customers")
        spoke = [h for h in legs if h["heard_voice_s"] >= 0.3]
        if len(spoke) < len(bridged) * 0.8:
            fail(f"only {len(spoke)} of {len(legs)} operator calls heard the customer: {legs[:5]}")
        ms = sorted(r["connect_ms"] for r in bridged if r["connect_ms"] is not None)
        print(f"ok per_call: {len(rows)} attempts, {len(live)} answered, {len(bridged)} bridged "
              f"over {len(legs)} calls to the phones, {len(abandoned)} abandoned; connect p50 "
              f"{ms[len(ms) // 2]} ms max {ms[-1]} ms")
    finally:
        for p in procs:
            stop(p)
        cleanup(work, None)


if __name__ == "__main__":
    main()
