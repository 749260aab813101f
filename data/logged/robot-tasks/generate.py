"""Writes day1.tsv and day2.tsv, the worked example of condition labels and time steps in
docs/ingest.md: two days of a robot log of a 2-D double integrator (position, velocity; dt = 0.05)
under a noisy linear feedback, tab-separated, with the task as a text label, the steps numbered
from 1 and a wall-clock timestamp per row. Day 1 has the tasks reach_left and reach_right, day 2
reach_right and a new one, place. In episode d1-04 the logger's clock stuck for one step, so two
rows carry the same timestamp (their steps differ). Seeded: running it again writes the same files.
Usage: python3 generate.py"""
import datetime
import random

rng = random.Random(11)
DT, T = 0.05, 15
starts = {"reach_left": (1.0, 0.0), "reach_right": (-1.0, 0.0), "place": (0.5, -0.5)}
days = {"day1": (datetime.datetime(2024, 5, 1, 9, 0, 0), ["reach_left", "reach_right"]),
        "day2": (datetime.datetime(2024, 5, 2, 9, 0, 0), ["reach_right", "place"])}
for day, (start, tasks) in days.items():
    rows = []
    clock = start
    episode = 1
    for task in tasks:
        for _ in range(3):
            name = "d" + day[-1] + "-" + format(episode, "02d")
            pos, vel = starts[task]
            for step in range(1, T + 1):
                force = -2.0 * pos - 1.5 * vel + 0.3 * rng.gauss(0.0, 1.0)
                reward = -(pos * pos + vel * vel + 0.01 * force * force)
                stuck = name == "d1-04" and step == 9
                if not stuck:
                    clock += datetime.timedelta(milliseconds=50)
                rows.append([task, name, clock.isoformat(timespec="milliseconds"), step, pos, vel, force, reward])
                pos, vel = pos + DT * vel, vel + DT * force
            clock += datetime.timedelta(seconds=5)
            episode += 1
    with open(day + ".tsv", "w") as f:
        f.write("task\tepisode\tstamp\tstep\tpos\tvel\tforce\treward\n")
        for r in rows:
            f.write("\t".join(v if isinstance(v, str) else str(v) if isinstance(v, int) else repr(v) for v in r) + "\n")
