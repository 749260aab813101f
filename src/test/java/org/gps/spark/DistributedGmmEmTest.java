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

    /** The same EM (an explicit start: {@code auto} would pick another start for each) on Spark and locally. */
    @ParameterizedTest
    @EnumSource(value = GmmOptions.Initialization.class, names = {"KMEANS", "SAMPLED_MEANS"})
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
     * The default start, auto, is the sampled means both for a GMM whose passes are distributed
     * and for one fitted inside a task: the same bits as asking for that start by name.
     */
    @Test
    void autoStartIsSampledMeansForDistributedPassesAndInsideATask() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<PointBlock> all = new ArrayList<>();
        all.addAll(blocks(0, 6, 64));
        all.addAll(blocks(1, 7, 64));
        JavaRDD<PointBlock> rdd = jsc.parallelize(all, 4).cache();
        GmmOptions auto = GmmOptions.defaults(9);
        assertEquals(GmmOptions.Initialization.AUTO, auto.initialization());
        Map<Integer, Integer> k = Map.of(0, 3, 1, 3);
        java.util.Set<Integer> inTask = java.util.Set.of(1);
        Map<Integer, EmResult> byAuto = DistributedGmmEm.fit(rdd, k, Map.of(), auto, inTask);
        Map<Integer, EmResult> sampled = DistributedGmmEm.fit(rdd, k, Map.of(),
                auto.withInitialization(GmmOptions.Initialization.SAMPLED_MEANS), inTask);
        Map<Integer, EmResult> kmeans = DistributedGmmEm.fit(rdd, k, Map.of(),
                auto.withInitialization(GmmOptions.Initialization.KMEANS), inTask);
        rdd.unpersist();
        for (int g = 0; g < 2; g++) {
            assertArrayEquals(sampled.get(g).logLikelihoods(), byAuto.get(g).logLikelihoods(), 0.0);
            assertEquals(sampled.get(g).model(), byAuto.get(g).model());
            // The other start differs on both groups, so the checks above can tell the starts apart.
            org.junit.jupiter.api.Assertions.assertNotEquals(kmeans.get(g).model(), sampled.get(g).model(), "group " + g);
        }
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
