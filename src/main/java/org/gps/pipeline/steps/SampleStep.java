package org.gps.pipeline.steps;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.control.LinearGaussianController;
import org.gps.io.RolloutWriter;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.spark.RolloutSampling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** {@code gps sample}: N rollouts per condition from the iteration's controllers, published atomically. */
public final class SampleStep {
    private static final Logger LOG = LoggerFactory.getLogger(SampleStep.class);
    public static final String SOURCE_CONTROLLER = "controller";

    private SampleStep() {
    }

    public static void run(SparkSession spark, String runDirUri, int iteration) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        ExperimentConfig config = run.config();
        run.requireIteration(iteration, config);
        Map<Integer, LinearGaussianController> controllers = ControllerOutputs.read(spark, run, iteration);
        long start = System.nanoTime();
        Dataset<Row> rows = RolloutSampling.sample(spark, new RolloutSampling.Request(config.environment(),
                config.conditions(), controllers, config.samples(), config.horizon(), config.seed(), iteration,
                SOURCE_CONTROLLER));
        RolloutWriter.write(rows, run.rollouts(iteration).toString(), "gps sample, iteration " + iteration);
        LOG.info("iteration {}: sampled {} conditions x {} samples x T={} in {} ms -> {}", iteration,
                config.conditionCount(), config.samples(), config.horizon(), (System.nanoTime() - start) / 1_000_000,
                run.rollouts(iteration));
    }
}
