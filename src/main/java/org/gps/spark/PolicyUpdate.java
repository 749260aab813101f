package org.gps.spark;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.gps.core.control.BadmmDuals;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.linalg.Mat;
import org.gps.core.policy.Mlp;
import org.gps.core.policy.ObservationNormalizer;
import org.gps.core.policy.Policy;
import org.gps.core.policy.PolicyOptions;
import org.gps.core.policy.PolicyTarget;
import org.gps.core.policy.TargetWeights;
import org.gps.core.sample.Trajectory;
import org.gps.io.PhaseProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The S-step (docs/algorithm.md section 8) on Spark: targets built from the samples and the new
 * controllers, the policy covariance from an aggregate of their precisions,
 * and the network trained by {@link PolicyTraining} over the same targets. The driver holds the
 * controllers, the weight table (M x T numbers) and the network. A first job indexes the samples
 * ({@link SampleIndex}: their order, their target count, the first update's normalisation). Trained
 * in the driver, the samples come to the driver (with the index when they are sure to train there),
 * which builds the targets and adds the covariance's sums; trained on the executors, the targets are
 * built, sorted, summed and trained over there, by Spark jobs. Either way every sum takes its terms
 * in the same order, so the two give the same numbers.
 */
public final class PolicyUpdate {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyUpdate.class);

    private PolicyUpdate() {
    }

    /** The new policy and how the training went. */
    public record Result(Policy policy, long targets, double initialLoss, double finalLoss, int iterations) {
    }

    /**
     * @param samples     the samples whose observations and states the targets are built at
     * @param controllers the new controllers, by condition: the targets' means and precisions
     * @param weights     raw target weights w[c][t] (normalised here over all targets)
     * @param previous    the policy to continue from (its normalisation is kept), or null for the first
     *                    update: normalisation from these observations and a fresh network from {@code seed}
     */
    public static Result train(JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples,
                               Map<Integer, LinearGaussianController> controllers, Map<Integer, double[]> weights,
                               Policy previous, PolicyOptions options, long seed) {
        return train(samples, controllers, weights, null, previous, options, seed);
    }

    /**
     * BADMM's S-step: as above, with each target mean shifted by the condition's Lagrange multipliers
     * ({@link BadmmDuals#targetMean}); {@code duals} null for none.
     */
    public static Result train(JavaPairRDD<TrajectoryGroups.Key, Trajectory> unordered,
                               Map<Integer, LinearGaussianController> controllers, Map<Integer, double[]> weights,
                               Map<Integer, BadmmDuals> duals, Policy previous, PolicyOptions options, long seed) {
        return train(unordered, TargetControllers.forEveryIteration(controllers), weights, duals, previous, options,
                seed);
    }

    /**
     * The S-step over samples of several iterations, each sample's targets from the controllers of
     * its own iteration ({@code controllersByIteration.get(sample's iteration)}): earlier
     * iterations' samples replayed towards the controllers their C-steps produced.
     */
    public static Result trainOnIterations(JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples,
                                           Map<Integer, Map<Integer, LinearGaussianController>> controllersByIteration,
                                           Map<Integer, double[]> weights, Policy previous, PolicyOptions options,
                                           long seed) {
        return train(samples, TargetControllers.byIteration(controllersByIteration), weights, null, previous, options,
                seed);
    }

    private static Result train(JavaPairRDD<TrajectoryGroups.Key, Trajectory> unordered, TargetControllers controllers,
                                Map<Integer, double[]> weights, Map<Integer, BadmmDuals> duals, Policy previous,
                                PolicyOptions options, long seed) {
        try (PhaseProfile.Scope phase = PhaseProfile.enter("s_step")) {
            Result r = trainTargets(unordered, controllers, weights, duals, previous, options, seed);
            phase.count("lbfgs_iterations", r.iterations());
            return r;
        }
    }

    private static Result trainTargets(JavaPairRDD<TrajectoryGroups.Key, Trajectory> unordered,
                                       TargetControllers controllers, Map<Integer, double[]> weights,
                                       Map<Integer, BadmmDuals> duals, Policy previous, PolicyOptions options,
                                       long seed) {
        PolicyTraining.Options training = new PolicyTraining.Options(options.trainIterations(),
                options.trainTolerance(), options.l2(), 10, options.training());
        // With the network known, a partition's samples come back with the index when their targets
        // are within its share of what trains in the driver: then all of them train there, whatever
        // the other partitions hold. A first update's network is sized by the observations, which
        // the index reads, so its samples come in a second job.
        long gatherUpTo = previous == null ? 0 : PolicyTraining.mostTargetsInDriver(previous.network(), training)
                / Math.max(1, unordered.getNumPartitions());
        SampleIndex index = SampleIndex.of(unordered, previous == null, gatherUpTo);
        if (index.targets() == 0) {
            throw new IllegalArgumentException("no targets to train the policy on");
        }
        ObservationNormalizer normalizer = previous != null ? previous.normalizer() : index.normalizer();
        Mlp start = previous != null ? previous.network()
                : Mlp.initial(options.layerSizes(normalizer.scale().length, controllers.actionDim()), seed);
        TargetSource source = new TargetSource(controllers, new TreeMap<>(normaliseWeights(weights)), normalizer,
                duals == null ? null : new TreeMap<>(duals));
        return PolicyTraining.runsLocally(index.targets(), start, training)
                ? inDriver(unordered, index, source, normalizer, start, training)
                : onExecutors(unordered, index, source, normalizer, start, training);
    }

    /**
     * The samples brought to the driver and their targets built there, each sample's placed by the
     * index where the ordered partitions would hold it; the covariance's sums added here in that
     * order, as Spark's reduce adds them over those partitions.
     */
    private static Result inDriver(JavaPairRDD<TrajectoryGroups.Key, Trajectory> unordered, SampleIndex index,
                                   TargetSource source, ObservationNormalizer normalizer, Mlp start,
                                   PolicyTraining.Options training) {
        int perTarget = (int) PolicyOptions.Training.doublesPerTarget(start.inputDim(), start.outputDim());
        List<Tuple2<Long, double[]>> rows = new ArrayList<>();
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> samples = index.gathered() != null ? index.gathered()
                : unordered.collect();
        for (Tuple2<TrajectoryGroups.Key, Trajectory> kv : samples) {
            rows.add(new Tuple2<>(SampleIndex.orderKey(kv._1()), packed(source.targetsOf(kv._1(), kv._2()), perTarget)));
        }
        List<double[]> partitions = index.partitions(rows, perTarget);
        double[] sums = covarianceSums(partitions, perTarget, source.controllers().actionDim());
        return result(PolicyTraining.local(partitions, index.targets(), start, training), normalizer, sums);
    }

    /** The ordered samples' targets kept on the executors, their sums and L-BFGS's evaluations as Spark jobs. */
    private static Result onExecutors(JavaPairRDD<TrajectoryGroups.Key, Trajectory> unordered, SampleIndex index,
                                      TargetSource source, ObservationNormalizer normalizer, Mlp start,
                                      PolicyTraining.Options training) {
        Broadcast<TargetSource> sourceB = JavaSparkContext.fromSparkContext(unordered.context()).broadcast(source);
        JavaRDD<PolicyTarget> targets = ordered(unordered, index.lastOfFirstHalf())
                .flatMap(kv -> sourceB.value().targetsOf(kv._1(), kv._2()).iterator())
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            double[] sums = covarianceSums(targets, source.controllers().actionDim());
            return result(PolicyTraining.distributed(targets, start, training), normalizer, sums);
        } finally {
            targets.unpersist(false);
            sourceB.destroy();
        }
    }

    private static Result result(PolicyTraining.Result r, ObservationNormalizer normalizer, double[] sums) {
        int dU = sums.length - 2;
        double[] variance = TargetWeights.policyVariance(java.util.Arrays.copyOf(sums, dU), sums[dU]);
        double[] h = r.lossHistory();
        LOG.info("S-step: {} targets, loss {} -> {} in {} L-BFGS iterations", (long) sums[dU + 1], h[0],
                h[h.length - 1], r.iterations());
        return new Result(new Policy(r.policy(), normalizer, variance), (long) sums[dU + 1], h[0], h[h.length - 1],
                r.iterations());
    }

    /** One target's share of the covariance's sums: [diag(P)..., w, 1], the covariance needs nothing else. */
    private static double[] covarianceTerms(double[] precision, int at, double weight, int dU) {
        double[] s = new double[dU + 2];
        for (int d = 0; d < dU; d++) {
            s[d] = precision[at + d * dU + d];
        }
        s[dU] = weight;
        s[dU + 1] = 1;
        return s;
    }

    /** The covariance's sums ({@link #covarianceTerms}) of the targets, added by Spark. */
    static double[] covarianceSums(JavaRDD<PolicyTarget> targets, int dU) {
        return targets.map(t -> covarianceTerms(t.precision(), 0, t.weight(), dU)).reduce(PolicyUpdate::add);
    }

    /**
     * The sums of {@link #covarianceTerms} over packed targets ({@link PolicyTarget#packed}: o, mu,
     * P, w), in the order and association of {@code RDD.reduce} over partitions holding them.
     */
    static double[] covarianceSums(List<double[]> partitions, int perTarget, int dU) {
        int precisionAt = perTarget - 1 - dU * dU;
        double[] total = null;
        for (double[] part : partitions) {
            double[] acc = null;
            for (int i = 0; i < part.length; i += perTarget) {
                double[] s = covarianceTerms(part, i + precisionAt, part[i + perTarget - 1], dU);
                acc = acc == null ? s : SampleIndex.addInto(acc, s);
            }
            if (acc != null) {
                total = total == null ? acc : SampleIndex.addInto(total, acc);
            }
        }
        return total;
    }

    /** A sample's targets packed one after another. */
    private static double[] packed(List<PolicyTarget> targets, int perTarget) {
        double[] flat = new double[targets.size() * perTarget];
        for (int i = 0; i < targets.size(); i++) {
            double[] row = targets.get(i).packed();
            if (row.length != perTarget) {
                throw new IllegalArgumentException("a target of " + row.length + " numbers for a network that "
                        + "takes " + perTarget);
            }
            System.arraycopy(row, 0, flat, i * perTarget, perTarget);
        }
        return flat;
    }

    /** What the targets are built from: the controllers, the normalised weights, the normalisation and the duals (or null). */
    private record TargetSource(TargetControllers controllers, TreeMap<Integer, double[]> weights,
                                ObservationNormalizer normalizer, TreeMap<Integer, BadmmDuals> duals)
            implements java.io.Serializable {
        List<PolicyTarget> targetsOf(TrajectoryGroups.Key key, Trajectory traj) {
            return PolicyUpdate.targetsOf(key.condition(), traj, controllers.get(key), weights.get(key.condition()),
                    normalizer, duals == null ? null : duals.get(key.condition()));
        }
    }

    /** The controllers the targets are built from: one set for all samples, or one per sample iteration. */
    private static final class TargetControllers implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final TreeMap<Integer, LinearGaussianController> everyIteration;
        private final TreeMap<Integer, TreeMap<Integer, LinearGaussianController>> byIteration;

        private TargetControllers(TreeMap<Integer, LinearGaussianController> everyIteration,
                                  TreeMap<Integer, TreeMap<Integer, LinearGaussianController>> byIteration) {
            this.everyIteration = everyIteration;
            this.byIteration = byIteration;
        }

        static TargetControllers forEveryIteration(Map<Integer, LinearGaussianController> controllers) {
            return new TargetControllers(new TreeMap<>(controllers), null);
        }

        static TargetControllers byIteration(Map<Integer, Map<Integer, LinearGaussianController>> controllers) {
            TreeMap<Integer, TreeMap<Integer, LinearGaussianController>> copy = new TreeMap<>();
            controllers.forEach((i, m) -> copy.put(i, new TreeMap<>(m)));
            if (copy.isEmpty() || copy.values().stream().anyMatch(Map::isEmpty)) {
                throw new IllegalArgumentException("need controllers for at least one iteration, each non-empty");
            }
            return new TargetControllers(null, copy);
        }

        LinearGaussianController get(TrajectoryGroups.Key key) {
            if (everyIteration != null) {
                return everyIteration.get(key.condition());
            }
            TreeMap<Integer, LinearGaussianController> m = byIteration.get(key.iteration());
            return m == null ? null : m.get(key.condition());
        }

        int actionDim() {
            Map<Integer, LinearGaussianController> any = everyIteration != null ? everyIteration
                    : byIteration.firstEntry().getValue();
            return any.values().iterator().next().actionDim();
        }
    }

    /**
     * Partitions of the S-step's data. MLlib's L-BFGS (and RDD.reduce) add the partitions' sums in
     * the order their tasks finish; with two partitions that is a + b or b + a, equal in floating
     * point, so training is reproducible bit for bit. Three or more would make the last bits (and,
     * through 200 L-BFGS iterations, the policy) depend on timing.
     */
    static final int PARTITIONS = 2;

    /**
     * The samples in a fixed order: by (iteration, condition, sample), the first half of the keys
     * (rounded up) in partition 0, the rest in partition 1, each partition sorted. A shuffle (the
     * trajectories' groupByKey) delivers rows in fetch order, and the order of a partition's
     * elements fixes the order of its sums. The split is computed from all keys rather than by
     * {@code sortByKey}: its range partitioner samples each input partition, so with many samples
     * the split (and the sums) would depend on how many partitions, that is cores, the input has.
     */
    public static JavaPairRDD<TrajectoryGroups.Key, Trajectory> ordered(
            JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples) {
        // M x N keys: small next to the trajectories, which stay on the executors.
        return ordered(samples, SampleIndex.of(samples, false).lastOfFirstHalf());
    }

    private static JavaPairRDD<TrajectoryGroups.Key, Trajectory> ordered(
            JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples, long lastOfFirstHalf) {
        return samples.mapToPair(kv -> new Tuple2<>(SampleIndex.orderKey(kv._1()), kv))
                .repartitionAndSortWithinPartitions(new HalfSplit(lastOfFirstHalf))
                .mapToPair(Tuple2::_2);
    }

    /** Keys up to {@code lastOfFirstHalf} to partition 0, the others to partition 1. */
    static final class HalfSplit extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final long lastOfFirstHalf;

        HalfSplit(long lastOfFirstHalf) {
            this.lastOfFirstHalf = lastOfFirstHalf;
        }

        @Override
        public int numPartitions() {
            return PARTITIONS;
        }

        @Override
        public int getPartition(Object key) {
            return (Long) key <= lastOfFirstHalf ? 0 : 1;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof HalfSplit h && h.lastOfFirstHalf == lastOfFirstHalf;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(lastOfFirstHalf);
        }
    }

    /**
     * One target per time step of a sample: o normalised, mu = K x + k (BADMM: shifted by the
     * multipliers), P = S^{-1}, the step's weight.
     */
    static List<PolicyTarget> targetsOf(int condition, Trajectory traj, LinearGaussianController ctrl, double[] weights,
                                        ObservationNormalizer normalizer, BadmmDuals duals) {
        if (ctrl == null || weights == null) {
            throw new IllegalStateException("no controller or weights for condition " + condition);
        }
        List<PolicyTarget> out = new ArrayList<>(traj.horizon());
        for (int t = 0; t < traj.horizon(); t++) {
            Mat p = ctrl.precision(t);
            int dU = p.rows();
            double[] prec = new double[dU * dU];
            for (int i = 0; i < dU; i++) {
                for (int j = 0; j < dU; j++) {
                    prec[i * dU + j] = p.get(i, j);
                }
            }
            double[] mean = duals == null ? ctrl.meanAction(t, traj.x()[t]) : duals.targetMean(ctrl, t, traj.x()[t]);
            out.add(new PolicyTarget(normalizer.apply(traj.o()[t]), mean, prec, weights[t]));
        }
        return out;
    }

    /** The weights of all (condition, t) normalised together; every sample of a condition shares its row. */
    static Map<Integer, double[]> normaliseWeights(Map<Integer, double[]> unordered) {
        TreeMap<Integer, double[]> weights = new TreeMap<>(unordered);
        int total = 0;
        for (double[] w : weights.values()) {
            total += w.length;
        }
        double[] flat = new double[total];
        int o = 0;
        for (double[] w : weights.values()) {
            System.arraycopy(w, 0, flat, o, w.length);
            o += w.length;
        }
        double[] n = TargetWeights.normalise(flat);
        Map<Integer, double[]> out = new TreeMap<>();
        o = 0;
        for (Map.Entry<Integer, double[]> e : weights.entrySet()) {
            out.put(e.getKey(), java.util.Arrays.copyOfRange(n, o, o + e.getValue().length));
            o += e.getValue().length;
        }
        return out;
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i];
        }
        return out;
    }
}
