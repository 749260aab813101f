package org.gps.pipeline.steps;

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
}
