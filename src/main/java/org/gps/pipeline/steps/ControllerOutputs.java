package org.gps.pipeline.steps;

import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.control.LinearGaussianController;
import org.gps.io.AtomicOutput;
import org.gps.io.ControllerStore;
import org.gps.io.HadoopFiles;
import org.gps.pipeline.RunDirectory;
import org.gps.io.PhaseProfile;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Where an iteration's controllers are published and read back, in both formats. The pair is
 * complete when the Parquet folder has its marker and {@code controllers.json} exists: the JSON
 * is withdrawn before the Parquet is replaced and written again only after the Parquet's marker,
 * so a robot that deploys {@code controllers.json} never sees controllers of a step that did
 * not finish, and a step killed at any point leaves the pair visibly incomplete.
 */
public final class ControllerOutputs {
    private ControllerOutputs() {
    }

    public static void write(SparkSession spark, RunDirectory run, int iteration,
                             Map<Integer, LinearGaussianController> controllers, String writer) {
        String json = run.controllersJson(iteration).toString();
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            AtomicOutput.withdraw(run.hadoopConf(), json);
            AtomicOutput.publish(spark, run.controllers(iteration).toString(), writer,
                    tmp -> ControllerStore.write(run.hadoopConf(), tmp, controllers));
            ControllerStore.published(spark, run.controllers(iteration).toString(), controllers);
            AtomicOutput.writeFile(run.hadoopConf(), json,
                    ControllerStore.toJson(controllers).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** True when both formats of iteration {@code iteration}'s controllers were published by one finished step. */
    public static boolean isComplete(RunDirectory run, int iteration) {
        return AtomicOutput.isComplete(run.hadoopConf(), run.controllers(iteration).toString())
                && HadoopFiles.isFile(run.hadoopConf(), run.controllersJson(iteration));
    }

    public static Map<Integer, LinearGaussianController> read(SparkSession spark, RunDirectory run, int iteration) {
        String path = run.controllers(iteration).toString();
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            AtomicOutput.requireComplete(spark, path);
            if (!HadoopFiles.isFile(run.hadoopConf(), run.controllersJson(iteration))) {
                throw new BadInputException(run.controllersJson(iteration) + " does not exist: the step that writes "
                        + path + " did not finish (" + writerHint(iteration) + ")");
            }
            return ControllerStore.read(spark, path);
        }
    }

    private static String writerHint(int iteration) {
        return iteration == 0 ? "rerun 'gps init'" : "rerun 'gps trajopt --iteration " + (iteration - 1) + "'";
    }
}
