package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
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
