package org.gps.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.gps.core.gmm.EmResult;
import org.gps.core.gmm.GmmEm;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.gmm.PointBlock;
import org.gps.core.linalg.Vec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistributedGmmEmTest {
    /** Group g: three 3-d Gaussians around centres shifted by 5g. */
    private static List<PointBlock> blocks(int group, long seed, int blockSize) {
        Random r = new Random(seed);
        List<double[]> pts = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 300; i++) {
                pts.add(new double[] {8 * c + 5 * group + r.nextGaussian(), -4 * c + r.nextGaussian(), r.nextGaussian()});
            }
        }
        List<PointBlock> out = new ArrayList<>();
        for (int i = 0; i < pts.size(); i += blockSize) {
            out.add(PointBlock.of(group, pts.subList(i, Math.min(pts.size(), i + blockSize)), 1000L * group + i));
        }
        return out;
    }

    /** The same EM on Spark and locally, for every start (auto takes the sampled means for these sizes). */
    @ParameterizedTest
    @EnumSource(GmmOptions.Initialization.class)
    void severalGroupsFittedAtOnceOnSparkEqualEachGroupFittedLocally(GmmOptions.Initialization start) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<PointBlock> all = new ArrayList<>();
        all.addAll(blocks(0, 1, 70));
        all.addAll(blocks(1, 2, 70));
        JavaRDD<PointBlock> rdd = jsc.parallelize(all, 5).cache();
        GmmOptions options = GmmOptions.defaults(42).withInitialization(start);
        Map<Integer, EmResult> spark = DistributedGmmEm.fit(rdd, Map.of(0, 3, 1, 4), Map.of(), options);
        rdd.unpersist();
        for (int g = 0; g < 2; g++) {
            EmResult local = GmmEm.fit(blocks(g, g + 1, 900), g == 0 ? 3 : 4,
                    options.withSeed(DistributedGmmEm.groupSeed(42, g)), null);
            EmResult dist = spark.get(g);
            assertEquals(local.iterations(), dist.iterations(), "group " + g);
            // Same statistics summed in a different order: rounding only.
            assertEquals(local.logLikelihood(), dist.logLikelihood(), 1e-9 * Math.abs(local.logLikelihood()));
            for (int k = 0; k < local.model().clusters(); k++) {
                assertTrue(Vec.maxAbsDiff(local.model().mean(k), dist.model().mean(k)) < 1e-8, "group " + g + " k " + k);
                assertTrue(local.model().covariance(k).maxAbsDiff(dist.model().covariance(k)) < 1e-8);
            }
        }
    }

    @Test
    void groupsFittedInsideOneTaskEachAgreeWithDistributedPasses() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<PointBlock> all = new ArrayList<>();
        all.addAll(blocks(0, 4, 64));
        all.addAll(blocks(1, 5, 64));
        JavaRDD<PointBlock> rdd = jsc.parallelize(all, 4).cache();
        // An explicit start: with auto, in-task and distributed EM start differently by design.
        GmmOptions options = GmmOptions.defaults(8).withInitialization(GmmOptions.Initialization.KMEANS);
        Map<Integer, EmResult> passes = DistributedGmmEm.fit(rdd, Map.of(0, 3, 1, 3), Map.of(), options);
        Map<Integer, EmResult> inTask = DistributedGmmEm.fit(rdd, Map.of(0, 3, 1, 3), Map.of(), options,
                java.util.Set.of(0, 1));
        Map<Integer, EmResult> mixed = DistributedGmmEm.fit(rdd, Map.of(0, 3, 1, 3), Map.of(), options,
                java.util.Set.of(1));
        rdd.unpersist();
        for (int g = 0; g < 2; g++) {
            for (Map<Integer, EmResult> other : List.of(inTask, mixed)) {
                assertEquals(passes.get(g).iterations(), other.get(g).iterations());
                // Same EM, sums in another order: rounding only.
                for (int k = 0; k < 3; k++) {
                    assertTrue(Vec.maxAbsDiff(passes.get(g).model().mean(k), other.get(g).model().mean(k)) < 1e-8);
                    assertTrue(passes.get(g).model().covariance(k).maxAbsDiff(other.get(g).model().covariance(k)) < 1e-8);
                }
            }
        }
    }

    /**
     * Small GMMs share the in-task EM's tasks, two per core at least; GMMs whose E-steps pay for a
     * task each keep one each; never more tasks than GMMs.
     */
    @Test
    void smallGmmsShareTasksAndLargeOnesKeepOneEach() {
        // The policy linearization's shape: twenty GMMs of 1,000 points, K = 50, D = 6 (the estimate's dimension).
        List<Long> policyPrior = java.util.Collections.nCopies(20, 1000L * 50 * 36 / 2);
        assertEquals(4, DistributedGmmEm.inTaskTasks(policyPrior, 2));
        assertEquals(16, DistributedGmmEm.inTaskTasks(policyPrior, 8));
        assertEquals(20, DistributedGmmEm.inTaskTasks(policyPrior, 64));
        // The dynamics benchmark's medium size: eight GMMs of 1,980 points, K = 20, D = 59.
        assertEquals(8, DistributedGmmEm.inTaskTasks(java.util.Collections.nCopies(8, 1980L * 20 * 59 * 59 / 2), 2));
        // Many small ones whose work adds up: one task per IN_TASK_MIN_WORK.
        List<Long> many = java.util.Collections.nCopies(300, DistributedGmmEm.IN_TASK_MIN_WORK / 3);
        assertEquals(100, DistributedGmmEm.inTaskTasks(many, 2));
        assertEquals(3, DistributedGmmEm.inTaskTasks(List.of(1L, 1L, 1L), 2));
        assertEquals(1, DistributedGmmEm.inTaskTasks(List.of(1L), 1));
        assertEquals(0, DistributedGmmEm.inTaskTasks(List.of(), 2));
    }

    /**
     * However many tasks the in-task GMMs share, each GMM is the same to the bit, and the EM job's
     * last stage runs that many tasks.
     */
    @Test
    void sharingTheInTaskEmTasksChangesNoGmm() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<PointBlock> all = new ArrayList<>();
        int groups = 5;
        Map<Integer, Integer> k = new java.util.HashMap<>();
        for (int g = 0; g < groups; g++) {
            all.addAll(blocks(g, 10 + g, 90));
            k.put(g, 3);
        }
        JavaRDD<PointBlock> rdd = jsc.parallelize(all, 3).cache();
        GmmOptions options = GmmOptions.defaults(5);
        java.util.Set<Integer> inTask = k.keySet();
        Map<Integer, EmResult> apart = DistributedGmmEm.fit(rdd, k, Map.of(), options, inTask, groups);
        for (int tasks : new int[] {1, 2, 3}) {
            String group = "distributed-gmm-em-test-" + tasks + "-" + System.nanoTime();
            jsc.sc().setJobGroup(group, "", false);
            Map<Integer, EmResult> shared;
            try {
                shared = DistributedGmmEm.fit(rdd, k, Map.of(), options, inTask, tasks);
            } finally {
                jsc.sc().clearJobGroup();
            }
            var tracker = jsc.sc().statusTracker();
            int[] jobs = tracker.getJobIdsForGroup(group);
            assertEquals(1, jobs.length, "one job for every in-task GMM");
            int lastStage = java.util.Arrays.stream(tracker.getJobInfo(jobs[0]).get().stageIds()).max().getAsInt();
            assertEquals(tasks, tracker.getStageInfo(lastStage).get().numTasks(), "tasks of the EM stage");
            assertSameBits(apart, shared, groups, tasks + " tasks");
        }
        rdd.unpersist();
    }

    /**
     * GMMs whose blocks are each in one partition (a run's rollouts partitioned by condition) are
     * fitted in the partitions that hold them: one job of one stage, no shuffle, and every GMM the
     * same to the bit as fitted after the shuffle.
     */
    @Test
    void groupsWholeInTheirPartitionsAreFittedThereToTheSameBits() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<PointBlock> all = new ArrayList<>();
        int groups = 4;
        Map<Integer, Integer> k = new java.util.HashMap<>();
        for (int g = 0; g < groups; g++) {
            // Ten blocks a group, in no order: the fit sorts them.
            List<PointBlock> mine = new ArrayList<>(blocks(g, 10 + g, 90));
            java.util.Collections.shuffle(mine, new Random(g));
            all.addAll(mine);
            k.put(g, 3);
        }
        // Two slices of twenty blocks: groups 0 and 1, groups 2 and 3.
        JavaRDD<PointBlock> whole = jsc.parallelize(all, 2).cache();
        JavaRDD<PointBlock> spread = jsc.parallelize(all, 3).cache();
        GmmOptions options = GmmOptions.defaults(5);
        java.util.Set<Integer> inTask = k.keySet();
        Map<Integer, EmResult> shuffled = DistributedGmmEm.fit(spread, k, Map.of(), options, inTask, groups);
        whole.count();
        String group = "distributed-gmm-em-test-whole-" + System.nanoTime();
        jsc.sc().setJobGroup(group, "", false);
        Map<Integer, EmResult> inPlace;
        try {
            inPlace = DistributedGmmEm.fit(whole, k, Map.of(), options, inTask, groups, true);
        } finally {
            jsc.sc().clearJobGroup();
        }
        var tracker = jsc.sc().statusTracker();
        int[] jobs = tracker.getJobIdsForGroup(group);
        assertEquals(1, jobs.length, "one job for every in-task GMM");
        int[] stages = tracker.getJobInfo(jobs[0]).get().stageIds();
        assertEquals(1, stages.length, "no shuffle");
        assertEquals(2, tracker.getStageInfo(stages[0]).get().numTasks(), "a task per partition");
        assertEquals(groups, inPlace.size());
        assertSameBits(shuffled, inPlace, groups, "in their partitions");
        whole.unpersist();
        spread.unpersist();
    }

    /** Groups 0 .. groups - 1 of two fits, each of three clusters, the same to the bit. */
    private static void assertSameBits(Map<Integer, EmResult> expected, Map<Integer, EmResult> actual, int groups,
                                       String what) {
        for (int g = 0; g < groups; g++) {
            EmResult a = expected.get(g);
            EmResult b = actual.get(g);
            assertEquals(a.iterations(), b.iterations(), what + ", group " + g);
            assertEquals(Double.doubleToRawLongBits(a.logLikelihood()), Double.doubleToRawLongBits(b.logLikelihood()),
                    what + ", group " + g);
            for (int c = 0; c < 3; c++) {
                assertArrayEquals(bits(a.model().mean(c)), bits(b.model().mean(c)), what + ", group " + g);
                assertArrayEquals(bits(a.model().covariance(c).toColumnMajor()),
                        bits(b.model().covariance(c).toColumnMajor()), what + ", group " + g);
                assertEquals(Double.doubleToRawLongBits(a.model().logMass(c)),
                        Double.doubleToRawLongBits(b.model().logMass(c)), what + ", group " + g);
            }
        }
    }

    private static long[] bits(double[] v) {
        return java.util.Arrays.stream(v).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    /**
     * The default start, auto, resolved per group by its points per cluster, on distributed passes
     * and inside a task alike: the 900 points of group 0 (3 clusters in 3-d) take the sampled means,
     * the 27 of group 1 (3 D K) the random assignment, the same bits as asking for each by name.
     */
    @Test
    void autoTakesEachGroupsStartForDistributedPassesAndInsideATask() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<PointBlock> all = new ArrayList<>(blocks(0, 6, 64));
        all.add(blocks(1, 7, 27).get(0));
        JavaRDD<PointBlock> rdd = jsc.parallelize(all, 4).cache();
        GmmOptions auto = GmmOptions.defaults(9);
        assertEquals(GmmOptions.Initialization.AUTO, auto.initialization());
        Map<Integer, Integer> k = Map.of(0, 3, 1, 3);
        for (java.util.Set<Integer> inTask : List.of(java.util.Set.of(1), java.util.Set.of(0))) {
            Map<Integer, EmResult> byAuto = DistributedGmmEm.fit(rdd, k, Map.of(), auto, inTask);
            Map<Integer, EmResult> sampled = DistributedGmmEm.fit(rdd, k, Map.of(),
                    auto.withInitialization(GmmOptions.Initialization.SAMPLED_MEANS), inTask);
            Map<Integer, EmResult> random = DistributedGmmEm.fit(rdd, k, Map.of(),
                    auto.withInitialization(GmmOptions.Initialization.RANDOM_ASSIGNMENT), inTask);
            for (int g = 0; g < 2; g++) {
                EmResult taken = (g == 0 ? sampled : random).get(g);
                EmResult other = (g == 0 ? random : sampled).get(g);
                assertArrayEquals(taken.logLikelihoods(), byAuto.get(g).logLikelihoods(), 0.0);
                assertEquals(taken.model(), byAuto.get(g).model(), "group " + g + ", in a task: " + inTask);
                org.junit.jupiter.api.Assertions.assertNotEquals(other.model(), taken.model(), "group " + g);
            }
        }
        rdd.unpersist();
    }

    @Test
    void warmStartIsUsedWhenTheClusterCountIsUnchanged() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        JavaRDD<PointBlock> rdd = jsc.parallelize(blocks(0, 3, 100), 3).cache();
        EmResult first = DistributedGmmEm.fit(rdd, Map.of(0, 3), Map.of(), GmmOptions.defaults(1)).get(0);
        EmResult again = DistributedGmmEm.fit(rdd, Map.of(0, 3), Map.of(0, first.model()), GmmOptions.defaults(1)).get(0);
        EmResult resized = DistributedGmmEm.fit(rdd, Map.of(0, 4), Map.of(0, first.model()), GmmOptions.defaults(1)).get(0);
        rdd.unpersist();
        assertTrue(again.warmStarted());
        assertTrue(again.iterations() <= 2, "took " + again.iterations());
        assertTrue(!resized.warmStarted());
    }
}
