"""Writes episodes.csv, the worked example of docs/ingest.md: a robot log of a 2-D double
integrator (position, velocity; dt = 0.05) under a noisy linear feedback, in its own column names,
with two damaged episodes that `gps ingest` must reject (107: a NaN velocity; 108: a lost row).
Seeded: running it again writes the same file. Usage: python3 generate.py"""
import math
import random

rng = random.Random(7)
DT, T = 0.05, 20
starts = {0: (1.0, 0.0), 1: (-0.5, 0.5)}
rows = []
episode = 101
for task in (0, 1):
    for _ in range(4):
        pos, vel = starts[task]
        for step in range(T):
            force = -2.0 * pos - 1.5 * vel + 0.3 * rng.gauss(0.0, 1.0)
            reward = -(pos * pos + vel * vel + 0.01 * force * force)
            rows.append([task, episode, step, pos, vel, force, reward])
            pos, vel = pos + DT * vel, vel + DT * force
        episode += 1
rows = [r for r in rows if not (r[1] == 108 and r[2] == 7)]
for r in rows:
    if r[1] == 107 and r[2] == 5:
        r[4] = math.nan
with open("episodes.csv", "w") as f:
    f.write("task,episode,step,pos,vel,force,reward\n")
    for r in rows:
        f.write(",".join(str(v) if isinstance(v, int) else ("NaN" if math.isnan(v) else repr(v)) for v in r) + "\n")
