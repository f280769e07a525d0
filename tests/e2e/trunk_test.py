#!/usr/bin/python3
"""A trunk the way carriers hand them out: a DNS name with SRV records (served by dnsmasq on
loopback), TCP, digest auth, and registration. `dozvon serve` registers, finds the carrier
through _sip._tcp SRV, and runs a small broadcast campaign over TCP to the end."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from broadcast_lib import cleanup, Sim, db, fail, run  # noqa: E402

DOZVON = sys.argv[1]

PROFILE = """seed = 5
[shares]
answer = 1
busy = 0
no_answer = 0
invalid = 0
rejected = 0
congestion = 0
[ring]
mean = 0.2
[talk]
mean = 0.5
[auth]
username = "acct17"
password = "s3cret"
"""

CAMPAIGN = """name = "trunk"
mode = "broadcast"
lists = ["trunk"]
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

CONFIG = """[store]
path = "test.db"

[engine]
control = "dozvon.sock"
recordings = "recordings"
tts_cache = "tts-cache"
tick = "100ms"
grace = "5s"
dns_servers = ["127.0.0.1:%d"]

[[trunk]]
name = "carrier"
host = "trunk.dozvon.test"   # no port: _sip._tcp SRV gives it
transport = "tcp"
username = "acct17"
password = "s3cret"
register = true
register_expires = "5m"
cps = 20

[[campaign]]
file = "%s"
start = true
"""


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    work = tempfile.mkdtemp(prefix="dozvon-e2e-trunk-")
    sim = dns = None
    try:
        sim = Sim(DOZVON, work, PROFILE)
        dport = free_udp_port()
        dns = subprocess.Popen(
            ["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
             "--conf-file=/dev/null", "--pid-file=", "--user=root", "--bind-interfaces",
             "--listen-address=127.0.0.1", f"--port={dport}",
             "--host-record=sip1.trunk.dozvon.test,127.0.0.1",
             f"--srv-host=_sip._tcp.trunk.dozvon.test,sip1.trunk.dozvon.test,{sim.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        time.sleep(0.3)
        if dns.poll() is not None:
            fail("dnsmasq did not start")
        with open(os.path.join(work, "c.csv"), "w") as f:
            f.write("phone,timezone\n" + "".join(
                "+79995%06d,Europe/Moscow\n" % i for i in range(20)))
        with open(os.path.join(work, "s.toml"), "w") as f:
            f.write('voice = "en"\n[[step]]\nsay = "Hello."\n')
        campaign = os.path.join(work, "campaign.toml")
        with open(campaign, "w") as f:
            f.write(CAMPAIGN % os.path.join(work, "s.toml"))
        cfg = os.path.join(work, "dozvon.toml")
        with open(cfg, "w") as f:
            f.write(CONFIG % (dport, campaign))
        run([DOZVON, "import", "--db", os.path.join(work, "test.db"), "--list", "trunk",
             os.path.join(work, "c.csv")], timeout=30)
        p = run([DOZVON, "serve", "--config", cfg, "--exit-when-done", "--max-run", "90s"],
                timeout=120, check=False)
        if p.returncode != 0:
            fail(f"serve exited {p.returncode}:\n{p.stdout}")
        con = db(work)
        rows = con.execute("SELECT outcome, COUNT(*) n FROM attempts GROUP BY outcome").fetchall()
        by = {r["outcome"]: r["n"] for r in rows}
        if by.get("answered") != 20:
            fail(f"expected 20 answered attempts over the TCP trunk, got {by}\n{p.stdout}")
        con.close()
        sim.stop()
        sim.out.seek(0)
        stats = [json.loads(l) for l in sim.out.read().splitlines() if l.startswith("{")][-1]
        sim = None
        # Every INVITE came over TCP (found through SRV), and we registered with digest.
        if stats["invites"] < 20 or stats["tcp_invites"] != stats["invites"]:
            fail(f"not every INVITE came over TCP: {stats}")
        if stats["registers"] < 1:
            fail(f"the trunk saw no authenticated REGISTER: {stats}")
        print(f"ok: registered, 20 calls over TCP to an SRV-named trunk ({stats})")
    finally:
        if dns:
            dns.terminate()
            dns.wait(timeout=10)
        cleanup(work, sim)


if __name__ == "__main__":
    main()
