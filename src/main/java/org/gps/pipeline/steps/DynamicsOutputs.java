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
import org.gps.io.RolloutRules;
import org.gps.io.PhaseProfile;
import org.gps.spark.DynamicsFitting;
import org.gps.pipeline.RunDirectory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            return new Models(DynamicsStore.readDynamics(spark, path), DynamicsStore.readInitialStates(spark, path));
        }
    }

    /**
     * Iteration I's rollouts plus as many earlier iterations as a prior window of {@code maxSamples}
     * trajectories per condition reaches (ceil(max_samples / N) iterations back).
     */
    public static Dataset<Row> windowRollouts(SparkSession spark, RunDirectory run, int iteration, int maxSamples,
                                              int samples) {
        Dataset<Row> rollouts = null;
        for (int i : windowIterations(iteration, maxSamples, samples)) {
            // Required, not optional: skipping an incomplete one (a rerun of that step that was
            // killed) would silently give another fit than the uninterrupted run's.
            Dataset<Row> r = RolloutReader.readComplete(spark, run.rollouts(i).toString());
            rollouts = rollouts == null ? r : rollouts.unionByName(r);
        }
        return rollouts;
    }

    /** The iterations {@link #windowRollouts} reads, newest first. */
    public static List<Integer> windowIterations(int iteration, int maxSamples, int samples) {
        int back = (maxSamples + samples - 1) / samples;
        List<Integer> out = new ArrayList<>();
        for (int i = iteration; i >= Math.max(0, iteration - back + 1); i--) {
            out.add(i);
        }
        return out;
    }

    /**
     * The window's rollouts as a source for the fits: named by their paths, with the rows read
     * per iteration held against each dataset's completion marker.
     */
    public static DynamicsFitting.Source windowSource(SparkSession spark, RunDirectory run, int iteration,
                                                      int maxSamples, int samples) {
        List<Integer> window = windowIterations(iteration, maxSamples, samples);
        String name = window.size() == 1 ? run.rollouts(iteration).toString()
                : window.stream().map(i -> run.rollouts(i).toString()).collect(Collectors.joining(", "));
        return DynamicsFitting.Source.rollouts(name, read -> {
            for (int i : window) {
                String path = run.rollouts(i).toString();
                RolloutRules.requireMarkerRows(path, read.getOrDefault(i, 0L), RolloutReader.markedRows(spark, path));
            }
        });
    }
}
