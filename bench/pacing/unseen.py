#!/usr/bin/env python3
"""dozvon and the erlang reference on scenarios the grid does not hold.

grid.py's cells are the ones the issue names, so a pacer could be fitted to them. This runs
other team sizes and distributions of the same reference simulator (exponential talk, talk cv
0.5 and 1.5, longer wrap-up and ring) on seeds the grid does not use, and prints per scenario
each pacer's occupancy, abandon rate and worst clock hour (means, and the max for the hour),
then the means over all runs and every run over 3% or 5% in its worst hour. Usage:
  bench/pacing/unseen.py [--dozvon build/release/dozvon] [--seeds 11,12] [--jobs 2]"""
import os
import sys
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grid import common_args, run  # noqa: E402

# (agents, answer rate, mean talk s, further simulator options)
SCENARIOS = [
    (3, 0.30, 90, ()),
    (8, 0.10, 240, ("--ring-mean", "15")),
    (10, 0.20, 120, ("--talk-dist", "exp")),
    (10, 0.45, 45, ("--talk-cv", "1.5")),
    (30, 0.50, 30, ("--talk-cv", "0.5")),
    (50, 0.25, 90, ("--talk-dist", "exp", "--wrap-mean", "30")),
]


def main():
    ap = common_args()
    ap.set_defaults(seeds="11,12")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    jobs, tags = [], []
    for i, (n, p, t, extra) in enumerate(SCENARIOS):
        for seed in seeds:
            jobs.append((a.sim, "external", a.dozvon + " pace", n, p, t, seed, a.hours) + extra)
            jobs.append((a.sim, "erlang", None, n, p, t, seed, a.hours) + extra)
            tags += [i, i]
    with Pool(a.jobs) as pool:
        rows = pool.map(run, jobs, chunksize=1)
    print("| N | p | talk | options | dozvon occ % | aband % | worst-hr % | erlang occ % | aband % | worst-hr % |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    over, total = [], {"dozvon": [], "erlang": []}
    for i, (n, p, t, extra) in enumerate(SCENARIOS):
        cells = []
        for pacer in ("dozvon", "erlang"):
            rs = [r for r, tag in zip(rows, tags) if tag == i and r["pacer"] == pacer]
            total[pacer] += [r["occupancy"] for r in rs]
            for r in rs:
                if r["abandon_rate"] > 0.03 or r["worst_hour_abandon"] > 0.05:
                    over.append("%s (%d, %.2f, %d %s) seed %d: abandon %.2f%%, worst hour %.2f%%" % (
                        pacer, n, p, t, " ".join(extra), r["seed"], 100 * r["abandon_rate"],
                        100 * r["worst_hour_abandon"]))
            mean = lambda f: 100 * sum(r[f] for r in rs) / len(rs)
            cells.append("%.1f | %.2f | %.2f" % (mean("occupancy"), mean("abandon_rate"),
                                                 100 * max(r["worst_hour_abandon"] for r in rs)))
        print("| %d | %.2f | %d | %s | %s | %s |" % (n, p, t, " ".join(extra) or "-", cells[0], cells[1]))
    print()
    print("mean occupancy: dozvon %.1f%%, erlang %.1f%%" % tuple(
        100 * sum(v) / len(v) for v in (total["dozvon"], total["erlang"])))
    print("runs over 3%% or over 5%% in the worst hour: %d" % len(over))
    for o in over:
        print("  - " + o)


if __name__ == "__main__":
    main()
