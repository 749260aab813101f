package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.gmm.EmResult;
import org.gps.core.linalg.Mat;
import org.gps.core.policy.Policy;
import org.gps.core.policy.PolicyOptions;
import org.gps.core.sample.Trajectory;
import org.gps.io.PhaseProfile;

import scala.Tuple2;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Step 4 of an MDGPS iteration (docs/algorithm.md section 9): the neural policy linearized around the
 * samples as a linear-Gaussian controller (Kb_t, kb_t, Sb_t) per condition, the controller the
 * C-step stays close to. The same GMM prior and per-step prior-regularised fit as the dynamics
 * ({@link DynamicsFitting} with rows [x_t, f(o_t)]), the policy broadcast to compute f on the
 * executors; the prior's window takes the last max_samples trajectories of each condition across
 * iterations, re-evaluated under the current policy.
 */
public final class PolicyLinearization {
    private PolicyLinearization() {
    }

    /** The linearizations by condition, and the policy prior's EM results. */
    public record Result(Map<Integer, LinearGaussianController> controllers, Map<Integer, EmResult> gmms,
                         Map<Integer, Double> relativeRmse) {
    }

    /**
     * @param trajectories the current samples and earlier ones for the prior's window
     * @param isCurrent    the samples the per-step fits use
     */
    public static Result fit(JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories,
                             DynamicsFitting.CurrentSet isCurrent, Policy policy, DynamicsOptions prior, long seed) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(trajectories.context());
        // One phase: the prior's census, EM and per-step fits inside it are the linearization's, not the dynamics'.
        try (PhaseProfile.Scope phase = PhaseProfile.enter("policy_linearization")) {
            Broadcast<Policy> policyB = jsc.broadcast(policy);
            try {
                DynamicsFitting.Result fit = DynamicsFitting.fit(trajectories, isCurrent, prior, Map.of(), seed,
                        rows(policyB), false);
                try {
                    List<DynamicsFitting.StepFit> steps = fit.steps().collect();
                    return assemble(steps, policy.variance(), fit.gmms());
                } finally {
                    fit.steps().unpersist(false);
                }
            } finally {
                policyB.destroy();
            }
        }
    }

    /**
     * Per condition and t, the mean over the samples of the controller's mean action minus the
     * policy's, (K_t x + k_t) - f(o_t): what BADMM's dual step moves the multipliers by.
     */
    public static Map<Integer, double[][]> meanActionGaps(JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples,
                                                          Map<Integer, LinearGaussianController> controllers,
                                                          Policy policy) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(samples.context());
        Broadcast<TreeMap<Integer, LinearGaussianController>> ctrlB = jsc.broadcast(new TreeMap<>(controllers));
        Broadcast<Policy> policyB = jsc.broadcast(policy);
        try {
            // Per condition: [sum of gaps (T x dU), count], summed over the samples.
            // Summed per partition in a fixed order and merged on the driver (two partitions: the
            // merge is commutative, so the result does not depend on which task finishes first).
            Map<Integer, Tuple2<double[][], Long>> sums = PolicyUpdate.ordered(samples).mapToPair(kv -> {
                Trajectory t = kv._2();
                LinearGaussianController c = ctrlB.value().get(kv._1().condition());
                double[][] gap = new double[t.horizon()][];
                for (int s = 0; s < t.horizon(); s++) {
                    double[] a = c.meanAction(s, t.x()[s]);
                    double[] f = policyB.value().meanAction(t.o()[s]);
                    for (int i = 0; i < a.length; i++) {
                        a[i] -= f[i];
                    }
                    gap[s] = a;
                }
                return new Tuple2<>(kv._1().condition(), new Tuple2<>(gap, 1L));
            }).mapPartitions(it -> {
                Map<Integer, Tuple2<double[][], Long>> part = new TreeMap<>();
                while (it.hasNext()) {
                    Tuple2<Integer, Tuple2<double[][], Long>> e = it.next();
                    part.merge(e._1(), e._2(), PolicyLinearization::addGaps);
                }
                return java.util.List.of(part).iterator();
            }).reduce((a, b) -> {
                Map<Integer, Tuple2<double[][], Long>> m = new TreeMap<>(a);
                b.forEach((c, v) -> m.merge(c, v, PolicyLinearization::addGaps));
                return m;
            });
            Map<Integer, double[][]> out = new TreeMap<>();
            sums.forEach((c, v) -> {
                double[][] g = v._1();
                for (double[] row : g) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] /= v._2();
                    }
                }
                out.put(c, g);
            });
            return out;
        } finally {
            ctrlB.destroy();
            policyB.destroy();
        }
    }

    private static Tuple2<double[][], Long> addGaps(Tuple2<double[][], Long> a, Tuple2<double[][], Long> b) {
        double[][] g = new double[a._1().length][];
        for (int s = 0; s < g.length; s++) {
            g[s] = a._1()[s].clone();
            for (int i = 0; i < g[s].length; i++) {
                g[s][i] += b._1()[s][i];
            }
        }
        return new Tuple2<>(g, a._2() + b._2());
    }

    /** Rows [x_t, f(o_t)] for t = 0..T-1; the x block is ridged at t = 0 only. */
    static DynamicsFitting.JointRows rows(Broadcast<Policy> policy) {
        return new DynamicsFitting.JointRows() {
            @Override
            public int count(Trajectory t) {
                return t.horizon();
            }

            @Override
            public double[] row(Trajectory t, int s) {
                return joined(t.x()[s], policy.value().meanAction(t.o()[s]));
            }

            @Override
            public double[][] rows(Trajectory t, int from, int to) {
                double[][] u = policy.value().meanActions(java.util.Arrays.copyOfRange(t.o(), from, to));
                double[][] out = new double[to - from][];
                for (int s = from; s < to; s++) {
                    out[s - from] = joined(t.x()[s], u[s - from]);
                }
                return out;
            }

            @Override
            public int inputDim(Trajectory t) {
                return t.x()[0].length;
            }

            @Override
            public double ridge(int s) {
                return s == 0 ? PolicyOptions.FIRST_STEP_RIDGE : 0.0;
            }
        };
    }

    /** The row [x, u]. */
    private static double[] joined(double[] x, double[] u) {
        double[] row = new double[x.length + u.length];
        System.arraycopy(x, 0, row, 0, x.length);
        System.arraycopy(u, 0, row, x.length, u.length);
        return row;
    }

    /** Sb_t = the fit's conditional covariance plus the policy's own (diagonal) covariance. */
    static Result assemble(List<DynamicsFitting.StepFit> steps, double[] policyVariance, Map<Integer, EmResult> gmms) {
        Map<Integer, TreeMap<Integer, DynamicsFitting.StepFit>> byCondition = new TreeMap<>();
        for (DynamicsFitting.StepFit s : steps) {
            byCondition.computeIfAbsent(s.condition(), c -> new TreeMap<>()).put(s.t(), s);
        }
        Map<Integer, LinearGaussianController> out = new TreeMap<>();
        Map<Integer, Double> err = new TreeMap<>();
        byCondition.forEach((c, fits) -> {
            int horizon = fits.size();
            Mat[] gains = new Mat[horizon];
            double[][] offsets = new double[horizon][];
            Mat[] covs = new Mat[horizon];
            double rel = 0;
            for (int t = 0; t < horizon; t++) {
                DynamicsFitting.StepFit f = fits.get(t);
                if (f == null) {
                    throw new IllegalStateException("policy linearization: condition " + c + " has no fit at t=" + t);
                }
                gains[t] = f.model().gain();
                offsets[t] = f.model().offset();
                covs[t] = f.model().covariance().plusDiagonal(policyVariance).symmetrize();
                rel += f.relativeRmse() / horizon;
            }
            out.put(c, LinearGaussianController.of(gains, offsets, covs));
            err.put(c, rel);
        });
        return new Result(out, gmms, err);
    }
}
