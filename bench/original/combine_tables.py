#!/usr/bin/env python3
"""Joins our benchmark tables and time_original.py's --json into one Markdown table per size.

    python3 bench/original/combine_tables.py --ours-dynamics FILE --ours-trajopt FILE --original FILE

Our tables are read by their header names, so a new column in them does not shift what is read.
Standard library only.
"""
import argparse
import json
import sys


def read_table(path):
    """The rows of the first Markdown table in the file, as dicts keyed by header."""
    with open(path) as f:
        lines = [l.strip() for l in f if l.strip().startswith("|")]
    if len(lines) < 3:
        print("combine_tables.py: %s: no Markdown table with a row; expected the output of jobs/gps benchmark"
              % path, file=sys.stderr)
        sys.exit(2)
    cells = [[c.strip() for c in l.strip("|").split("|")] for l in lines]
    header = cells[0]
    return [dict(zip(header, row)) for row in cells[2:]]


def median_of(cell):
    """'0.123 / 0.100' -> 0.123."""
    return float(cell.split("/")[0])


def seconds(s):
    """Three decimals, four below 10 ms (where the third alone would round a time by up to 10%)."""
    return ("%.4f" if s < 0.01 else "%.3f") % s


def ratio(r):
    """Two significant digits, whichever side of 1."""
    return ("%.0fx" if r >= 10 else "%.1fx" if r >= 1 else "%.2fx") % r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours-dynamics", required=True)
    ap.add_argument("--ours-trajopt", required=True)
    ap.add_argument("--original", required=True)
    a = ap.parse_args()
    dyn = {r["size"]: r for r in read_table(a.ours_dynamics)}
    traj = {r["size"]: r for r in read_table(a.ours_trajopt)}
    with open(a.original) as f:
        orig = {(r["size"], r["phase"]): r for r in json.load(f)}
    sizes = list(dict.fromkeys(r["size"] for r in orig.values()))
    for size in sizes:
        d, t = dyn[size], traj[size]
        rows = [
            ("GMM prior EM (all conditions)", median_of(d["EM s (median / min)"]), orig[(size, "EM")],
             "ours K %s, %s iterations" % (d["K"], d["EM iterations"])),
            ("per-step fits (all conditions)", median_of(d["fits s (median / min)"]), orig[(size, "fits")], ""),
            ("cost expansion (all rollouts)", median_of(t["cost expansion, s (median / min)"]),
             orig[(size, "cost expansion")], ""),
        ]
        sampled = t.get("cost expansion in the sampling tasks, s (median / min)", "-")
        if sampled != "-":
            # What a run pays for the expansion of rollouts this few: it is made in the sampling tasks.
            rows.append(("cost expansion, ours in the sampling tasks (as a run makes it)", median_of(sampled),
                         orig[(size, "cost expansion")], "ours: the tasks' time summed over tasks, and the driver's sums"))
        rows += [
            ("C-step, ours (DistributedTrajOpt)", median_of(t["C-step (DistributedTrajOpt), s (median / min)"]),
             orig[(size, "C-step")], "ours %s eta rounds" % t["eta rounds"]),
            ("C-step, ours in one driver thread", median_of(t["C-step in one driver thread, s (median / min)"]),
             orig[(size, "C-step")], ""),
        ]
        # An iteration's arithmetic between the rollouts and the new controllers, on both sides.
        phases = [r for r in rows if r[0] in (
            "GMM prior EM (all conditions)", "per-step fits (all conditions)", "cost expansion (all rollouts)",
            "C-step, ours (DistributedTrajOpt)")]
        original = {"median": sum(r[2]["median"] for r in phases), "detail": ""}
        rows.append(("the four phases together (EM, fits, cost expansion, C-step on Spark)",
                     sum(r[1] for r in phases), original,
                     "without the sampling, reads and writes (the original keeps everything in memory)"))
        if sampled != "-":
            rows.append(("the four phases together, the cost expansion in the sampling tasks",
                         sum(r[1] for r in phases) - phases[2][1] + median_of(sampled), original, ""))
        print("%s (M, N, T, dX, dU = %s):" % (size, t["M, N, T, dX, dU"]))
        print()
        print("| phase | ours, s (median) | original, s (median) | original / ours | notes |")
        print("|---|---:|---:|---:|---|")
        for name, ours, o, note in rows:
            notes = "; ".join(n for n in (note, "original " + o["detail"] if o["detail"] else "") if n)
            print("| %s | %s | %s | %s | %s |" % (name, seconds(ours), seconds(o["median"]), ratio(o["median"] / ours),
                                                notes))
        print()


if __name__ == "__main__":
    main()
