package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.linalg.Mat;
import org.gps.core.policy.PolicyOptions;
import org.gps.core.sample.Trajectory;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyUpdateTest {
    private static final int T = 8;

    @Test
    void theSStepTrainsTheSameNetworkInTheDriverAsOnTheExecutors() {
        // Both paths sum the same two ordered partitions in the same order (PolicyTraining), so the
        // S-step's network is the same double for double whichever trains it: switching between
        // them moves no documented result.
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> data = twoConditionSamples();
        PolicyUpdate.Result local = PolicyUpdate.train(jsc.parallelizePairs(data, 3), twoConditionControllers(),
                twoConditionWeights(), null, twoConditionOptions(PolicyOptions.Training.LOCAL), 4);
        PolicyUpdate.Result distributed = PolicyUpdate.train(jsc.parallelizePairs(data, 3), twoConditionControllers(),
                twoConditionWeights(), null, twoConditionOptions(PolicyOptions.Training.DISTRIBUTED), 4);
        assertTrue(local.iterations() > 10, "trained for " + local.iterations() + " iterations");
        assertEquals(distributed.iterations(), local.iterations());
        assertEquals(distributed.finalLoss(), local.finalLoss(), 0.0);
        assertArrayEquals(distributed.policy().network().parameters(), local.policy().network().parameters(), 0.0);
        // The covariance's sums: added by Spark on the executors, in the driver when it trains.
        assertArrayEquals(distributed.policy().variance(), local.policy().variance(), 0.0);
        assertArrayEquals(distributed.policy().normalizer().scale(), local.policy().normalizer().scale(), 0.0);
        assertEquals(distributed.targets(), local.targets());

        // Continuing from a policy, the driver's samples come back with the index: one Spark job.
        int[] jobs = new int[1];
        PolicyUpdate.Result next = jobsOf("continued-local", jobs, () -> PolicyUpdate.train(
                jsc.parallelizePairs(data, 3), twoConditionControllers(), twoConditionWeights(), null, local.policy(),
                twoConditionOptions(PolicyOptions.Training.LOCAL), 4));
        assertEquals(1, jobs[0]);
        PolicyUpdate.Result nextDistributed = PolicyUpdate.train(jsc.parallelizePairs(data, 3),
                twoConditionControllers(), twoConditionWeights(), null, local.policy(),
                twoConditionOptions(PolicyOptions.Training.DISTRIBUTED), 4);
        assertArrayEquals(nextDistributed.policy().network().parameters(), next.policy().network().parameters(), 0.0);
        assertArrayEquals(nextDistributed.policy().variance(), next.policy().variance(), 0.0);
    }

    private static <T> T jobsOf(String group, int[] jobs, java.util.function.Supplier<T> work) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        jsc.setJobGroup(group, group, false);
        try {
            return work.get();
        } finally {
            jsc.clearJobGroup();
            jobs[0] = jsc.statusTracker().getJobIdsForGroup(group).length;
        }
    }

    @Test
    void theIndexBringsTheSamplesBackOnlyWhenEveryPartitionIsWithinItsShare() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> data = spreadSamples(2, 3, 5, 4, 31);
        // 30 samples of 4 steps over 3 partitions of 10: 40 targets each.
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples = jsc.parallelizePairs(data, 3);
        assertEquals(null, SampleIndex.of(samples, false).gathered());
        assertEquals(null, SampleIndex.of(samples, false, 39).gathered());
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> all = SampleIndex.of(samples, false, 40).gathered();
        assertEquals(data.stream().map(Tuple2::_1).sorted(java.util.Comparator.comparingLong(SampleIndex::orderKey))
                .toList(), all.stream().map(Tuple2::_1).sorted(java.util.Comparator.comparingLong(SampleIndex::orderKey))
                .toList());
        SampleIndex index = SampleIndex.of(samples, true, 40);
        assertEquals(120, index.targets());
        assertArrayEquals(SampleIndex.of(samples, true).observationSums(), index.observationSums(), 0.0);
    }

    /** Observations and weights over many magnitudes, so that adding them in another order moves their sums' bits. */
    private static List<Tuple2<TrajectoryGroups.Key, Trajectory>> spreadSamples(int iterations, int conditions,
                                                                               int samples, int horizon, long seed) {
        Random r = new Random(seed);
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> data = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            for (int c = 0; c < conditions; c++) {
                for (int n = 0; n < samples; n++) {
                    double[][] x = new double[horizon][2];
                    for (double[] row : x) {
                        row[0] = r.nextGaussian() * Math.exp(4 * r.nextGaussian());
                        row[1] = r.nextGaussian();
                    }
                    data.add(new Tuple2<>(new TrajectoryGroups.Key(i, c, n), new Trajectory(x, new double[horizon][1],
                            x)));
                }
            }
        }
        Collections.shuffle(data, new Random(seed + 1));
        return data;
    }

    /** Condition c's controller: precision 1 / S_t with S_t spread over magnitudes, 2 actions. */
    private static Map<Integer, LinearGaussianController> spreadControllers(int conditions, int horizon, long seed) {
        Random r = new Random(seed);
        Map<Integer, LinearGaussianController> ctrls = new TreeMap<>();
        for (int c = 0; c < conditions; c++) {
            Mat[] k = new Mat[horizon];
            double[][] o = new double[horizon][2];
            Mat[] s = new Mat[horizon];
            for (int t = 0; t < horizon; t++) {
                k[t] = Mat.of(new double[][] {{r.nextGaussian(), 0.1}, {0.3, r.nextGaussian()}});
                o[t] = new double[] {r.nextGaussian(), r.nextGaussian()};
                double a = Math.exp(3 * r.nextGaussian());
                double b = Math.exp(3 * r.nextGaussian());
                double ab = 0.3 * Math.sqrt(a * b);
                s[t] = Mat.of(new double[][] {{a, ab}, {ab, b}});
            }
            ctrls.put(c, LinearGaussianController.of(k, o, s));
        }
        return ctrls;
    }

    @Test
    void theTargetsGatheredInTheDriverLieAsTheOrderedPartitionsHoldThemAndSumAsSparkSumsThem() {
        // Trained in the driver, the S-step places each sample's targets by its index and adds the
        // covariance's sums itself; on the executors Spark reduces them over the ordered partitions.
        // Both must be the same doubles in the same places: the same policy either way.
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        int horizon = 7;
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> data = spreadSamples(3, 5, 7, horizon, 11);
        Map<Integer, LinearGaussianController> ctrls = spreadControllers(5, horizon, 12);
        Random r = new Random(13);
        double[] w = java.util.stream.DoubleStream.generate(() -> Math.exp(5 * r.nextGaussian())).limit(horizon)
                .toArray();
        org.gps.core.policy.ObservationNormalizer norm = org.gps.core.policy.ObservationNormalizer.fromMoments(
                new double[] {0.5, -0.2}, new double[] {3.0, 0.7});
        int perTarget = 2 + 2 + 4 + 1;
        for (int inputPartitions : new int[] {1, 3, 8}) {
            JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples = jsc.parallelizePairs(data, inputPartitions);
            SampleIndex index = SampleIndex.of(samples, false);
            assertEquals(3 * 5 * 7 * horizon, index.targets());
            List<Tuple2<Long, double[]>> rows = new ArrayList<>();
            for (Tuple2<TrajectoryGroups.Key, Trajectory> kv : data) {
                List<org.gps.core.policy.PolicyTarget> ts = PolicyUpdate.targetsOf(kv._1().condition(), kv._2(),
                        ctrls.get(kv._1().condition()), w, norm, null);
                double[] flat = new double[ts.size() * perTarget];
                for (int i = 0; i < ts.size(); i++) {
                    System.arraycopy(ts.get(i).packed(), 0, flat, i * perTarget, perTarget);
                }
                rows.add(new Tuple2<>(SampleIndex.orderKey(kv._1()), flat));
            }
            List<double[]> placed = index.partitions(rows, perTarget);

            JavaRDD<org.gps.core.policy.PolicyTarget> onExecutors = PolicyUpdate.ordered(samples)
                    .flatMap(kv -> PolicyUpdate.targetsOf(kv._1().condition(), kv._2(), ctrls.get(kv._1().condition()),
                            w, norm, null).iterator());
            List<List<org.gps.core.policy.PolicyTarget>> parts = onExecutors.glom().collect();
            assertEquals(2, parts.size());
            for (int p = 0; p < 2; p++) {
                double[] expected = parts.get(p).stream().map(org.gps.core.policy.PolicyTarget::packed)
                        .flatMapToDouble(java.util.Arrays::stream).toArray();
                assertArrayEquals(expected, placed.get(p), 0.0, "partition " + p);
            }
            double[] bySpark = PolicyUpdate.covarianceSums(onExecutors, 2);
            double[] inDriver = PolicyUpdate.covarianceSums(placed, perTarget, 2);
            assertTrue(java.util.Arrays.equals(bySpark, inDriver), () -> java.util.Arrays.toString(bySpark) + " by Spark, "
                    + java.util.Arrays.toString(inDriver) + " in the driver");
            // The data is spread enough that the order matters: one partition of all the targets sums
            // to other bits, so equality above is not luck.
            double[] oneFold = PolicyUpdate.covarianceSums(List.of(concat(placed.get(0), placed.get(1))), perTarget, 2);
            assertTrue(!java.util.Arrays.equals(inDriver, oneFold), "order-sensitive data");
        }
    }

    @Test
    void theObservationSumsAddedInTheDriverAreSparksReduceOverTheOrderedSamples() {
        // The first update's normalisation, from the index's per-sample sums, against the reduce
        // over the ordered samples it replaces.
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> data = spreadSamples(2, 7, 22, 9, 21);
        for (int inputPartitions : new int[] {1, 2, 5}) {
            JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples = jsc.parallelizePairs(data, inputPartitions);
            double[] bySpark = PolicyUpdate.ordered(samples).map(kv -> SampleIndex.momentsOf(kv._2().o()))
                    .reduce((a, b) -> SampleIndex.addInto(a.clone(), b));
            double[] inDriver = SampleIndex.of(samples, true).observationSums();
            assertTrue(java.util.Arrays.equals(bySpark, inDriver), () -> java.util.Arrays.toString(bySpark)
                    + " by Spark, " + java.util.Arrays.toString(inDriver) + " in the driver");
        }
        double[] inOneFold = data.stream().sorted(java.util.Comparator.comparingLong(kv -> SampleIndex.orderKey(kv._1())))
                .map(kv -> SampleIndex.momentsOf(kv._2().o())).reduce((a, b) -> SampleIndex.addInto(a.clone(), b))
                .orElseThrow();
        assertTrue(!java.util.Arrays.equals(SampleIndex.of(jsc.parallelizePairs(data, 2), true).observationSums(),
                inOneFold), "order-sensitive data");
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void theSStepIsReproducibleBitForBitWhateverTheInputOrderAndPartitioning() {
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> data = twoConditionSamples();
        Map<Integer, LinearGaussianController> ctrls = twoConditionControllers();
        Map<Integer, double[]> weights = twoConditionWeights();
        PolicyOptions options = twoConditionOptions(PolicyOptions.Training.AUTO);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> a = jsc.parallelizePairs(data, 3);
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> shuffled = new ArrayList<>(data);
        Collections.shuffle(shuffled, new Random(9));
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> b = jsc.parallelizePairs(shuffled, 5);

        PolicyUpdate.Result ra = PolicyUpdate.train(a, ctrls, weights, null, options, 4);
        PolicyUpdate.Result rb = PolicyUpdate.train(b, ctrls, weights, null, options, 4);
        // Same targets in the same order in the same two partitions: identical sums at every L-BFGS
        // iteration, so identical parameters, normalisation and variance (not merely close).
        assertArrayEquals(ra.policy().network().parameters(), rb.policy().network().parameters(), 0.0);
        assertArrayEquals(ra.policy().normalizer().scale(), rb.policy().normalizer().scale(), 0.0);
        assertArrayEquals(ra.policy().variance(), rb.policy().variance(), 0.0);
        assertEquals(ra.finalLoss(), rb.finalLoss(), 0.0);
        // The variance is 1 / (mean precision): weights all equal, precisions 1/0.2 and 1/0.3 half each.
        assertEquals(1.0 / (0.5 / 0.2 + 0.5 / 0.3), ra.policy().variance()[0], 1e-12);
        assertEquals(2 * 4 * T, ra.targets());
    }

    private static PolicyOptions twoConditionOptions(PolicyOptions.Training training) {
        return new PolicyOptions(new int[] {6}, 30, 0.0, 0.0, 0.01, false, PolicyOptions.defaultPrior(1), 1, T,
                PolicyOptions.Badmm.defaults(), 0, training, PolicyOptions.EvalStarts.EVEN);
    }

    /** Two conditions of four samples each, T steps of a 2-d state observed as itself. */
    private static List<Tuple2<TrajectoryGroups.Key, Trajectory>> twoConditionSamples() {
        Random r = new Random(2);
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> data = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            for (int n = 0; n < 4; n++) {
                double[][] x = new double[T][2];
                for (double[] row : x) {
                    row[0] = r.nextGaussian();
                    row[1] = r.nextGaussian();
                }
                data.add(new Tuple2<>(new TrajectoryGroups.Key(0, c, n), new Trajectory(x, new double[T][1], x)));
            }
        }
        return data;
    }

    private static Map<Integer, LinearGaussianController> twoConditionControllers() {
        Map<Integer, LinearGaussianController> ctrls = new TreeMap<>();
        for (int c = 0; c < 2; c++) {
            Mat[] k = new Mat[T];
            double[][] o = new double[T][1];
            Mat[] s = new Mat[T];
            for (int t = 0; t < T; t++) {
                k[t] = Mat.of(new double[][] {{-1.0 - c, 0.5 * t / T}});
                o[t][0] = 0.1 * c;
                s[t] = Mat.of(new double[][] {{0.2 + 0.1 * c}});
            }
            ctrls.put(c, LinearGaussianController.of(k, o, s));
        }
        return ctrls;
    }

    private static Map<Integer, double[]> twoConditionWeights() {
        Map<Integer, double[]> weights = new TreeMap<>();
        for (int c = 0; c < 2; c++) {
            weights.put(c, java.util.stream.DoubleStream.generate(() -> 0.01).limit(T).toArray());
        }
        return weights;
    }

    @Test
    void theSamplesSplitAtTheirMedianKeyWhateverTheInputPartitioning() {
        // 301 samples: more than the range partitioner behind sortByKey takes from an input
        // partition, so its split would depend on how many partitions (cores) the input has.
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> data = new ArrayList<>();
        List<TrajectoryGroups.Key> keys = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            for (int c = 0; c < 7; c++) {
                for (int n = 0; n < (i == 0 ? 22 : 21); n++) {
                    TrajectoryGroups.Key k = new TrajectoryGroups.Key(i, c, n);
                    keys.add(k);
                    data.add(new Tuple2<>(k, new Trajectory(new double[][] {{c}}, new double[][] {{n}},
                            new double[][] {{i}})));
                }
            }
        }
        Collections.shuffle(data, new Random(4));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<List<TrajectoryGroups.Key>> expected = List.of(keys.subList(0, 151), keys.subList(151, keys.size()));
        for (int partitions : new int[] {1, 2, 5}) {
            List<List<TrajectoryGroups.Key>> split = new ArrayList<>();
            for (List<Tuple2<TrajectoryGroups.Key, Trajectory>> part
                    : PolicyUpdate.ordered(jsc.parallelizePairs(data, partitions)).glom().collect()) {
                split.add(part.stream().map(Tuple2::_1).toList());
            }
            // Compared whole; the message says only where the split fell (the lists are long).
            assertTrue(expected.equals(split), () -> partitions + " input partitions: partition 0 holds " + split.get(0).size()
                    + " samples up to " + split.get(0).get(split.get(0).size() - 1) + "; expected 151 up to "
                    + keys.get(150));
        }
    }

    /** A controller acting the constant u, whatever the state, with variance 0.1. */
    private static LinearGaussianController constant(double u) {
        Mat[] k = new Mat[T];
        double[][] o = new double[T][1];
        Mat[] s = new Mat[T];
        for (int t = 0; t < T; t++) {
            k[t] = Mat.of(new double[][] {{0.0, 0.0}});
            o[t][0] = u;
            s[t] = Mat.of(new double[][] {{0.1}});
        }
        return LinearGaussianController.of(k, o, s);
    }

    @Test
    void replayedSamplesTrainTowardsTheControllersOfTheirOwnIteration() {
        // Iteration 0's samples lie near o = (+1, 0), iteration 1's near (-1, 0); iteration 0's C-step
        // asked for u = 0.5 there, iteration 1's asks for -0.3. Trained on both, the policy must act
        // 0.5 on the first region and -0.3 on the second: building every target from the newest
        // controllers would give -0.3 on both, from the oldest 0.5 on both.
        Random r = new Random(8);
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> data = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            for (int n = 0; n < 4; n++) {
                double[][] x = new double[T][2];
                for (double[] row : x) {
                    row[0] = (i == 0 ? 1 : -1) + 0.05 * r.nextGaussian();
                    row[1] = 0.05 * r.nextGaussian();
                }
                data.add(new Tuple2<>(new TrajectoryGroups.Key(i, 0, n), new Trajectory(x, new double[T][1], x)));
            }
        }
        Map<Integer, Map<Integer, LinearGaussianController>> byIteration = new TreeMap<>();
        byIteration.put(0, Map.of(0, constant(0.5)));
        byIteration.put(1, Map.of(0, constant(-0.3)));
        Map<Integer, double[]> weights = Map.of(0, java.util.stream.DoubleStream.generate(() -> 0.01).limit(T).toArray());
        PolicyOptions options = new PolicyOptions(new int[] {8}, 200, 0.0, 0.0, 0.01, false,
                PolicyOptions.defaultPrior(1), 1, T, PolicyOptions.Badmm.defaults(), 1, PolicyOptions.Training.AUTO,
                PolicyOptions.EvalStarts.EVEN);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        PolicyUpdate.Result both = PolicyUpdate.trainOnIterations(jsc.parallelizePairs(data, 3), byIteration, weights,
                null, options, 3);
        assertEquals(2 * 4 * T, both.targets());
        // Two clusters 2 apart with the targets constant on each: a net of 8 units fits them to well
        // within 0.05 (the clusters' spread, 0.05, is what the fit may blur).
        assertEquals(0.5, both.policy().meanAction(new double[] {1, 0})[0], 0.05);
        assertEquals(-0.3, both.policy().meanAction(new double[] {-1, 0})[0], 0.05);

        // With one iteration the replaying path builds the same targets as the plain one: same bits.
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> last = data.stream().filter(kv -> kv._1().iteration() == 1)
                .toList();
        PolicyUpdate.Result plain = PolicyUpdate.train(jsc.parallelizePairs(last, 2), byIteration.get(1), weights,
                null, options, 3);
        PolicyUpdate.Result replaying = PolicyUpdate.trainOnIterations(jsc.parallelizePairs(last, 2),
                Map.of(1, byIteration.get(1)), weights, null, options, 3);
        assertArrayEquals(plain.policy().network().parameters(), replaying.policy().network().parameters(), 0.0);
    }
}
