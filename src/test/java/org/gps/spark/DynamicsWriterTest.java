package org.gps.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.gps.io.DynamicsStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DynamicsWriterTest {
    @Test
    void theErrorSummaryIsSummedInOrderOfTWhateverThePartitioningOnTheExecutorsOrOnTheDriver() {
        Random r = new Random(8);
        List<DynamicsFitting.StepFit> steps = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            for (int t = 0; t < 40; t++) {
                steps.add(new DynamicsFitting.StepFit(c, t, 5, null, Math.exp(8 * r.nextGaussian()),
                        r.nextDouble(), new double[0]));
            }
        }
        List<DynamicsFitting.StepFit> shuffled = new ArrayList<>(steps);
        Collections.shuffle(shuffled, r);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        for (int partitions : new int[] {1, 2, 5}) {
            List<DynamicsStore.ErrorSummary> summary = DynamicsWriter.errorSummary(jsc.parallelize(shuffled, partitions));
            assertEquals(3, summary.size());
            // A run's fits are summarised on the driver (they come there anyway), a logged fit's on the
            // executors: the same numbers either way.
            assertEquals(DynamicsWriter.errorSummary(shuffled), summary, partitions + " partitions");
            for (int c = 0; c < 3; c++) {
                double rmse = 0;
                double relative = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < 40; t++) {
                    rmse += steps.get(40 * c + t).rmse();
                    relative += steps.get(40 * c + t).relativeRmse();
                    max = Math.max(max, steps.get(40 * c + t).rmse());
                }
                // Exact: the magnitudes spread over many orders, so any other order would round differently.
                assertEquals(new DynamicsStore.ErrorSummary(c, 40, rmse / 40, max, relative / 40), summary.get(c),
                        partitions + " partitions");
            }
        }
    }

    /**
     * A run's fits are written from the driver in order of condition and t, whether they were fitted
     * in one task or spread over the shuffle's tasks (whose order follows the hash partitioning).
     */
    @Test
    void aRunsStepTableListsItsFitsInOrderOfConditionAndT(@TempDir Path dir) {
        org.apache.spark.sql.SparkSession spark = SparkTestSession.get();
        var traj = TrajectoryGroups.trajectories(DynamicsFittingTest.linearRollouts(spark, 3, 6, 12, 10));
        for (long inTaskLimit : new long[] {10, 10_000}) {
            DynamicsFitting.Result fit = DynamicsFitting.fit(traj, DynamicsFitting.CurrentSet.all(),
                    org.gps.core.dynamics.DynamicsOptions.defaults(1).withInTaskMaxPoints(inTaskLimit), Map.of(), 1);
            String out = dir.resolve("fit-" + inTaskLimit).toString();
            try {
                DynamicsWriter.write(spark, out, fit, false, "test", null, true);
            } finally {
                fit.steps().unpersist();
            }
            List<String> read = new ArrayList<>();
            for (org.apache.spark.sql.Row r : spark.read().parquet(out + "/" + DynamicsStore.STEPS)
                    .select("condition", "t").collectAsList()) {
                read.add(r.getInt(0) + "," + r.getInt(1));
            }
            List<String> expected = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                for (int t = 0; t < 11; t++) {
                    expected.add(c + "," + t);
                }
            }
            assertEquals(expected, read, "in-task limit " + inTaskLimit);
        }
    }
}
