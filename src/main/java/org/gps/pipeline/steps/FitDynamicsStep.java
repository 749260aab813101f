package org.gps.pipeline.steps;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.gps.core.BadInputException;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.gmm.Gmm;
import org.gps.core.random.Seeds;
import org.gps.core.sample.Trajectory;
import org.gps.io.BuildInfo;
import org.gps.io.DynamicsStore;
import org.gps.io.RolloutReader;
import org.gps.io.RolloutRules;
import org.gps.io.RolloutSchema;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.io.PhaseProfile;
import org.gps.spark.DynamicsFitting;
import org.gps.spark.KeptRdds;
import org.gps.spark.DynamicsWriter;
import org.gps.spark.HeldOutValidation;
import org.gps.spark.TrajectoryGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code gps fit-dynamics}: step 3 of an iteration (docs/algorithm.md sections 3-5). In a run
 * directory it reads iteration I's rollouts plus as many earlier iterations as the prior's window
 * (max_samples trajectories per condition) reaches, warm-starts EM from iteration I-1's GMMs, and
 * publishes {@code iter=I/dynamics}. On logged rollouts it fits every trajectory in the dataset.
 */
public final class FitDynamicsStep {
    private static final Logger LOG = LoggerFactory.getLogger(FitDynamicsStep.class);

    private FitDynamicsStep() {
    }

    /**
     * What a fit reports.
     *
     * @param inSample the per-condition in-sample error summary
     * @param heldOut  the held-out scores, or null when they were not asked for
     */
    public record Summary(List<DynamicsStore.ErrorSummary> inSample, HeldOutValidation.Result heldOut) {
        public Summary {
            inSample = List.copyOf(inSample);
        }
    }

    /** {@link #run(SparkSession, String, int, boolean)} without held-out scores: what {@code gps run} does. */
    public static Summary run(SparkSession spark, String runDirUri, int iteration) {
        return run(spark, runDirUri, iteration, false);
    }

    /**
     * Fits iteration {@code iteration}'s dynamics and publishes them. With {@code heldOut} it also
     * scores a validation fit on held-out trajectories of the iteration (seeded by the run's seed
     * and the iteration); the published dynamics are the same bits either way.
     */
    public static Summary run(SparkSession spark, String runDirUri, int iteration, boolean heldOut) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        ExperimentConfig config = run.config();
        run.requireIteration(iteration, config);
        DynamicsOptions options = config.dynamics();
        long start = System.nanoTime();
        DynamicsFitting.Source source = DynamicsOutputs.windowSource(spark, run, iteration, options.maxSamples(),
                config.samples());
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories = RolloutTrajectories.of(spark, run,
                DynamicsOutputs.windowIterations(iteration, options.maxSamples(), config.samples()), config,
                source.dataset());
        List<String> inputs = new ArrayList<>();
        for (int i : DynamicsOutputs.windowIterations(iteration, options.maxSamples(), config.samples())) {
            requireAppliedActions(spark, run.rollouts(i).toString(), options, "dynamics.action: applied");
            inputs.add(run.rollouts(i).toString());
        }
        Map<Integer, Gmm> previous;
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            previous = iteration == 0 ? Map.of() : DynamicsStore.readGmms(spark, run.dynamics(iteration - 1).toString());
        }
        DynamicsFitting.CurrentSet current = DynamicsFitting.CurrentSet.iteration(iteration);
        long emSeed = Seeds.derive(config.seed(), "dynamics", iteration);
        return fitAndWrite(spark, trajectories, current, options, previous, emSeed, source, run.dynamics(iteration).toString(),
                "fit-dynamics", heldOut ? Seeds.derive(config.seed(), "held-out", iteration) : null, start,
                "iteration " + iteration, String.join(",", inputs), true);
    }

    /**
     * The fit on every trajectory, published at {@code out}; with a {@code heldOutSeed}, first the
     * held-out validation on the same cached trajectories (so they are read and assembled once).
     * {@code fitsToDriver}: a run's fit, whose fits the C-step reads on the driver anyway
     * ({@link DynamicsWriter#write}); a fit of logged data keeps them on the executors.
     */
    private static Summary fitAndWrite(SparkSession spark, JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories,
                                       DynamicsFitting.CurrentSet current, DynamicsOptions options,
                                       Map<Integer, Gmm> previous, long emSeed, DynamicsFitting.Source source, String out,
                                       String writtenBy, Long heldOutSeed, long start, String what, String input,
                                       boolean fitsToDriver) {
        // Trajectories already kept (RolloutTrajectories) stay as they are: their keeper releases them.
        boolean own = heldOutSeed != null && !KeptRdds.isKept(trajectories.rdd());
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> traj = own ? trajectories.persist(StorageLevel.MEMORY_AND_DISK())
                : trajectories;
        try {
            DynamicsFitting.Result fit = DynamicsFitting.fit(traj, current, options, previous, emSeed, source);
            try {
                HeldOutValidation.Result heldOut = heldOutSeed == null ? null
                        : HeldOutValidation.run(traj, current, options, previous, emSeed, source, heldOutSeed);
                List<DynamicsStore.ErrorSummary> summary;
                try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
                    summary = DynamicsWriter.write(spark, out, fit, options.sharedPrior(), writtenBy, heldOut,
                            fitsToDriver);
                }
                LOG.info(endLine(what, fit.initialStates().size(), (System.nanoTime() - start) / 1_000_000, input,
                        out, options, emSeed, heldOutSeed, BuildInfo.current()));
                return new Summary(summary, heldOut);
            } finally {
                fit.steps().unpersist(false);
            }
        } finally {
            if (own) {
                traj.unpersist(false);
            }
        }
    }

    /**
     * The one line a fit ends with: besides what it did, everything needed to tell which fit wrote
     * an output (build, input, options and seeds), so a log alone identifies it.
     */
    static String endLine(String what, int conditions, long millis, String input, String out, DynamicsOptions options,
                          long emSeed, Long heldOutSeed, BuildInfo build) {
        return what + ": dynamics for " + conditions + " conditions in " + millis + " ms; gps " + build.version()
                + " commit " + build.describeCommit() + "; input " + input + "; out " + out + "; seed " + emSeed
                + (heldOutSeed == null ? "" : "; held-out seed " + heldOutSeed) + "; options " + options;
    }

    /** How the completion marker of a fit of logged rollouts begins: tells fit-dynamics' own earlier output. */
    public static final String LOGGED_WRITER = "fit-dynamics --rollouts ";

    /**
     * Fits logged rollouts at {@code rolloutsPath} (any dX and dU) and publishes to
     * {@code out}; with {@code heldOut} also the held-out scores, the hold-out seeded by the EM seed.
     */
    public static Summary fitLogged(SparkSession spark, String rolloutsPath, String out, DynamicsOptions options,
                                    boolean heldOut) {
        if (out == null || out.isBlank()) {
            throw new BadInputException("--out: expected a folder to write the dynamics to");
        }
        long start = System.nanoTime();
        Dataset<Row> rollouts = RolloutReader.read(spark, rolloutsPath);
        requireAppliedActions(spark, rolloutsPath, options, "--action applied");
        long marked = RolloutReader.markedRows(spark, rolloutsPath);
        DynamicsFitting.Source source = DynamicsFitting.Source.rollouts(rolloutsPath, read -> RolloutRules.requireMarkerRows(
                rolloutsPath, read.values().stream().mapToLong(Long::longValue).sum(), marked));
        long seed = options.em().seed();
        return fitAndWrite(spark, TrajectoryGroups.trajectories(rollouts, rolloutsPath), DynamicsFitting.CurrentSet.all(),
                options, Map.of(), seed, source, out, LOGGED_WRITER + rolloutsPath,
                heldOut ? Seeds.derive(seed, "held-out") : null, start, rolloutsPath, rolloutsPath, false);
    }

    /**
     * Refuses, before any job, a dataset without the u_applied column when the fits are to use it:
     * fitting on the commanded action instead would give another model without a word. Nulls in
     * a stored column are refused by the fit's census, naming the trajectory.
     *
     * @param setting what asked for the applied action, for the message
     */
    static void requireAppliedActions(SparkSession spark, String rolloutsPath, DynamicsOptions options, String setting) {
        if (options.action() == DynamicsOptions.Action.APPLIED && !storesAppliedActions(spark, rolloutsPath)) {
            throw new BadInputException(rolloutsPath + ": column " + RolloutSchema.U_APPLIED + " is missing (the action"
                    + " the plant applied, rollout schema v2; this dataset is version 1 or logged without it); " + setting
                    + " fits the dynamics on it: expected rollouts that record it, or the commanded action u");
        }
    }

    private static boolean storesAppliedActions(SparkSession spark, String rolloutsPath) {
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            return RolloutReader.storesAppliedActions(spark, rolloutsPath);
        }
    }
}
