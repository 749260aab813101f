package org.gps.io;

import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DynamicsStoreTest {
    @Test
    void aStoredStepOfTheWrongSizeIsABadInputNamingItsPlace(@TempDir Path dir) {
        SparkSession spark = SparkTestSession.get();
        String out = dir.resolve("dynamics").toString();
        // dX = 2, dU = 1: F must hold 2 x 3 = 6 values; t = 1 holds 5.
        AtomicOutput.publish(spark, out, "test", tmp -> {
            spark.createDataFrame(List.of(
                    RowFactory.create(0, 0, 2, 1, 3, new double[] {1, 0, 0, 0, 1, 0}, new double[] {0, 0},
                            new double[] {1, 0, 0, 1}),
                    RowFactory.create(0, 1, 2, 1, 3, new double[] {1, 0, 0, 0, 1}, new double[] {0, 0},
                            new double[] {1, 0, 0, 1})), DynamicsStore.STEPS_SCHEMA)
                    .write().parquet(new org.apache.hadoop.fs.Path(tmp, DynamicsStore.STEPS).toString());
            return 2;
        });
        BadInputException e = assertThrows(BadInputException.class, () -> DynamicsStore.readDynamics(spark, out));
        assertTrue(e.getMessage().contains("condition 0, t 1") && e.getMessage().contains("transition has 5 values; expected 6"),
                e.getMessage());
        assertTrue(e.getMessage().contains(out), e.getMessage());
    }

    @Test
    void theErrorSummaryIsSummedInOrderOfTWhateverThePartitioning() {
        java.util.Random r = new java.util.Random(8);
        List<org.gps.spark.DynamicsFitting.StepFit> steps = new java.util.ArrayList<>();
        for (int c = 0; c < 3; c++) {
            for (int t = 0; t < 40; t++) {
                steps.add(new org.gps.spark.DynamicsFitting.StepFit(c, t, 5, null, Math.exp(8 * r.nextGaussian()),
                        r.nextDouble(), new double[0]));
            }
        }
        java.util.List<org.gps.spark.DynamicsFitting.StepFit> shuffled = new java.util.ArrayList<>(steps);
        java.util.Collections.shuffle(shuffled, r);
        org.apache.spark.api.java.JavaSparkContext jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(
                SparkTestSession.get().sparkContext());
        for (int partitions : new int[] {1, 2, 5}) {
            List<DynamicsStore.ErrorSummary> summary = DynamicsStore.errorSummary(jsc.parallelize(shuffled, partitions));
            org.junit.jupiter.api.Assertions.assertEquals(3, summary.size());
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
                org.junit.jupiter.api.Assertions.assertEquals(new DynamicsStore.ErrorSummary(c, 40, rmse / 40, max,
                        relative / 40), summary.get(c), partitions + " partitions");
            }
        }
    }
}
