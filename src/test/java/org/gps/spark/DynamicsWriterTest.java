package org.gps.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.gps.io.DynamicsStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
}
