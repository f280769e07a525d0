#!/usr/bin/env python3
"""Occupancy against abandon rate: how much occupancy each extra point of abandons buys.

grid.py asks whether dozvon beats the reference pacers at a 3% cap. This asks what the cap
costs. It reruns a few cells of the reference simulator with the target loosened and tightened,
for dozvon (`--target T`, with the hourly guard kept at 5/3 of the target so it does not bind
first) and the erlang reference (`--drop-target T`), and reads each pacer's curve at 3.0%
realized abandons, and the abandon rate at which dozvon's occupancy would be erlang's (at its
default 3% target) plus 3 points. Usage:
  bench/pacing/frontier.py [--dozvon build/release/dozvon] [--cells 5:0.3:60,20:0.3:60]
                           [--targets 0.015,0.02,0.03,0.04,0.06] [--seeds 1,2,3] [--jobs 2]"""
import os
import sys
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grid import common_args, run  # noqa: E402


def interpolate(points, x_key, y_key, x):
    """y at x on the piecewise-linear curve through points sorted by x_key; None off the ends."""
    pts = sorted(points, key=lambda q: q[x_key])
    for a, b in zip(pts, pts[1:]):
        if a[x_key] <= x <= b[x_key] and b[x_key] > a[x_key]:
            return a[y_key] + (b[y_key] - a[y_key]) * (x - a[x_key]) / (b[x_key] - a[x_key])
    return None


def reaching(curve, goal):
    """Where a curve, walked from the tightest target up, first reaches occupancy `goal`."""
    if curve[0]["occ"] >= goal:
        return "already at %.2f%% abandons (target %g%%)" % (curve[0]["ab"], 100 * curve[0]["target"])
    for a, b in zip(curve, curve[1:]):
        if a["occ"] < goal <= b["occ"]:
            ab = a["ab"] + (b["ab"] - a["ab"]) * (goal - a["occ"]) / (b["occ"] - a["occ"])
            return "at about %.2f%% abandons" % ab
    return "at no target tried (best %.1f%%)" % max(q["occ"] for q in curve)


def main():
    ap = common_args()
    ap.add_argument("--cells", default="5:0.3:60,20:0.3:60,100:0.3:60,5:0.15:180,20:0.15:180")
    ap.add_argument("--targets", default="0.015,0.02,0.03,0.04,0.06")
    a = ap.parse_args()
    cells = [(int(n), float(p), int(t)) for n, p, t in (c.split(":") for c in a.cells.split(","))]
    targets = [float(x) for x in a.targets.split(",")]
    seeds = [int(s) for s in a.seeds.split(",")]

    jobs, labels = [], []
    for (n, p, talk) in cells:
        for target in targets:
            guard = max(0.05, target * 5.0 / 3.0)
            cmd = "%s pace --target %g --worst-hour-guard %g" % (a.dozvon, target, guard)
            for seed in seeds:
                jobs.append((a.sim, "external", cmd, n, p, talk, seed, a.hours))
                labels.append(((n, p, talk), "dozvon", target))
                jobs.append((a.sim, "erlang", None, n, p, talk, seed, a.hours,
                             "--drop-target", str(target)))
                labels.append(((n, p, talk), "erlang", target))
    with Pool(a.jobs) as pool:
        rows = pool.map(run, jobs, chunksize=1)

    curves = {}
    for (cell, pacer, target), r in zip(labels, rows):
        pt = curves.setdefault((cell, pacer), {}).setdefault(target, {"occ": [], "ab": []})
        pt["occ"].append(100 * r["occupancy"])
        pt["ab"].append(100 * r["abandon_rate"])
    print("| N | p | talk | pacer | " + " | ".join("target %g%%" % (100 * t) for t in targets)
          + " | occ % at 3.0% |")
    print("|---|---|---|---|" + "---|" * len(targets) + "---|")
    notes = []
    for cell in cells:
        pts = {}
        for pacer in ("dozvon", "erlang"):
            pts[pacer] = [{"ab": sum(v["ab"]) / len(v["ab"]), "occ": sum(v["occ"]) / len(v["occ"]),
                           "target": t} for t, v in sorted(curves[(cell, pacer)].items())]
            y = interpolate(pts[pacer], "ab", "occ", 3.0)
            print("| %d | %.2f | %d | %s | %s | %s |" % (
                cell[0], cell[1], cell[2], pacer,
                " | ".join("%.1f @ %.2f" % (q["occ"], q["ab"]) for q in pts[pacer]),
                "-" if y is None else "%.1f" % y))
        default = [q for q in pts["erlang"] if abs(q["target"] - 0.03) < 1e-9]
        if default:
            goal = default[0]["occ"] + 3.0
            notes.append("- (%d, %.2f, %d): erlang at its 3%% target %.1f%%; dozvon reaches %.1f%% %s" % (
                cell[0], cell[1], cell[2], default[0]["occ"], goal, reaching(pts["dozvon"], goal)))
    print()
    print("\n".join(notes))
    print()
    print("Cells: occupancy %% @ realized abandon %%, means over seeds %s, %g simulated hours each."
          % (a.seeds, a.hours))


if __name__ == "__main__":
    main()
