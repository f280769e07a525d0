"""Helpers for the end-to-end tests and the benchmarks that drive real processes: a carrier
simulator and `dozvon serve` on 127.0.0.1 (ephemeral ports), and the store read back with
sqlite3. Every wait is bounded."""
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# Processes a test relies on: a wait fails at once when one of them exits, and a timed-out
# wait shows where each live one is stuck (a hang and a crash look alike from the store).
_watched = []  # (name, Popen)


def watch(name, proc):
    _watched.append((name, proc))


def _stacks(proc):
    """Every thread's stack of a live process, via gdb when the machine has it."""
    if not shutil.which("gdb"):
        return "(no gdb on this machine)"
    try:
        r = subprocess.run(["gdb", "-p", str(proc.pid), "-batch", "-nx", "-ex",
                            "thread apply all bt 25"], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "(gdb timed out)"
    return "\n".join(line for line in r.stdout.splitlines() if line.startswith(("#", "Thread")))


def fail(msg):
    for name, proc in _watched:
        if proc.poll() is None:
            msg += f"\n--- {name} (pid {proc.pid}) is still running; its threads:\n{_stacks(proc)}"
        else:
            msg += f"\n--- {name} exited with {proc.returncode}"
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


class Sim:
    """`dozvon carrier-sim` with an answered-calls log."""

    def __init__(self, dozvon, workdir, profile_text):
        self.profile = os.path.join(workdir, "carrier.toml")
        with open(self.profile, "w") as f:
            f.write(profile_text)
        self.answered_log = os.path.join(workdir, "answered.log")
        self.out = open(os.path.join(workdir, "sim.out"), "a+")  # as in start()
        self.proc = subprocess.Popen(
            [dozvon, "carrier-sim", "--listen", "127.0.0.1:0", "--profile", self.profile,
             "--answered-log", self.answered_log],
            stdout=self.out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.port = None
        for _ in range(100):
            self.out.seek(0)
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.out.read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        if not self.port:
            self.stop()
            fail("carrier-sim did not start")

    def answered(self):
        """(number, attempt id) for every call the simulator answered."""
        if not os.path.exists(self.answered_log):
            return []
        with open(self.answered_log) as f:
            return [tuple(line.strip().split(",", 1)) for line in f if line.strip()]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def server_config(workdir, port, campaign_file=None, max_calls=100, cps=50, grace="10s",
                  campaigns=(), extra="", engine_extra=""):
    """dozvon.toml: one trunk to the simulator, `extra` (e.g. [registrar] and [[operators]]),
    `engine_extra` lines in [engine], `campaign_file` started at start-up and `campaigns` as
    (file, start) pairs."""
    listed = ([(campaign_file, True)] if campaign_file else []) + list(campaigns)
    path = os.path.join(workdir, "dozvon.toml")
    with open(path, "w") as f:
        f.write(f"""[store]
path = "test.db"

[engine]
control = "dozvon.sock"
recordings = "recordings"
tts_cache = "tts-cache"
tick = "100ms"
grace = "{grace}"
{engine_extra}

[[trunk]]
name = "carrier"
host = "127.0.0.1"
port = {port}
max_calls = {max_calls}
cps = {cps}

{extra}""")
        for file, start in listed:
            f.write(f'\n[[campaign]]\nfile = "{file}"\nstart = {"true" if start else "false"}\n')
    return path


def run(cmd, timeout, check=True):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       stdin=subprocess.DEVNULL, timeout=timeout)
    if check and p.returncode != 0:
        fail(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}")
    return p


def import_list(dozvon, work, name, phones, zone="Europe/Moscow", timeout=60):
    """Writes `name`.csv (phone, name, amount, timezone) and imports it as list `name` into
    work/test.db."""
    path = os.path.join(work, name + ".csv")
    with open(path, "w") as f:
        f.write("phone,name,amount,timezone\n")
        for i, p in enumerate(phones):
            f.write(f"{p},Имя{i},{100 + i},{zone}\n")
    run([dozvon, "import", "--db", os.path.join(work, "test.db"), "--list", name,
         "--country", "RU", path], timeout)


def db(workdir):
    con = sqlite3.connect(os.path.join(workdir, "test.db"))
    con.row_factory = sqlite3.Row
    return con


def cleanup(work, sim):
    """Stops the simulator and removes the work folder (kept when DOZVON_KEEP is set)."""
    if sim:
        sim.stop()
    if os.environ.get("DOZVON_KEEP"):
        print("kept " + work)
    else:
        shutil.rmtree(work, ignore_errors=True)


def wait_for(pred, seconds, what):
    """Polls `pred` until it returns something true (returned) or `seconds` pass (fail).
    `what` names the wait; a function is called only on failure, so what it reports (a log's
    tail, the store) is as the wait ended, not as it began."""
    def said():
        return what() if callable(what) else what
    end = time.time() + seconds
    while time.time() < end:
        for name, proc in _watched:
            if proc.poll() is not None:
                fail(f"{name} exited with {proc.returncode} while waiting for {said()}")
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    fail("timed out waiting for " + said())


def start(cmd, out_path):
    """A process with stdout and stderr in `out_path`; returns it and the open output file.
    Append mode: the child shares the file's offset, so `read` seeking to the start would
    otherwise make the child's next lines overwrite the log's head."""
    out = open(out_path, "a+")
    return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL), out


def read(f):
    f.seek(0)
    return f.read()


def stop(p):
    """SIGTERM, then SIGKILL after 20 s."""
    _watched[:] = [(n, q) for n, q in _watched if q is not p]
    if p and p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def kill(p):
    """SIGKILL, as a crash would end it: no goodbye (a phone stays registered, unanswering)."""
    _watched[:] = [(n, q) for n, q in _watched if q is not p]
    if p and p.poll() is None:
        p.kill()
        p.wait(timeout=10)


def tone_wav(path, hz, seconds):
    """An 8 kHz mono WAV of a steady tone (whole Hz, whole seconds: one second repeated)."""
    import struct
    import wave
    w = wave.open(path, "wb")
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(8000)
    one = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / 8000)))
                   for i in range(8000))
    w.writeframes(one * int(seconds))
    w.close()


def start_carrier(dozvon, work, profile_text, procs):
    """`carrier-sim` playing customers from `profile_text`; what each answered customer heard
    goes to calls.log. Appended to `procs`; returns its SIP port."""
    profile = os.path.join(work, "carrier.toml")
    with open(profile, "w") as f:
        f.write(profile_text)
    p, out = start([dozvon, "carrier-sim", "--listen", "127.0.0.1:0", "--profile", profile,
                    "--calls-log", os.path.join(work, "calls.log")],
                   os.path.join(work, "carrier.out"))
    procs.append(p)
    watch("carrier-sim", p)
    return wait_for(lambda: re.search(r"listening on 127\.0\.0\.1:(\d+)", read(out)), 10,
                    "carrier-sim").group(1)


def start_operator_server(dozvon, work, cfg, procs, progress="5s"):
    """`dozvon serve` for a config with a [registrar]. Appended to `procs`; returns its output
    file and the registrar's port."""
    p, out = start([dozvon, "serve", "--config", cfg, "--progress", progress],
                   os.path.join(work, "serve.out"))
    procs.append(p)
    watch("dozvon serve", p)
    port = wait_for(lambda: re.search(r"registrar for \d+ operator\(s\) on 127\.0\.0\.1:(\d+)",
                                      read(out)), 30, "dozvon serve").group(1)
    return p, out, port


def start_phones(dozvon, work, n, registrar_port, procs):
    """`carrier-sim --operators n`: phones op1..opN (password "pw") that register and
    auto-answer; what each heard goes to operators.log. Appended to `procs`."""
    p, _ = start([dozvon, "carrier-sim", "--listen", "127.0.0.1:0", "--operators", str(n),
                  "--operator-prefix", "op", "--registrar", f"127.0.0.1:{registrar_port}",
                  "--operator-password", "pw", "--operators-log",
                  os.path.join(work, "operators.log")], os.path.join(work, "phones.out"))
    procs.append(p)
    watch("operators' phones", p)


def operators_with_phones(dozvon, work, carrier_port, n, skill, campaigns, procs, reach="nailed",
                          **server_kw):
    """`dozvon serve` with a registrar and operators op1..opN (password "pw", `skill`, `reach`),
    their simulated phones registered (start_phones). Returns the server's process, the
    config's path, the server's output file, the phones' process, and `agent` and
    `agent_status` bound to the config."""
    ops = "".join(f'[[operators]]\nname = "op{i}"\npassword = "pw"\nskills = ["{skill}"]\n'
                  f'reach = "{reach}"\n\n' for i in range(1, n + 1))
    cfg = server_config(work, carrier_port, extra='[registrar]\nlisten = "127.0.0.1:0"\n\n' + ops,
                        campaigns=campaigns, **server_kw)
    serve, serve_out, rport = start_operator_server(dozvon, work, cfg, procs)
    start_phones(dozvon, work, n, rport, procs)
    act = lambda *args, **kw: agent(dozvon, cfg, *args, **kw)  # noqa: E731
    status = lambda: agent_status(dozvon, cfg)  # noqa: E731
    wait_for(lambda: all(a["registered"] for a in status().values()), 20,
             lambda: f"{n} phones registered: " + read(serve_out))
    return serve, cfg, serve_out, procs[-1], act, status


def agent(dozvon, cfg, *args, check=True):
    """`dozvon agent VERB --config CFG ARGS...`; its output (fails the test on an error)."""
    p = run([dozvon, "agent", args[0], "--config", cfg, *args[1:]], 20, check=False)
    if check and p.returncode != 0:
        fail("dozvon agent %s: %s" % (" ".join(args), p.stdout))
    return p.stdout.strip()


def agent_status(dozvon, cfg):
    """Every operator's state, by name."""
    return {a["name"]: a for a in json.loads(agent(dozvon, cfg, "status")[3:])}
