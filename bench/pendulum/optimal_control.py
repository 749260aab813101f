"""The best return any controller can reach on Gym's Pendulum (v0 semantics), by dynamic programming.

A yardstick for the learned controllers and policies, not part of the product: finite-horizon value
iteration over a periodic grid of angles x speeds (bilinear interpolation between grid points, a
grid of torques within the limit), then episodes in which the controller picks, at the true
continuous state, the torque that minimises the step's cost plus the interpolated cost-to-go.

  python3 bench/pendulum/optimal_control.py --horizon 100 --episodes 0
  python3 bench/pendulum/optimal_control.py --horizon 200 --episodes 1000 --angles 241 --speeds 201
  python3 bench/pendulum/optimal_control.py --horizon 200 --angles 241 --speeds 201 --starts-from SCORE.json
  python3 bench/pendulum/optimal_control.py --horizon 100 --episodes 0 --cost gps --torque-noise 1.4

--cost gym optimises Gym's reward (angle^2 + 0.1 speed^2 + 0.001 torque^2, the angle wrapped to
[-pi, pi)); --cost gps optimises the cost of data/pendulum/trajopt.yaml and mdgps.yaml (the swing-up
term, the l1 holding term and the action term). Either way the returns printed are Gym's, so the
two show how much the choice of cost alone costs in Gym's terms. --starts-from takes a policy's
score (`gps evaluate --policy --json` output, or a run's iter=I/policy_eval.json) and plays the best
controller from the same starts, so the gap to the optimum can be split by where the episodes
started. --torque-noise adds Gaussian noise to every commanded torque before the plant's clip, as a
linear-Gaussian controller's exploration noise is added, and the controller plans for it
(--plan-noise 0: the noise-free plan played with that noise; --plan-noise with no --torque-noise:
a plan for the noise played without it). Needs numpy only.
"""
import argparse
import json

import numpy as np

G, DT, MAX_SPEED, MAX_TORQUE = 10.0, 0.05, 8.0, 2.0


def wrap(th):
    return ((th + np.pi) % (2 * np.pi)) - np.pi


def step(th, thdot, u):
    thdot = np.clip(thdot + (3 * G / 2 * np.sin(th) + 3.0 * u) * DT, -MAX_SPEED, MAX_SPEED)
    return th + thdot * DT, thdot


def gym_cost(th, thdot, u):
    return wrap(th) ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2


def gps_cost(th, thdot, u):
    c, s = np.cos(th), np.sin(th)
    swing_up = 0.5 * ((c - 1) ** 2 + 0.01 * thdot ** 2)
    holding = np.sqrt(0.01 + (c - 1) ** 2 + s ** 2)
    return swing_up + holding + 0.5 * 0.05 * u ** 2


def value_iteration(cost, horizon, n_th=181, n_sp=161, n_torques=41, noise=0.0):
    """The best controller for `cost` over `horizon` steps: a function (t, th, thdot) -> torque.

    Finite-horizon value iteration on a periodic grid of angles x speeds (bilinear interpolation
    between grid points); the controller picks, at the true continuous state, the torque of the grid
    that minimises the step's cost plus the interpolated cost-to-go. With `noise` > 0 the plant
    applies clip(u + e), e ~ N(0, noise^2), as it does to a linear-Gaussian controller's samples, and
    the controller minimises the expected cost-to-go (Gauss-Hermite nodes over e); the cost's action
    term is charged on the commanded u, which shifts every torque's cost by the same constant.
    """
    if noise > 0:
        nodes, weights = np.polynomial.hermite_e.hermegauss(9)
        nodes, weights = noise * nodes, weights / weights.sum()
    else:
        nodes, weights = np.zeros(1), np.ones(1)
    angles = np.linspace(-np.pi, np.pi, n_th, endpoint=False)
    speeds = np.linspace(-MAX_SPEED, MAX_SPEED, n_sp)
    torques = np.linspace(-MAX_TORQUE, MAX_TORQUE, n_torques)

    def interpolate(v, th, thdot):
        x = (wrap(th) + np.pi) / (2 * np.pi) * n_th
        i0 = np.floor(x).astype(int)
        fx = x - i0
        i0 %= n_th
        i1 = (i0 + 1) % n_th
        y = (thdot + MAX_SPEED) / (2 * MAX_SPEED) * (n_sp - 1)
        j0 = np.clip(np.floor(y).astype(int), 0, n_sp - 2)
        fy = y - j0
        j1 = j0 + 1
        return (v[i0, j0] * (1 - fx) * (1 - fy) + v[i1, j0] * fx * (1 - fy)
                + v[i0, j1] * (1 - fx) * fy + v[i1, j1] * fx * fy)

    grid_th, grid_sp = np.meshgrid(angles, speeds, indexing="ij")
    # cost_to_go[t]: the least cost of the steps t..horizon-1 from each grid state.
    cost_to_go = [np.zeros((n_th, n_sp))]
    for _ in range(horizon):
        best = np.full((n_th, n_sp), np.inf)
        for u in torques:
            expected = cost(grid_th, grid_sp, u)
            for e, w in zip(nodes, weights):
                nth, nsp = step(grid_th, grid_sp, np.clip(u + e, -MAX_TORQUE, MAX_TORQUE))
                expected = expected + w * interpolate(cost_to_go[-1], nth, nsp)
            best = np.minimum(best, expected)
        cost_to_go.append(best)
    cost_to_go.reverse()

    def best_torque(t, th, thdot):
        expected = cost(th, thdot, torques)
        for e, w in zip(nodes, weights):
            nth, nsp = step(th, thdot, np.clip(torques + e, -MAX_TORQUE, MAX_TORQUE))
            expected = expected + w * interpolate(cost_to_go[t + 1], nth, nsp)
        return torques[int(np.argmin(expected))]

    return best_torque


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--angles", type=int, default=181, help="grid points over [-pi, pi)")
    p.add_argument("--speeds", type=int, default=161, help="grid points over [-8, 8] rad/s")
    p.add_argument("--torques", type=int, default=41, help="torques tried over [-2, 2]")
    p.add_argument("--horizon", type=int, default=100)
    p.add_argument("--cost", default="gym", choices=["gym", "gps"])
    p.add_argument("--episodes", type=int, default=1000, help="Gym random starts to score (0: none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--starts-from", help="a policy score JSON with episode_starts and episode_returns")
    p.add_argument("--torque-noise", type=float, default=0.0,
                   help="std of Gaussian noise added to every commanded torque before the plant clips it, as a "
                        "linear-Gaussian controller's exploration noise is; the controller plans for it")
    p.add_argument("--plan-noise", type=float,
                   help="the noise std the controller plans for (default: --torque-noise); 0 plays the noise-free "
                        "plan with noise")
    p.add_argument("--noise-episodes", type=int, default=20, help="noise draws per start when --torque-noise > 0")
    a = p.parse_args()
    if a.torque_noise < 0 or (a.plan_noise is not None and a.plan_noise < 0):
        p.error("--torque-noise and --plan-noise are standard deviations: expected >= 0")
    cost = gym_cost if a.cost == "gym" else gps_cost
    plan_noise = a.torque_noise if a.plan_noise is None else a.plan_noise
    best_torque = value_iteration(cost, a.horizon, a.angles, a.speeds, a.torques, plan_noise)
    rng_noise = np.random.default_rng(a.seed + 1)

    def episode(th, thdot):
        ret, angle = 0.0, []
        for t in range(a.horizon):
            u = best_torque(t, th, thdot)
            if a.torque_noise > 0:
                u = float(np.clip(u + rng_noise.normal(0.0, a.torque_noise), -MAX_TORQUE, MAX_TORQUE))
            ret -= gym_cost(th, thdot, u)
            angle.append(abs(wrap(th)))
            th, thdot = step(th, thdot, u)
        return ret, float(np.mean(angle[-20:]))

    draws = a.noise_episodes if a.torque_noise > 0 else 1
    print(f"cost {a.cost}, horizon {a.horizon}, grid {a.angles} x {a.speeds}, {a.torques} torques; Gym returns"
          + (f"; torque noise std {a.torque_noise:g} (planned for {plan_noise:g}), {draws} episodes per start"
             if a.torque_noise > 0 else f"; planned for torque noise std {plan_noise:g}, played without it"
             if plan_noise > 0 else ""))
    for name, th0 in [("hanging (pi)", np.pi), ("-pi/2", -np.pi / 2), ("+pi/2", np.pi / 2), ("pi/4", np.pi / 4)]:
        ret, last = np.mean([episode(th0, 0.0) for _ in range(draws)], axis=0)
        print(f"start {name:>12}, at rest: return {ret:8.1f}, mean |angle| over the last 20 steps {last:.3f}")
    if a.starts_from:
        compare(a.starts_from, episode)
    if a.episodes:
        rng = np.random.default_rng(a.seed)
        returns = np.array([episode(rng.uniform(-np.pi, np.pi), rng.uniform(-1, 1))[0] for _ in range(a.episodes)])
        print(f"Gym's random starts ({a.episodes}, seed {a.seed}): mean {returns.mean():.1f}, "
              f"median {np.median(returns):.1f}, worst {returns.min():.1f}")


def compare(path, episode):
    """The policy's return beside the best controller's from each of its starts, the gap by distance from hanging."""
    with open(path) as f:
        score = json.load(f)
    score = score.get("policy", score)
    starts, returns = score["episode_starts"], score["episode_returns"]
    best = np.array([episode(np.arctan2(x0[1], x0[0]), x0[2])[0] for x0 in starts])
    policy = np.array(returns)
    gap = policy - best
    from_hanging = np.pi - np.abs(np.array([np.arctan2(x0[1], x0[0]) for x0 in starts]))
    n = len(starts)
    print(f"{n} starts of {path}: policy {policy.mean():.1f}, best controller {best.mean():.1f}, "
          f"gap {gap.mean():.1f}")
    for lo, hi in [(0, 0.65), (0.65, 1.6), (1.6, np.pi + 1e-9)]:
        m = (from_hanging >= lo) & (from_hanging < hi)
        print(f"  starts {lo:.2f}-{min(hi, np.pi):.2f} rad from hanging: {m.sum():3d}, "
              f"their share of the gap {gap[m].sum() / n:7.1f}")
    worst = np.argsort(gap)[:5]
    for i in worst:
        th = np.arctan2(starts[i][1], starts[i][0])
        print(f"  th {th:6.2f} thdot {starts[i][2]:5.2f}: policy {policy[i]:7.1f}, best {best[i]:7.1f}")


if __name__ == "__main__":
    main()
