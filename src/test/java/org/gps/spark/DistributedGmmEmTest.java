package org.gps.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.gps.core.gmm.EmResult;
import org.gps.core.gmm.GmmEm;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.gmm.PointBlock;
import org.gps.core.linalg.Vec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

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

    @Test
    void severalGroupsFittedAtOnceOnSparkEqualEachGroupFittedLocally() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        List<PointBlock> all = new ArrayList<>();
        all.addAll(blocks(0, 1, 70));
        all.addAll(blocks(1, 2, 70));
        JavaRDD<PointBlock> rdd = jsc.parallelize(all, 5).cache();
        GmmOptions options = GmmOptions.defaults(42);
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
        GmmOptions options = GmmOptions.defaults(8);
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
