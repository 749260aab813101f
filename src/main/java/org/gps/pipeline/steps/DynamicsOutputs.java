package org.gps.pipeline.steps;

import org.gps.io.RolloutReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.io.AtomicOutput;
import org.gps.io.DynamicsStore;
import org.gps.pipeline.RunDirectory;

import java.util.Map;

/** Where an iteration's fitted dynamics are published and read back. */
public final class DynamicsOutputs {
    private DynamicsOutputs() {
    }

    public record Models(Map<Integer, LinearGaussianDynamics> dynamics,
                         Map<Integer, InitialStateDistribution> initialStates) {
    }

    public static Models read(SparkSession spark, RunDirectory run, int iteration) {
        String path = run.dynamics(iteration).toString();
        if (!AtomicOutput.isComplete(run.hadoopConf(), path)) {
            throw new BadInputException(path + ": missing or incomplete; run 'gps fit-dynamics --run-dir " + run.root()
                    + " --iteration " + iteration + "' first");
        }
        return new Models(DynamicsStore.readDynamics(spark, path), DynamicsStore.readInitialStates(spark, path));
    }

    /**
     * Iteration I's rollouts plus as many earlier iterations as a prior window of {@code maxSamples}
     * trajectories per condition reaches (ceil(max_samples / N) iterations back).
     */
    public static Dataset<Row> windowRollouts(SparkSession spark, RunDirectory run, int iteration, int maxSamples,
                                              int samples) {
        int back = (maxSamples + samples - 1) / samples;
        Dataset<Row> rollouts = RolloutReader.readComplete(spark, run.rollouts(iteration).toString());
        for (int i = iteration - 1; i >= Math.max(0, iteration - back + 1); i--) {
            // Required, not optional: skipping an incomplete one (a rerun of that step that was
            // killed) would silently give another fit than the uninterrupted run's.
            rollouts = rollouts.unionByName(RolloutReader.readComplete(spark, run.rollouts(i).toString()));
        }
        return rollouts;
    }
}
