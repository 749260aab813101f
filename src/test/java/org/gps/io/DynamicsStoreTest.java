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
}
