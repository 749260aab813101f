"""Where a local trajectory optimiser ends on Gym's Pendulum when it knows the dynamics exactly.

A yardstick for the TrajOpt C-step, not part of the product. Control-limited iterative LQR (box-DDP
for a single torque: a step that would leave [-2, 2] is clamped and its feedback dropped) on the
exact simulator, with the exact Jacobians of Gym's step and the cost of data/pendulum/trajopt.yaml
(the swing-up term, the l1 holding term and the action term; its derivatives by central differences,
its Hessian projected onto the positive semi-definite cone), started from the hanging rest state:

- from random torque sequences (`--restarts` per standard deviation in `--stds`), the spread of the
  exploration noise the pipeline's first samples have;
- from the sequence of the best controller found by dynamic programming (optimal_control.py), to
  show that its trajectory is a local optimum of the same problem, and what it costs.

`--min-damping` keeps the optimiser's steps small (a floor on its Levenberg-Marquardt damping),
as the KL bound keeps the pipeline's. Each line: the local optimum's cost (this config's units),
its Gym return over the horizon, the first step within 0.3 rad of upright and the mean |angle|
over the last 20 steps. `--policy` also plays network policies (the product's policy.json) from
the hanging start.

  python3 bench/pendulum/local_optima.py --restarts 8
  python3 bench/pendulum/local_optima.py --restarts 8 --stds 1.4 --min-damping 100
  python3 bench/pendulum/local_optima.py --restarts 0 --policy RUN/iter=0011/policy.json

Needs numpy only.
"""
import argparse
import json

import numpy as np

from optimal_control import DT, MAX_SPEED, MAX_TORQUE, G, gps_cost, gym_cost, step, value_iteration, wrap


def jacobians(th, thdot, u):
    """d(next state)/d(state) and d(next state)/d(torque) of Gym's step at every time step (vectorised)."""
    applied = np.clip(u, -MAX_TORQUE, MAX_TORQUE)
    raw = thdot + (3 * G / 2 * np.sin(th) + 3.0 * applied) * DT
    free = (np.abs(raw) < MAX_SPEED).astype(float)  # the speed clip passes no derivative
    d_th = 3 * G / 2 * np.cos(th) * DT * free
    d_thdot = free
    # The commanded torque's derivative; at the limit the backward pass below uses the inside one,
    # so that the clamp, not a zero derivative, decides whether the torque may move.
    d_u = 3.0 * DT * free
    a = np.stack([np.stack([1 + d_th * DT, d_thdot * DT], -1), np.stack([d_th, d_thdot], -1)], -2)
    b = np.stack([d_u * DT, d_u], -1)[..., None]
    return a, b


def cost_derivatives(th, thdot, u, h=1e-4):
    """Gradient and PSD-projected Hessian of the cost in (th, thdot, u) at every time step."""
    z = np.stack([th, thdot, u], -1)
    f = lambda z: gps_cost(z[..., 0], z[..., 1], z[..., 2])
    eye = np.eye(3) * h
    grad = np.stack([(f(z + eye[i]) - f(z - eye[i])) / (2 * h) for i in range(3)], -1)
    hess = np.empty(z.shape[:-1] + (3, 3))
    for i in range(3):
        for j in range(3):
            hess[..., i, j] = (f(z + eye[i] + eye[j]) - f(z + eye[i] - eye[j])
                               - f(z - eye[i] + eye[j]) + f(z - eye[i] - eye[j])) / (4 * h * h)
    w, v = np.linalg.eigh(0.5 * (hess + np.swapaxes(hess, -1, -2)))
    return grad, v @ (np.maximum(w, 1e-6)[..., None] * np.swapaxes(v, -1, -2))


def roll_out(x0, u_ref, x_ref=None, k=None, gains=None, alpha=1.0):
    horizon = len(u_ref)
    xs = np.empty((horizon + 1, 2))
    us = np.empty(horizon)
    xs[0] = x0
    for t in range(horizon):
        u = u_ref[t]
        if k is not None:
            u += alpha * k[t] + gains[t] @ (xs[t] - x_ref[t])
        us[t] = np.clip(u, -MAX_TORQUE, MAX_TORQUE)
        xs[t + 1] = step(xs[t, 0], xs[t, 1], us[t])
    return xs, us, float(np.sum(gps_cost(xs[:-1, 0], xs[:-1, 1], us)))


def box_ddp(x0, u_init, max_iterations=300, min_damping=1e-6):
    """Control-limited iLQR with Levenberg-Marquardt damping and a backtracking line search.

    A damping floor (`min_damping`, added to Q_uu) keeps every iteration's change small, as the KL
    bound of the pipeline's C-step does.
    """
    xs, us, total = roll_out(x0, np.clip(u_init, -MAX_TORQUE, MAX_TORQUE))
    mu, horizon = max(1.0, min_damping), len(us)
    for _ in range(max_iterations):
        a, b = jacobians(xs[:-1, 0], xs[:-1, 1], us)
        grad, hess = cost_derivatives(xs[:-1, 0], xs[:-1, 1], us)
        vx, vxx = np.zeros(2), np.zeros((2, 2))
        k, gains = np.empty(horizon), np.empty((horizon, 2))
        for t in reversed(range(horizon)):
            qx = grad[t, :2] + a[t].T @ vx
            qu = grad[t, 2] + b[t, :, 0] @ vx
            qxx = hess[t, :2, :2] + a[t].T @ vxx @ a[t]
            quu = hess[t, 2, 2] + b[t, :, 0] @ vxx @ b[t, :, 0] + mu
            qux = hess[t, 2, :2] + b[t, :, 0] @ vxx @ a[t]
            k[t], gains[t] = -qu / quu, -qux / quu
            target = us[t] + k[t]
            if abs(target) > MAX_TORQUE:  # clamped: the torque sits at the limit, no feedback
                k[t], gains[t] = np.sign(target) * MAX_TORQUE - us[t], 0.0
            vx = qx + gains[t] * quu * k[t] + gains[t] * qu + qux * k[t]
            vxx = qxx + quu * np.outer(gains[t], gains[t]) + np.outer(gains[t], qux) + np.outer(qux, gains[t])
            vxx = 0.5 * (vxx + vxx.T)
        for alpha in (1.0, 0.5, 0.25, 0.1, 0.03, 0.01):
            candidate = roll_out(x0, us, xs, k, gains, alpha)
            if candidate[2] < total:
                break
        else:
            mu *= 10
            if mu > 1e8:
                break
            continue
        improvement = total - candidate[2]
        xs, us, total = candidate
        mu = max(mu / 3, min_damping)
        if improvement < 1e-6:
            break
    return xs, us, total


def describe(xs, us):
    off = np.abs(wrap(xs[:-1, 0]))
    near = np.nonzero(off < 0.3)[0]
    gym = -float(np.sum(gym_cost(xs[:-1, 0], xs[:-1, 1], us)))
    return gym, (int(near[0]) if len(near) else -1), float(np.mean(off[-20:]))


def policy_controller(path):
    with open(path) as f:
        p = json.load(f)
    layers = [(np.array(l["W"]), np.array(l["b"])) for l in p["layers"]]
    scale, bias = np.array(p["normalization"]["scale"]), np.array(p["normalization"]["bias"])

    def act(th, thdot):
        y = np.array([np.cos(th), np.sin(th), thdot]) * scale + bias
        for i, (w, b) in enumerate(layers):
            y = w @ y + b
            if i < len(layers) - 1:
                y = np.maximum(y, 0.0)
        return float(y[0])

    return act


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--horizon", type=int, default=100)
    p.add_argument("--restarts", type=int, default=8, help="random initial sequences per standard deviation")
    p.add_argument("--stds", default="0.1,1.4", help="standard deviations of the random initial torques")
    p.add_argument("--min-damping", type=float, default=1e-6,
                   help="floor of the damping added to Q_uu: large values take small steps, like a trust region")
    p.add_argument("--policy", nargs="*", default=[], help="policy.json files to play from the hanging start")
    a = p.parse_args()
    x0 = np.array([np.pi, 0.0])
    print(f"hanging start, horizon {a.horizon}, damping floor {a.min_damping:g}; cost in the config's units, return in Gym's")
    print(f"{'start':>24} {'cost':>8} {'return':>8} {'up at':>6} {'|angle| last 20':>16}")
    returns = []
    for std in [float(s) for s in a.stds.split(",") if s]:
        for r in range(a.restarts):
            u0 = np.random.default_rng(r).normal(0.0, std, a.horizon)
            xs, us, total = box_ddp(x0, u0, min_damping=a.min_damping)
            gym, up, last = describe(xs, us)
            returns.append(gym)
            print(f"{f'random std {std} seed {r}':>24} {total:8.1f} {gym:8.1f} {up:6d} {last:16.3f}", flush=True)
    if returns:
        print(f"{'random starts':>24}: return median {np.median(returns):.1f}, best {max(returns):.1f}, "
              f"worst {min(returns):.1f}, {sum(r >= -350 for r in returns)} of {len(returns)} at least -350")
    best_torque = value_iteration(gps_cost, a.horizon)
    th, thdot, u_dp = np.pi, 0.0, np.empty(a.horizon)
    for t in range(a.horizon):
        u_dp[t] = best_torque(t, th, thdot)
        th, thdot = step(th, thdot, u_dp[t])
    xs, us, total = roll_out(x0, u_dp)
    gym, up, last = describe(xs, us)
    print(f"{'DP optimum':>24} {total:8.1f} {gym:8.1f} {up:6d} {last:16.3f}")
    xs, us, total = box_ddp(x0, u_dp)
    gym, up, last = describe(xs, us)
    print(f"{'box-DDP from DP optimum':>24} {total:8.1f} {gym:8.1f} {up:6d} {last:16.3f}")
    for path in a.policy:
        act = policy_controller(path)
        xs, us = np.empty((a.horizon + 1, 2)), np.empty(a.horizon)
        xs[0] = x0
        for t in range(a.horizon):
            us[t] = np.clip(act(*xs[t]), -MAX_TORQUE, MAX_TORQUE)
            xs[t + 1] = step(xs[t, 0], xs[t, 1], us[t])
        total = float(np.sum(gps_cost(xs[:-1, 0], xs[:-1, 1], us)))
        gym, up, last = describe(xs, us)
        print(f"{'policy ' + path:>24} {total:8.1f} {gym:8.1f} {up:6d} {last:16.3f}")


if __name__ == "__main__":
    main()
