#!/usr/bin/env python3
"""Pacing benchmark: the reference simulator's grid (agents 5/20/100, answer rate 0.15/0.3/0.6,
talk 60/180 s, seeds 1-3) for `dozvon pace` and the reference pacers, side by side, with the
targets checked per cell and seed. Usage:
  bench/pacing/grid.py [--dozvon build/release/dozvon] [--sim ../shared/bench/pacing/sim.py]
                       [--jobs 2] [--seeds 1,2,3] [--hours 8] [--out results.json]
Prints a markdown table (one row per cell, means over seeds) and the target checks."""
import argparse
import json
import os
import subprocess
import sys
from multiprocessing import Pool

REFERENCE = ["progressive", "ratio", "vicidial", "erlang"]


def run(job):
    sim, pacer, cmd, n, p, talk, seed, hours = job[:8]
    args = [sys.executable, sim, "run", "--pacer", pacer, "--agents", str(n), "--answer-rate", str(p),
            "--talk-mean", str(talk), "--hours", str(hours), "--seed", str(seed)]
    if cmd:
        args += ["--cmd", cmd]
    args += list(job[8:])  # further simulator options, e.g. ("--drop-target", "0.05")
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    r = json.loads(out.splitlines()[0])
    r["pacer"] = "dozvon" if pacer == "external" else pacer
    return r


def common_args():
    """The options every pacing bench takes: binary, simulator, parallel jobs, seeds, hours."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser()
    ap.add_argument("--dozvon", default=os.path.join(root, "build/release/dozvon"))
    ap.add_argument("--sim", default=os.path.join(os.path.dirname(root), "shared/bench/pacing/sim.py"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--hours", type=float, default=8.0)
    return ap


def main():
    ap = common_args()
    ap.add_argument("--agents", default="5,20,100")
    ap.add_argument("--out")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    cells = [(n, p, t) for n in [int(x) for x in a.agents.split(",")] for p in (0.15, 0.3, 0.6)
             for t in (60, 180)]
    jobs = []
    for (n, p, t) in cells:
        for seed in seeds:
            jobs.append((a.sim, "external", a.dozvon + " pace", n, p, t, seed, a.hours))
            for ref in REFERENCE:
                jobs.append((a.sim, ref, None, n, p, t, seed, a.hours))
    with Pool(a.jobs) as pool:
        rows = pool.map(run, jobs, chunksize=1)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(rows, f, indent=1, sort_keys=True)

    def key(r):
        return (r["agents"], r["answer_rate"], r["talk_mean"])

    by = {}
    for r in rows:
        by.setdefault((key(r), r["pacer"]), []).append(r)
    print("| N | p | talk | dozvon occ % | aband % | worst-hr % | best ref (<=3%) | its occ % | erlang occ % | erlang aband % | erlang worst-hr % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    failures, ours_all, erl_all = [], [], []
    for c in cells:
        k = (c[0], c[1], float(c[2]))
        ours = by[(k, "dozvon")]
        erl = by[(k, "erlang")]
        mean = lambda rs, f: sum(x[f] for x in rs) / len(rs)
        best_name, best_occ = "-", 0.0
        for ref in REFERENCE:
            rs = by[(k, ref)]
            if all(x["abandon_rate"] <= 0.03 for x in rs) and mean(rs, "occupancy") > best_occ:
                best_name, best_occ = ref, mean(rs, "occupancy")
        for o in ours:
            seed = o["seed"]
            if o["abandon_rate"] > 0.03:
                failures.append("%s seed %d: abandon %.2f%%" % (c, seed, 100 * o["abandon_rate"]))
            if o["worst_hour_abandon"] > 0.05:
                failures.append("%s seed %d: worst hour %.2f%%" % (c, seed, 100 * o["worst_hour_abandon"]))
            for ref in REFERENCE:
                rr = [x for x in by[(k, ref)] if x["seed"] == seed][0]
                if rr["abandon_rate"] <= 0.03 and rr["occupancy"] > o["occupancy"] + 1e-9:
                    failures.append("%s seed %d: %s occupancy %.1f%% > ours %.1f%%"
                                    % (c, seed, ref, 100 * rr["occupancy"], 100 * o["occupancy"]))
        ours_all += [x["occupancy"] for x in ours]
        erl_all += [x["occupancy"] for x in erl]
        print("| %d | %.2f | %d | %.1f | %.2f | %.2f | %s | %.1f | %.1f | %.2f | %.2f |" % (
            c[0], c[1], c[2], 100 * mean(ours, "occupancy"), 100 * mean(ours, "abandon_rate"),
            100 * max(x["worst_hour_abandon"] for x in ours), best_name, 100 * best_occ,
            100 * mean(erl, "occupancy"), 100 * mean(erl, "abandon_rate"),
            100 * max(x["worst_hour_abandon"] for x in erl)))
    gain = 100 * (sum(ours_all) / len(ours_all) - sum(erl_all) / len(erl_all))
    print()
    print("mean occupancy over the grid: dozvon %.1f%%, erlang %.1f%% (difference %+.1f points; target +3)"
          % (100 * sum(ours_all) / len(ours_all), 100 * sum(erl_all) / len(erl_all), gain))
    print("per cell and seed target misses: %d" % len(failures))
    for f in failures:
        print("  - " + f)


if __name__ == "__main__":
    main()
