#!/usr/bin/python3
"""Operator connect-time benchmark, on loopback only.

`dozvon serve` with a registrar and N operators whose phones are simulated by one
`dozvon carrier-sim --operators N` (they register with digest auth, answer the nailed-up leg and
"speak" a tone); customers are a second `carrier-sim` who answer and "speak" 450 Hz. One
campaign per mode dials CONTACTS contacts. Read back from the store and from the customers'
side:

  - connect time per bridged call: the customer's 200 OK to the first frame of the operator's
    audio sent to the customer (`attempts.connect_ms`, measured in the media path);
  - answered customers lost: answered, but neither bridged to an operator nor given the
    abandon message (and every call the simulator answered must have its answered attempt);
  - abandon rate.

Usage: bench/operators/run.py [DOZVON_BINARY] [--modes progressive,predictive]
       [--operators 20] [--contacts 1400]     (default binary build/release/dozvon)
"""
import argparse
import json
import os
import sys
import tempfile
from functools import partial

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from broadcast_lib import (agent, agent_status, cleanup, db, fail, import_list, read,  # noqa: E402
                           run, server_config, start_carrier, start_operator_server,
                           start_phones, stop, wait_for)

CARRIER = """seed = 7
[shares]
answer = 0.7
busy = 0.1
no_answer = 0.1
invalid = 0.05
rejected = 0.05
congestion = 0.0
[ring]
mean = 1.0
cv = 0.3
[talk]
mean = 3.0
cv = 0.3
voice_hz = 450
"""

CAMPAIGN = """name = "%(name)s"
mode = "%(name)s"
lists = ["%(name)s"]
max_attempts = 2
ring_timeout = "5s"

[window]
weekdays = ["00:00-24:00"]
weekends = ["00:00-24:00"]

[retry]
busy = { after = "1s" }
no_answer = { after = "1s" }
rejected = "strike"
abandoned = { after = "1s" }

[pacing]
max_abandon_rate = 0.03
abandon_window = "campaign"
connect_limit = "2s"

[operators]
abandon_message = "Это компания Акме. Перезвоните нам по номеру восемь восемьсот."
wrapup_timeout = "100ms"
"""


def pct(values, p):
    return values[min(len(values) - 1, int(p * len(values)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dozvon", nargs="?", default=os.path.join(ROOT, "build/release/dozvon"))
    ap.add_argument("--modes", default="progressive,predictive")
    ap.add_argument("--operators", type=int, default=20)
    ap.add_argument("--contacts", type=int, default=1400)
    a = ap.parse_args()
    modes = a.modes.split(",")
    work = tempfile.mkdtemp(prefix="dozvon-bench-ops-")
    procs = []
    try:
        for k, name in enumerate(modes):
            import_list(a.dozvon, work, name,
                        ["+7999%d%06d" % (6 + k, i) for i in range(a.contacts)], timeout=120)
            with open(os.path.join(work, name + ".toml"), "w") as f:
                f.write(CAMPAIGN % {"name": name})
        port = start_carrier(a.dozvon, work, CARRIER, procs)
        ops = "".join(f'[[operators]]\nname = "op{i}"\npassword = "pw"\n\n'
                      for i in range(1, a.operators + 1))
        cfg = server_config(work, port, max_calls=200, cps=100, grace="5s",
                            extra='[registrar]\nlisten = "127.0.0.1:0"\n\n' + ops,
                            campaigns=[(name + ".toml", False) for name in modes])
        serve, serve_out, rport = start_operator_server(a.dozvon, work, cfg, procs, progress="10s")
        start_phones(a.dozvon, work, a.operators, rport, procs)
        status = partial(agent_status, a.dozvon, cfg)
        wait_for(lambda: all(x["registered"] for x in status().values()), 30, "phones registered")
        for i in range(1, a.operators + 1):
            agent(a.dozvon, cfg, "login", f"op{i}", "--ready")
        wait_for(lambda: all(x["line"] for x in status().values()), 30, "nailed-up lines")

        con = db(work)
        for name in modes:
            run([a.dozvon, "campaign", "start", "--config", cfg, name], 20)
            wait_for(lambda: con.execute("SELECT state FROM campaigns WHERE name = ?",
                                         (name,)).fetchone()[0] == "finished", 1800,
                     lambda: name + " to finish: " + read(serve_out)[-1500:])
        stop(serve)
        for p in procs:
            stop(p)

        answered_by_sim = set()
        with open(os.path.join(work, "calls.log")) as f:
            for line in f:
                answered_by_sim.add(json.loads(line)["attempt"])
        # Every call the customers' simulator answered has its answered attempt in the store.
        stored = {str(r[0]) for r in con.execute(
            "SELECT id FROM attempts WHERE answered_at IS NOT NULL")}
        print(f"calls the simulator answered: {len(answered_by_sim)}, without an answered "
              f"attempt: {len(answered_by_sim - stored)}")
        for name in modes:
            rows = con.execute("SELECT a.* FROM attempts a JOIN campaigns c ON c.id = "
                               "a.campaign_id WHERE c.name = ?", (name,)).fetchall()
            live = [r for r in rows if r["answered_at"] is not None]
            bridged = [r for r in live if r["agent"]]
            played = [r for r in live if r["outcome"] == "abandoned" and
                      "abandon message played" in r["reason"]]
            hung_up_waiting = [r for r in live if r["outcome"] == "abandoned" and
                               r not in played]
            lost = len(live) - len(bridged) - len(played) - len(hung_up_waiting)
            ms = sorted(r["connect_ms"] for r in bridged if r["connect_ms"] is not None)
            if not ms:
                fail(f"{name}: nothing bridged")
            abandoned = len(played) + len(hung_up_waiting)
            print(f"{name}: operators {a.operators}, attempts {len(rows)}, answered {len(live)}, "
                  f"bridged {len(bridged)} (connect ms measured {len(ms)}), abandon message "
                  f"{len(played)}, hung up while waiting {len(hung_up_waiting)}, abandon rate "
                  f"{100.0 * abandoned / max(1, len(live)):.2f}%, lost {lost}")
            print(f"{name}: connect ms p50 {pct(ms, 0.5)} p90 {pct(ms, 0.9)} p99 {pct(ms, 0.99)} "
                  f"max {ms[-1]}; within 50 ms {sum(1 for x in ms if x < 50)} of {len(ms)}")
            # The bridge alone: the operator assigned (on_call event) to the first frame of
            # their audio sent to the customer. Equal to the above unless customers queued.
            on_call = dict(con.execute("SELECT attempt_id, at FROM agent_events WHERE "
                                       "to_state = 'on_call'").fetchall())
            bridge = sorted(max(0, r["answered_at"] + r["connect_ms"] - on_call[r["id"]])
                            for r in bridged if r["connect_ms"] is not None and r["id"] in on_call)
            waited = sum(1 for r in bridged if r["id"] in on_call and
                         on_call[r["id"]] - r["answered_at"] > 50)
            print(f"{name}: bridge ms (operator assigned to audio) p50 {pct(bridge, 0.5)} p99 "
                  f"{pct(bridge, 0.99)} max {bridge[-1]}; customers who waited > 50 ms for an "
                  f"operator {waited}")
    finally:
        for p in procs:
            stop(p)
        cleanup(work, None)


if __name__ == "__main__":
    main()
