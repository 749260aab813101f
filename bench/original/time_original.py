#!/usr/bin/env python3
"""Times the original GPS implementation (cbfinn/gps) on a problem exported by
`jobs/gps benchmark dynamics|trajopt --export DIR`.

    python3 bench/original/time_original.py --gps-src CHECKOUT --problem DIR [--problem DIR ...]
                                            [--repeats R] [--warmups W] [--json FILE]

CHECKOUT is a checkout of the original (the directory holding python/gps, or python/ itself);
its modules are imported from there, never copied. Each DIR holds one exported problem; its
problem.json says which kind. Prints a Markdown table of the medians and minima (seconds) and,
with --json, writes them for bench/original/side-by-side.sh. Needs numpy and scipy
(jobs/install-bench-deps). What the shims below change, and why, is in bench/original/README.md.
"""
import argparse
import json
import os
import pickle
import statistics
import sys
import time
import types

import numpy as np

EXIT_BAD_INPUT = 2


def fail(message):
    print("time_original.py: " + message, file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def import_original(checkout):
    """Puts the checkout's python/ directory first on the path after installing the shims."""
    root = checkout
    if os.path.isdir(os.path.join(checkout, "python", "gps")):
        root = os.path.join(checkout, "python")
    if not os.path.isfile(os.path.join(root, "gps", "algorithm", "dynamics", "dynamics_prior_gmm.py")):
        fail("--gps-src: %s has no python/gps/algorithm/dynamics/dynamics_prior_gmm.py; expected a checkout of "
             "cbfinn/gps" % checkout)
    # Shim 1: gps/sample/sample_list.py (imported by the BADMM and MDGPS modules, which the LQR
    # trajectory optimizer imports for isinstance checks) does `import cPickle`, Python 2 only.
    sys.modules.setdefault("cPickle", pickle)
    # Shim 2: the same module imports NOISE from gps.proto.gps_pb2, which protoc generates at build
    # time and the checkout does not hold. Nothing timed here reads it.
    if "gps.proto.gps_pb2" not in sys.modules:
        proto = types.ModuleType("gps.proto")
        proto.__path__ = []
        pb2 = types.ModuleType("gps.proto.gps_pb2")
        pb2.NOISE = "noise"
        proto.gps_pb2 = pb2
        sys.modules["gps.proto"] = proto
        sys.modules["gps.proto.gps_pb2"] = pb2
    sys.path.insert(0, root)


class Problem:
    def __init__(self, directory):
        path = os.path.join(directory, "problem.json")
        if not os.path.isfile(path):
            fail("--problem: %s has no problem.json; expected a directory written by jobs/gps benchmark ... "
                 "--export" % directory)
        with open(path) as f:
            self.settings = json.load(f)
        self.dir = directory
        self.kind = self.settings.get("kind")
        if self.kind not in ("dynamics", "trajopt"):
            fail("%s: 'kind' is %r, expected \"dynamics\" or \"trajopt\"" % (path, self.kind))

    def array(self, name):
        path = os.path.join(self.dir, name + ".npy")
        if not os.path.isfile(path):
            fail("--problem: %s is missing; expected it in a %s export" % (path, self.kind))
        return np.load(path)


def timed(fn, repeats, warmups):
    """Seconds of each timed call after the untimed ones, and the last call's result."""
    out = None
    times = []
    for r in range(warmups + repeats):
        t0 = time.perf_counter()
        out = fn()
        if r >= warmups:
            times.append(time.perf_counter() - t0)
    return times, out


# ---------------------------------------------------------------- dynamics


def dynamics_phases(p, repeats, warmups):
    from gps.algorithm.dynamics.dynamics_lr_prior import DynamicsLRPrior
    from gps.algorithm.dynamics.dynamics_prior_gmm import DynamicsPriorGMM
    from gps.utility.gmm import GMM

    s = p.settings
    if s.get("shared_prior"):
        fail("%s: a shared prior has no counterpart in the original (one prior per condition)" % p.dir)
    X, U = p.array("X"), p.array("U")
    hyper = {
        "regularization": s["regularization"],
        "prior": {
            "type": DynamicsPriorGMM,
            "max_clusters": s["max_clusters"],
            "min_samples_per_cluster": s["min_samples_per_cluster"],
            "max_samples": s["max_samples"],
            "strength": s["strength"],
        },
    }
    # Counts E-steps to report EM iterations; the wrapper adds one Python call per iteration.
    estep = GMM.estep
    calls = [0]

    def counting_estep(self, data):
        calls[0] += 1
        return estep(self, data)

    GMM.estep = counting_estep
    em_times, fit_times, iterations = [], [], []
    try:
        for r in range(warmups + repeats):
            # The original draws its random cluster assignment from numpy's global generator.
            np.random.seed(s["seed"] + r)
            em = fit = 0.0
            its = []
            for m in range(X.shape[0]):
                # A new dynamics object per condition and repeat: a cold EM, as ours is timed.
                dyn = DynamicsLRPrior(hyper)
                calls[0] = 0
                t0 = time.perf_counter()
                dyn.prior.update(X[m], U[m])
                t1 = time.perf_counter()
                its.append(calls[0])
                calls[0] = 0
                dyn.fit(X[m], U[m])
                t2 = time.perf_counter()
                em += t1 - t0
                fit += t2 - t1
            if r >= warmups:
                em_times.append(em)
                fit_times.append(fit)
                iterations.extend(its)
    finally:
        GMM.estep = estep
    K = dyn.prior.gmm.sigma.shape[0]
    return [
        ("EM", em_times, "K %d, %d-%d iterations (E-steps per GMM)" % (K, min(iterations), max(iterations))),
        ("fits", fit_times, "%d conditions x %d steps" % (X.shape[0], X.shape[2] - 1)),
    ]


# ---------------------------------------------------------------- cost expansion and C-step


class _Agent:
    """The one agent method the original's CostState calls, for a state that is one sensor."""

    def __init__(self, dX):
        self.dX = dX

    def pack_data_x(self, existing_mat, data_to_insert, data_types, axes=None):
        # Shim 3: the original indexes with a list of slices, an error since numpy 1.23; with the
        # whole state as one sensor its slice is every index of the last len(data_types) axes.
        existing_mat[...] = data_to_insert


class _Sample:
    """A rollout as the original's cost functions read it: get_X, get_U and get(sensor)."""

    def __init__(self, X, U, agent):
        self.T, self.dX = X.shape
        self.dU = U.shape[1]
        self._X, self._U = X, U
        self.agent = agent

    def get_X(self):
        return self._X

    def get_U(self):
        return self._U

    def get(self, sensor_name):
        return self._X


def trajopt_algorithm(p):
    """An AlgorithmTrajOpt holding the exported problem, built without its __init__ (shim 4)."""
    from gps.algorithm.algorithm_traj_opt import AlgorithmTrajOpt
    from gps.algorithm.algorithm_utils import IterationData, TrajectoryInfo
    from gps.algorithm.config import ALG
    from gps.algorithm.cost.cost_action import CostAction
    from gps.algorithm.cost.cost_state import CostState
    from gps.algorithm.cost.cost_sum import CostSum
    from gps.algorithm.policy.lin_gauss_policy import LinearGaussianPolicy

    s = p.settings
    M, T, dX, dU = s["conditions"], s["horizon"], s["state_dim"], s["action_dim"]
    X, U = p.array("X"), p.array("U")
    alg = object.__new__(AlgorithmTrajOpt)
    alg._hyperparams = dict(ALG, max_ent_traj=s["max_ent_traj"], kl_step=s["kl_step"])
    alg.M, alg.T, alg.dX, alg.dU = M, T, dX, dU
    alg.base_kl_step = s["kl_step"]
    cost = {
        "type": CostSum,
        "costs": [
            {"type": CostState, "l1": s["state_cost_l1"], "l2": s["state_cost_l2"], "alpha": s["state_cost_alpha"],
             "data_types": {"state": {"target_state": np.zeros(dX), "wp": p.array("state_weights")}}},
            {"type": CostAction, "wu": p.array("action_weights")},
        ],
        "weights": [1.0, 1.0],
    }
    alg.cost = [CostSum(cost) for _ in range(M)]
    Fm, fv, dyn_covar = p.array("Fm"), p.array("fv"), p.array("dyn_covar")
    x0mu, x0sigma = p.array("x0mu"), p.array("x0sigma")
    K, k = p.array("K"), p.array("k")
    pol_covar, chol, inv = p.array("pol_covar"), p.array("chol_pol_covar"), p.array("inv_pol_covar")
    agent = _Agent(dX)
    alg.cur = []
    for m in range(M):
        cur = IterationData()
        cur.sample_list = [_Sample(X[m, n], U[m, n], agent) for n in range(X.shape[1])]
        cur.traj_info = TrajectoryInfo()
        cur.traj_info.dynamics = types.SimpleNamespace(Fm=Fm, fv=fv, dyn_covar=dyn_covar)
        cur.traj_info.x0mu = x0mu[m]
        cur.traj_info.x0sigma = x0sigma[m]
        cur.traj_distr = LinearGaussianPolicy(K[m], k[m], pol_covar[m], chol[m], inv[m])
        cur.eta = s["eta"]
        cur.step_mult = s["step_mult"]
        alg.cur.append(cur)
    return alg


def trajopt_phases(p, repeats, warmups):
    from gps.algorithm.algorithm import Algorithm
    from gps.algorithm.traj_opt.traj_opt_lqr_python import TrajOptLQRPython

    s = p.settings
    alg = trajopt_algorithm(p)
    M = alg.M

    def cost_expansion():
        for m in range(M):
            Algorithm._eval_cost(alg, m)

    cost_times, _ = timed(cost_expansion, repeats, warmups)
    # The original's expansion of the same rollouts against ours: both average the same terms.
    gap = 0.0
    for name in ("cc", "cv", "Cm"):
        ours = p.array(name)
        theirs = np.stack([getattr(alg.cur[m].traj_info, name) for m in range(M)])
        gap = max(gap, float(np.max(np.abs(ours - theirs)) / max(1.0, float(np.max(np.abs(ours))))))
    mean_cost = float(np.mean([np.mean(np.sum(alg.cur[m].cs, axis=1)) for m in range(M)]))
    # The C-step runs on exactly the exported expansion, as ours does.
    for m in range(M):
        info = alg.cur[m].traj_info
        info.cc, info.cv, info.Cm = p.array("cc")[m], p.array("cv")[m], p.array("Cm")[m]

    traj_opt = TrajOptLQRPython({"min_eta": s["min_eta"], "max_eta": s["max_eta"], "del0": s["del0"],
                                 "cons_per_step": s["cons_per_step"], "use_prev_distr": s["use_prev_distr"]})
    backward = traj_opt.backward
    rounds = [0]

    def counting_backward(*args):
        rounds[0] += 1
        return backward(*args)

    traj_opt.backward = counting_backward
    per_condition = []

    def c_step():
        per_condition.clear()
        for m in range(M):
            rounds[0] = 0
            _, eta = traj_opt.update(m, alg)
            per_condition.append((rounds[0], float(eta)))

    c_times, _ = timed(c_step, repeats, warmups)
    r = [n for n, _ in per_condition]
    return [
        ("cost expansion", cost_times, "mean cost %.6g (ours %.6g); largest relative gap to our expansion %.1e"
         % (mean_cost, s.get("mean_cost", float("nan")), gap)),
        ("C-step", c_times, "eta rounds %d-%d, final eta %.3g-%.3g" % (
            min(r), max(r), min(e for _, e in per_condition), max(e for _, e in per_condition))),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gps-src", required=True, help="checkout of cbfinn/gps (holding python/gps)")
    ap.add_argument("--problem", required=True, action="append", help="a directory written by --export")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats (default 3)")
    ap.add_argument("--warmups", type=int, default=1, help="untimed rounds first (default 1)")
    ap.add_argument("--json", help="also write the times to this file")
    a = ap.parse_args()
    if a.repeats < 1 or a.warmups < 0:
        fail("--repeats must be >= 1 and --warmups >= 0, got %d and %d" % (a.repeats, a.warmups))
    import_original(a.gps_src)
    import scipy

    rows = []
    for d in a.problem:
        p = Problem(d)
        phases = dynamics_phases(p, a.repeats, a.warmups) if p.kind == "dynamics" else \
            trajopt_phases(p, a.repeats, a.warmups)
        for name, times, detail in phases:
            rows.append({"size": p.settings["size"], "kind": p.kind, "phase": name, "seconds": times,
                         "median": statistics.median(times), "min": min(times), "detail": detail})
    print("| size | phase | original, s (median / min) | detail |")
    print("|---|---|---:|---|")
    for r in rows:
        print("| %s | %s | %.3f / %.3f | %s |" % (r["size"], r["phase"], r["median"], r["min"], r["detail"]))
    print()
    print("%d timed repeats after %d warm-up(s); Python %s, numpy %s, scipy %s." % (
        a.repeats, a.warmups, sys.version.split()[0], np.__version__, scipy.__version__))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
