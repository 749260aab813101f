package org.gps.pipeline.steps;

import org.apache.spark.sql.SparkSession;
import org.gps.core.control.LinearGaussianController;
import org.gps.io.AtomicOutput;
import org.gps.io.ControllerStore;
import org.gps.io.AtomicOutput;
import org.gps.pipeline.RunDirectory;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Where an iteration's controllers are published and read back, in both formats. */
public final class ControllerOutputs {
    private ControllerOutputs() {
    }

    public static void write(SparkSession spark, RunDirectory run, int iteration,
                             Map<Integer, LinearGaussianController> controllers, String writer) {
        // JSON first: the Parquet marker is what makes the iteration's controllers "complete".
        AtomicOutput.writeFile(run.hadoopConf(), run.controllersJson(iteration).toString(),
                ControllerStore.toJson(controllers).getBytes(StandardCharsets.UTF_8));
        AtomicOutput.publish(spark, run.controllers(iteration).toString(), writer, tmp -> {
            ControllerStore.toDataFrame(spark, controllers).write().parquet(tmp);
            return (long) controllers.size() * controllers.values().iterator().next().horizon();
        });
    }

    public static Map<Integer, LinearGaussianController> read(SparkSession spark, RunDirectory run, int iteration) {
        String path = run.controllers(iteration).toString();
        AtomicOutput.requireComplete(spark, path);
        return ControllerStore.fromDataFrame(spark.read().parquet(path), path);
    }
}
