#!/usr/bin/python3
"""Operator campaigns end to end over loopback SIP. `dozvon serve` runs the registrar; five
operators register with digest auth (four simulated phones in one `carrier-sim --operators 4`,
one real baresip whose password is stored with `dozvon operator passwd` instead of in the
config), log in with `dozvon agent login --ready`, and get nailed-up legs. The carrier
simulator plays 1,000 customers who "speak" a 450 Hz tone in bursts.

  1. preview and dispositions: one operator previews four contacts, skips one and dials three;
     the test gives each wrap-up a code: a callback at 18:00 in the contact's zone,
     do-not-call, call again in 2 h;
  2. a progressive campaign of 500 contacts finishes;
  3. a predictive campaign of 500 contacts finishes; halfway, baresip quits (it unregisters
     and hangs up its leg) and never gets another customer.

Checked from the store and from both far ends: every customer who answered was bridged to
exactly one operator (and heard that operator) or heard the abandon message; operators heard
the customers; the abandon rate is at or under the cap; every connect was within the 2 s
connect limit."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from functools import partial

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from broadcast_lib import (agent, agent_status, cleanup, db, fail, import_list, read,  # noqa: E402
                           run, server_config, start, start_carrier,
                           start_operator_server, start_phones, stop, tone_wav,
                           wait_for)

DOZVON = sys.argv[1]
N = 500  # contacts per sales campaign

CARRIER = """seed = 11
[shares]
answer = 0.65
busy = 0.15
no_answer = 0.05
invalid = 0.1
rejected = 0.05
congestion = 0.0
[ring]
mean = 0.6
cv = 0.3
[talk]
mean = 1.2
cv = 0.2
voice_hz = 450
[numbers]
"+79995000001" = { behaviour = "answer", ring = 0.3, talk = 1.5 }
"+79995000002" = { behaviour = "answer", ring = 0.3, talk = 1.5 }
"+79995000003" = { behaviour = "answer", ring = 0.3, talk = 1.5 }
"+79995000004" = { behaviour = "answer", ring = 0.3, talk = 1.5 }
"""

SALES = """name = "%(name)s"
mode = "%(mode)s"
lists = ["%(list)s"]
max_attempts = 2
ring_timeout = "5s"
default_timezone = "Europe/Moscow"

[window]
weekdays = ["00:00-24:00"]
weekends = ["00:00-24:00"]

[retry]
busy = { after = "1s" }
no_answer = { after = "1s" }
rejected = "strike"
abandoned = { after = "1s" }
# A call that fails (a transport error on a loaded machine) is retried like the others, not
# after the default 30 minutes that would keep the campaign from finishing; each one is
# reported with its reason below.
failed = { after = "1s" }

[pacing]
max_abandon_rate = 0.03
abandon_window = "campaign"
connect_limit = "2s"

[operators]
skill = "sales"
abandon_message = "Это компания Акме. Перезвоните нам по номеру восемь восемьсот."
wrapup_timeout = "150ms"
script = "Здравствуйте! Компания Акме."
"""

DISPO = """name = "dispo"
mode = "preview"
lists = ["dispo"]
max_attempts = 3
ring_timeout = "5s"

[window]
weekdays = ["00:00-24:00"]
weekends = ["00:00-24:00"]

[operators]
skill = "callbacks"
abandon_message = "Это компания Акме."
wrapup_timeout = "60s"
"""


def main():
    work = tempfile.mkdtemp(prefix="dozvon-e2e-ops-")
    procs = []
    try:
        import_list(DOZVON, work, "dispo", ["+7999500000%d" % i for i in (1, 2, 3, 4)],
                    "Asia/Yekaterinburg")
        import_list(DOZVON, work, "prog", ["+7999510%04d" % i for i in range(N)])
        import_list(DOZVON, work, "pred", ["+7999520%04d" % i for i in range(N)])
        for name, mode, lst in (("prog", "progressive", "prog"), ("pred", "predictive", "pred")):
            with open(os.path.join(work, name + ".toml"), "w") as f:
                f.write(SALES % {"name": name, "mode": mode, "list": lst})
        with open(os.path.join(work, "dispo.toml"), "w") as f:
            f.write(DISPO)
        port = start_carrier(DOZVON, work, CARRIER, procs)

        ops = "".join(f'[[operators]]\nname = "op{i}"\npassword = "pw"\nskills = ["sales"%s]\n\n'
                      % (', "callbacks"' if i == 1 else "") for i in range(1, 5))
        # op5 has no password in the config: its credential is the one stored below.
        ops += '[[operators]]\nname = "op5"\nskills = ["sales"]\n\n'
        cfg = server_config(work, port, max_calls=100, cps=100, grace="5s",
                            extra='[registrar]\nlisten = "127.0.0.1:0"\n\n' + ops,
                            campaigns=[("dispo.toml", True), ("prog.toml", False),
                                       ("pred.toml", False)])
        p = subprocess.run([DOZVON, "operator", "passwd", "--config", cfg, "op5"],
                           input="baresip-secret\n", capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            fail("operator passwd: " + p.stdout + p.stderr)
        listed = run([DOZVON, "operator", "list", "--config", cfg], 30).stdout.splitlines()
        if "op1,config,dozvon," not in listed or not any(
                line.startswith("op5,stored,dozvon,") for line in listed):
            fail("operator list: " + "\n".join(listed))
        ha1 = db(work).execute("SELECT ha1 FROM operator_credentials WHERE name = 'op5'").fetchone()
        if not ha1 or ha1[0] != hashlib.md5(b"op5:dozvon:baresip-secret").hexdigest():
            fail("the stored credential is not op5's HA1: %r" % (ha1,))
        serve, serve_out, rport = start_operator_server(DOZVON, work, cfg, procs)
        act, status = partial(agent, DOZVON, cfg), partial(agent_status, DOZVON, cfg)

        # Operators' phones: four simulated ones (op1..op4) in one process.
        start_phones(DOZVON, work, 4, rport, procs)
        # baresip as op5: digest auth, auto-answer, "says" 660 Hz, writes down what it hears.
        bs = os.path.join(work, "bs")
        os.makedirs(os.path.join(bs, "snd"))
        # baresip ends a call when its aufile source runs out: longer than the whole test.
        tone_wav(os.path.join(bs, "say8k.wav"), 660, 1200)
        with open(os.path.join(bs, "config"), "w") as f:
            f.write(f"""poll_method\t\tepoll
sip_listen\t\t127.0.0.1:0
net_interface\t\t127.0.0.1
module_path\t\t/usr/lib/baresip/modules
module\t\t\tg711.so
module\t\t\taufile.so
module\t\t\tsndfile.so
module_app\t\taccount.so
audio_player\t\taufile,{bs}/heard.wav
audio_source\t\taufile,{bs}/say8k.wav
snd_path\t\t{bs}/snd
""")
        with open(os.path.join(bs, "accounts"), "w") as f:
            f.write(f"<sip:op5@127.0.0.1:{rport}>;auth_pass=baresip-secret;regint=60;"
                    "answermode=auto\n")
        baresip, _ = start(["baresip", "-f", bs], os.path.join(work, "baresip.out"))
        procs.append(baresip)
        wait_for(lambda: all(a["registered"] for a in status().values()), 20,
                 lambda: "five phones registered: " + read(serve_out))

        # Every operator logs in and is ready once its nailed-up line is up.
        for i in range(1, 6):
            act("login", f"op{i}", "--ready")
        wait_for(lambda: all(a["line"] for a in status().values()), 20,
                 lambda: "five nailed-up lines: " + json.dumps(status()))

        # 1. Preview, and dispositions drive the retries (only op1 has the "callbacks" skill).
        con = db(work)
        card = json.loads(act("preview", "op1")[3:])
        if card["phone"] != "+79995000001" or card["fields"]["name"] != "Имя0" or \
                status()["op1"]["state"] != "reserved":
            fail(f"preview card: {card} {status()['op1']}")
        if not act("skip", "op1").startswith("ok op1 skipped; ready"):
            fail("skip")
        skipped = wait_for(lambda: con.execute(
            "SELECT state, next_attempt_at, state_reason FROM contacts WHERE phone_e164 = "
            "'+79995000001' AND state_reason LIKE 'skipped by operator op1%'").fetchone(),
            10, "the skipped contact rescheduled")
        # Never called, so still "new", but not due for 10 minutes.
        if skipped["state"] != "new" or \
                abs(skipped["next_attempt_at"] / 1000 - time.time() - 600) > 30:
            fail(f"skipped: {dict(skipped)}")
        given = {}
        for code in ("callback", "dnc", "call_again"):
            card = json.loads(act("preview", "op1")[3:])
            if card["phone"] in given or card["phone"] == "+79995000001":
                fail(f"preview showed a contact again: {card}")
            if not act("dial", "op1").startswith("ok op1 dialling " + card["phone"]):
                fail("dial")
            a = wait_for(lambda: status()["op1"]["state"] == "wrap_up" and status()["op1"],
                         30, "op1 in wrap-up")
            phone = a["card"]["phone"]
            args = ["disposition", "op1", code] + (["--at", "18:00"] if code == "callback" else [])
            out = act(*args)
            if not out.startswith("ok op1 " + code):
                fail("disposition: " + out)
            given[phone] = code
            wait_for(lambda: status()["op1"]["state"] != "wrap_up", 10, "wrap-up ended")
        bad = act("disposition", "op1", "sale", check=False)
        if "not in wrap-up" not in bad:
            fail("a disposition outside wrap-up must be refused: " + bad)
        wait_for(lambda: con.execute("SELECT count(*) FROM attempts a JOIN campaigns c ON "
                                     "c.id = a.campaign_id WHERE c.name = 'dispo' AND "
                                     "a.disposition IN ('callback','dnc','call_again')")
                 .fetchone()[0] == 3, 10, "dispositions stored")
        for phone, code in given.items():
            ct = con.execute("SELECT state, next_attempt_at, state_reason FROM contacts "
                             "WHERE phone_e164 = ?", (phone,)).fetchone()
            at = con.execute("SELECT disposition, callback_at, agent FROM attempts WHERE "
                             "phone_e164 = ?", (phone,)).fetchone()
            if at["disposition"] != code or at["agent"] != "op1":
                fail(f"{phone}: attempt {dict(at)}")
            if code == "callback":
                # 18:00 in Asia/Yekaterinburg (UTC+5) is 13:00 UTC.
                t = time.gmtime(ct["next_attempt_at"] / 1000)
                if ct["state"] != "scheduled" or (t.tm_hour, t.tm_min) != (13, 0) or \
                        at["callback_at"] != ct["next_attempt_at"]:
                    fail(f"callback: {dict(ct)} {dict(at)}")
            elif code == "dnc":
                if ct["state"] != "struck" or con.execute(
                        "SELECT count(*) FROM dnc_numbers WHERE phone_e164 = ?",
                        (phone,)).fetchone()[0] != 1:
                    fail(f"dnc: {dict(ct)}")
            else:
                ended = con.execute("SELECT ended_at FROM attempts WHERE phone_e164 = ?",
                                    (phone,)).fetchone()[0]
                if ct["state"] != "scheduled" or abs(ct["next_attempt_at"] - ended - 7200000) > 1000:
                    fail(f"call_again: {dict(ct)} ended {ended}")
        if con.execute("SELECT count(*) FROM attempts WHERE phone_e164 = '+79995000001'")\
                .fetchone()[0] != 0:
            fail("the skipped contact was dialled")
        print("ok preview (card, skip, dial) and dispositions: callback at 18:00 local, "
              "do-not-call, call again in 2 h")

        # 2. Progressive, then 3. predictive; baresip quits halfway through the predictive one.
        def finished(name):
            return con.execute("SELECT state FROM campaigns WHERE name = ?",
                               (name,)).fetchone()[0] == "finished"

        def unfinished(name):
            """What keeps a campaign from finishing: its open contacts and failed attempts."""
            left = con.execute("SELECT c.phone_e164, c.state, c.next_attempt_at, c.state_reason "
                               "FROM contacts c JOIN lists l ON l.id = c.list_id WHERE l.name = ? "
                               "AND c.state NOT IN ('done', 'struck') LIMIT 10",
                               (name,)).fetchall()
            return (f"{name} to finish; open contacts {[tuple(r) for r in left]}; "
                    f"failed attempts {failed(name)}; serve's log ends: "
                    + read(serve_out)[-2000:])

        def failed(name):
            return [tuple(r) for r in con.execute(
                "SELECT a.phone_e164, a.reason FROM attempts a JOIN campaigns c ON c.id = "
                "a.campaign_id WHERE c.name = ? AND a.outcome = 'failed'", (name,))]

        def answered_by(name, op):
            return con.execute("SELECT count(*) FROM attempts a JOIN campaigns c ON c.id = "
                               "a.campaign_id WHERE c.name = ? AND a.agent = ?",
                               (name, op)).fetchone()[0]

        run([DOZVON, "campaign", "start", "--config", cfg, "prog"], 20)
        wait_for(lambda: finished("prog"), 400, lambda: unfinished("prog"))
        if answered_by("prog", "op5") == 0:
            fail("baresip (op5) took no customer in the progressive campaign")
        run([DOZVON, "campaign", "start", "--config", cfg, "pred"], 20)
        wait_for(lambda: con.execute("SELECT count(*) FROM attempts a JOIN campaigns c ON c.id "
                                     "= a.campaign_id WHERE c.name = 'pred'").fetchone()[0]
                 > N // 2, 300, "half the predictive campaign")
        if not status()["op5"]["line"]:
            fail("baresip's nailed-up leg dropped before it quit: " + json.dumps(status()["op5"]))
        baresip.send_signal(signal.SIGTERM)
        wait_for(lambda: status()["op5"]["state"] == "paused" and
                 not status()["op5"]["registered"], 20,
                 lambda: "op5 paused and unregistered: " + json.dumps(status()["op5"]))
        gone_ms = int(time.time() * 1000)
        wait_for(lambda: finished("pred"), 400, lambda: unfinished("pred"))
        stop(serve)
        for p in procs:
            stop(p)

        # The store, the operators' events and both far ends agree.
        calls = {}
        with open(os.path.join(work, "calls.log")) as f:
            for line in f:
                c = json.loads(line)
                calls[c["attempt"]] = c
        on_call = {}
        for (attempt, agent_name) in con.execute(
                "SELECT attempt_id, agent FROM agent_events WHERE to_state = 'on_call'"):
            on_call.setdefault(str(attempt), []).append(agent_name)
        for name in ("prog", "pred"):
            rows = con.execute("SELECT a.* FROM attempts a JOIN campaigns c ON c.id = "
                               "a.campaign_id WHERE c.name = ?", (name,)).fetchall()
            states = dict(con.execute("SELECT c.state, count(*) FROM contacts c JOIN lists l ON "
                                      "l.id = c.list_id WHERE l.name = ? GROUP BY 1",
                                      (name,)).fetchall())
            if set(states) - {"done", "struck"}:
                fail(f"{name}: contacts left: {states}")
            live = [r for r in rows if r["answered_at"] is not None]
            bridged = [r for r in live if r["agent"]]
            abandoned = [r for r in live if r["outcome"] == "abandoned"]
            if len(bridged) + len(abandoned) != len(live):
                fail(f"{name}: {len(live)} answered, {len(bridged)} bridged, "
                     f"{len(abandoned)} abandoned")
            talked = gone_at_connect = 0
            for r in bridged:
                aid = str(r["id"])
                if on_call.get(aid) != [r["agent"]]:
                    fail(f"attempt {aid}: operators {on_call.get(aid)} vs {r['agent']}")
                if r["outcome"] != "answered":
                    fail(f"attempt {aid}: {dict(r)}")
                if r["connect_ms"] is None:
                    # The customer hung up within the bridge's first frame: allowed, said so.
                    if "hung up as operator" not in r["reason"]:
                        fail(f"attempt {aid}: bridged without a connect time: {dict(r)}")
                    gone_at_connect += 1
                    continue
                if r["connect_ms"] > 2200:
                    fail(f"attempt {aid}: connected after {r['connect_ms']} ms: {dict(r)}")
                heard = calls.get(aid)
                if not heard:
                    fail(f"attempt {aid}: the simulator has no record of the call")
                # The simulated operators speak 1.2 s bursts with 0.4 s pauses, so a customer
                # who hangs up within 0.8 s of the bridge may have caught only a pause.
                after_bridge = r["ended_at"] - r["answered_at"] - r["connect_ms"]
                if after_bridge >= 800:
                    talked += 1
                    if heard["heard_voice_s"] < 0.1:
                        fail(f"attempt {aid}: the customer did not hear the operator in "
                             f"{after_bridge} ms: {heard}")
            if talked < len(bridged) // 2:
                fail(f"{name}: only {talked} of {len(bridged)} bridged customers stayed 0.8 s")
            for r in abandoned:
                heard = calls.get(str(r["id"]))
                played = "abandon message played" in r["reason"]
                if played and (not heard or heard["heard_voice_s"] < 1.0):
                    fail(f"attempt {r['id']}: the abandon message was not heard: {heard}")
            rate = len(abandoned) / max(1, len(live))
            if rate > 0.03:
                fail(f"{name}: abandon rate {rate:.3f} over the 3% cap "
                     f"({len(abandoned)} of {len(live)})")
            late = [r["id"] for r in bridged if r["agent"] == "op5" and name == "pred" and
                    r["answered_at"] > gone_ms]
            if late:
                fail(f"op5 got customers after its phone unregistered: {late}")
            if gone_at_connect > len(bridged) // 20:
                fail(f"{name}: {gone_at_connect} customers hung up as they were connected")
            ms = sorted(r["connect_ms"] for r in bridged if r["connect_ms"] is not None)
            fails = failed(name)
            if len(fails) > 2:
                fail(f"{name}: {len(fails)} attempts failed: {fails}")
            print(f"ok {name}: {len(rows)} attempts, {len(live)} answered, {len(bridged)} bridged, "
                  f"{len(abandoned)} abandoned ({100 * rate:.1f}%), connect p50 "
                  f"{ms[len(ms) // 2]} ms max {ms[-1]} ms; {gone_at_connect} hung up as connected"
                  + (f"; failed and retried: {fails}" if fails else ""))
        reasons = [r[0] for r in con.execute("SELECT reason FROM agent_events WHERE agent = 'op5' "
                                             "AND to_state = 'paused'")]
        if "phone unregistered" not in reasons:
            fail(f"op5 was not paused as unregistered: {reasons}")
        # The operators heard the customers (450 Hz bursts) on their nailed-up legs.
        with open(os.path.join(work, "operators.log")) as f:
            heard = [json.loads(line) for line in f]
        if len(heard) != 4 or any(h["heard_voice_s"] < 5.0 for h in heard):
            fail(f"simulated operators heard: {heard}")
        dec = [p for p in os.listdir(os.path.join(bs, "snd")) if p.endswith("-dec.wav")]
        if not dec:
            fail("baresip wrote down nothing it heard")
        print("ok operators heard the customers; op5 paused when its phone unregistered")
    finally:
        for p in procs:
            stop(p)
        cleanup(work, None)


if __name__ == "__main__":
    main()
