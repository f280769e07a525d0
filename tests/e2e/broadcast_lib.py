"""Helpers for the broadcast end-to-end tests: a carrier simulator and `dozvon serve` as real
processes on 127.0.0.1 (ephemeral ports), and the store read back with sqlite3. Every wait is
bounded."""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


class Sim:
    """`dozvon carrier-sim` with an answered-calls log."""

    def __init__(self, dozvon, workdir, profile_text):
        self.profile = os.path.join(workdir, "carrier.toml")
        with open(self.profile, "w") as f:
            f.write(profile_text)
        self.answered_log = os.path.join(workdir, "answered.log")
        self.out = open(os.path.join(workdir, "sim.out"), "w+")
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


def server_config(workdir, port, campaign_file, max_calls=100, cps=50, grace="10s"):
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

[[trunk]]
name = "carrier"
host = "127.0.0.1"
port = {port}
max_calls = {max_calls}
cps = {cps}

[[campaign]]
file = "{campaign_file}"
start = true
""")
    return path


def run(cmd, timeout, check=True):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       stdin=subprocess.DEVNULL, timeout=timeout)
    if check and p.returncode != 0:
        fail(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}")
    return p


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
