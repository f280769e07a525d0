#!/usr/bin/env python3
"""dozvon against the erlang reference on the grid's cells over many seeds, paired by seed.

The grid's three seeds leave a cell's mean occupancy uncertain by about a point at 5 agents,
so one seed's shortfall there says little. This runs both pacers on the same leads for every
seed given and prints, per cell, each one's mean occupancy, abandon rate (mean and max) and
worst clock hour (max), and the paired difference with its standard error. Usage:
  bench/pacing/paired.py [--dozvon build/release/dozvon] [--agents 5] [--seeds 1-12] [--jobs 2]"""
import os
import statistics
import sys
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grid import common_args, run  # noqa: E402


def seed_list(text):
    """"1-12" or "1,2,3"."""
    if "-" in text:
        lo, hi = (int(x) for x in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(x) for x in text.split(",")]


def main():
    ap = common_args()
    ap.set_defaults(seeds="1-12")
    ap.add_argument("--agents", default="5")
    a = ap.parse_args()
    seeds = seed_list(a.seeds)
    cells = [(n, p, t) for n in [int(x) for x in a.agents.split(",")] for p in (0.15, 0.3, 0.6)
             for t in (60, 180)]
    jobs = [(a.sim, pacer, a.dozvon + " pace" if pacer == "external" else None, n, p, t, s, a.hours)
            for (n, p, t) in cells for s in seeds for pacer in ("external", "erlang")]
    with Pool(a.jobs) as pool:
        rows = pool.map(run, jobs, chunksize=1)
    by = {(r["agents"], r["answer_rate"], r["talk_mean"], r["pacer"], r["seed"]): r for r in rows}
    print("| N | p | talk | dozvon occ % | aband % (max) | worst-hr % | erlang occ % | aband % (max) | worst-hr % | paired diff (se) | seeds dozvon below |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    diffs = []
    for (n, p, t) in cells:
        cols, runs = [], {}
        for pacer in ("dozvon", "erlang"):
            rs = [by[(n, p, float(t), pacer, s)] for s in seeds]
            runs[pacer] = rs
            ab = [100 * r["abandon_rate"] for r in rs]
            cols.append("%.1f | %.2f (%.2f) | %.2f" % (
                statistics.mean(100 * r["occupancy"] for r in rs), statistics.mean(ab), max(ab),
                100 * max(r["worst_hour_abandon"] for r in rs)))
        d = [100 * (o["occupancy"] - e["occupancy"]) for o, e in zip(runs["dozvon"], runs["erlang"])]
        diffs += d
        se = statistics.stdev(d) / len(d) ** 0.5 if len(d) > 1 else float("nan")
        print("| %d | %.2f | %d | %s | %s | %+.2f (%.2f) | %d of %d |" % (
            n, p, t, cols[0], cols[1], statistics.mean(d), se, sum(x < 0 for x in d), len(d)))
    se = statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else float("nan")
    print()
    print("paired difference over all runs: %+.2f points (se %.2f, %d runs)" % (
        statistics.mean(diffs), se, len(diffs)))


if __name__ == "__main__":
    main()
