package org.gps.pipeline.steps;

import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.io.AtomicOutput;
import org.gps.io.HadoopFiles;
import org.gps.pipeline.IterationState;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ConfigReader;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.io.PhaseProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code gps run}: the whole loop for the configured number of iterations, calling the same step
 * code as the separate jobs (init, then per iteration sample, fit-dynamics, trajopt, and for MDGPS
 * and BADMM train-policy), and a final evaluation that names the published policy
 * ({@link BestPolicy}). Every step's output is published atomically, so a run that was stopped
 * resumes here from its first incomplete step; a complete step is never redone.
 */
public final class RunLoop {
    private static final Logger LOG = LoggerFactory.getLogger(RunLoop.class);

    private RunLoop() {
    }

    /**
     * One iteration's row: the C-step's state plus the evaluation of the controllers that were sampled.
     * {@code resumed}: every step was done before; {@code allStepsRun}: this process ran every step.
     */
    public record Progress(int iteration, IterationState state, EvaluateStep.Result evaluation,
                           EvaluateStep.PolicyScore policy, double seconds, boolean resumed, boolean allStepsRun) {
    }

    /** What a run prints as it goes; the results at the end are printed in every mode. */
    public enum Output {
        /** Step lines and rows of at most 100 characters, the conditions summarised. */
        COMPACT,
        /** Step lines and rows with a column per condition. */
        WIDE,
        /** No step lines and no rows. */
        QUIET
    }

    /** The per-iteration table as the run's log keeps it: with a column per condition, in every mode. */
    private static final Logger TABLE = LoggerFactory.getLogger("gps.progress");

    public static List<Progress> run(SparkSession spark, String configPath, String runDirUri, PrintWriter out) {
        return run(spark, configPath, runDirUri, out, null, Output.COMPACT);
    }

    /**
     * As {@link #run(SparkSession, String, String, PrintWriter)}, printing as {@code output} says;
     * with a {@code profile} (started on this thread) every iteration that ran a step also writes
     * {@code iter=I/profile.json}, and the profile's table is printed at the end. The profile only
     * reads clocks and counts jobs.
     */
    public static List<Progress> run(SparkSession spark, String configPath, String runDirUri, PrintWriter out,
                                     PhaseProfile profile, Output output) {
        StepLines steps = StepLines.to(output == Output.QUIET ? null : out);
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        ExperimentConfig config = startOrResume(spark, run, runDirUri, configPath, steps);
        if (output != Output.QUIET) {
            out.printf(Locale.ROOT, "run %s: %s, %d iterations, %d conditions x %d samples x T=%d%n", run.root(),
                    config.algorithm(), config.iterations(), config.conditionCount(), config.samples(),
                    config.horizon());
            out.flush();
        }
        TABLE.info("run {}: {}", run.root(), ProgressRows.wideHeader(config.conditionCount(), config.trainsPolicy()));
        List<Progress> progress = new ArrayList<>();
        for (int i = 0; i < config.iterations(); i++) {
            if (profile != null) {
                profile.beginIteration(i);
            }
            long start = System.nanoTime();
            StepsDone done = new StepsDone();
            Progress p = iteration(spark, run, runDirUri, config, i, steps, done, start);
            if (profile != null) {
                PhaseProfile.Iteration iteration = profile.endIteration();
                // An iteration complete before keeps the profile of the run that did its work.
                if (done.ran) {
                    AtomicOutput.writeFile(run.hadoopConf(), run.profile(i).toString(),
                            iteration.toJson(done.before).getBytes(StandardCharsets.UTF_8));
                }
            }
            progress.add(p);
            printRow(out, output, run, config, progress);
            LOG.info("iteration {} done in {} s{}", i, String.format(Locale.ROOT, "%.1f", p.seconds()),
                    done.ran ? "" : " (already complete)");
        }
        printResults(spark, run, runDirUri, config, progress, steps, out);
        if (profile != null) {
            out.print(profile.table());
        }
        out.flush();
        return progress;
    }

    /**
     * The run's config: a new run is initialised from {@code configPath}; a started one resumes with
     * its frozen config, which a given {@code configPath} must match.
     */
    private static ExperimentConfig startOrResume(SparkSession spark, RunDirectory run, String runDirUri,
                                                  String configPath, StepLines steps) {
        ExperimentConfig config;
        if (run.isInitialised() && configPath != null) {
            ExperimentConfig given = ConfigReader.parse(configPath, readConfig(run, configPath));
            config = run.config();
            if (!given.resolvedJson().equals(config.resolvedJson())) {
                throw new BadInputException(run.root() + ": already holds a run with a different config ("
                        + run.configResolved() + "); use another --run-dir, or delete this one to start over");
            }
        } else if (run.isInitialised()) {
            config = run.config();
        } else {
            if (configPath == null) {
                throw notStarted(runDirUri);
            }
            config = steps.run("init", () -> InitStep.run(spark, configPath, runDirUri));
        }
        if (!ControllerOutputs.isComplete(run, 0)) {
            steps.run("init", () -> InitStep.run(spark, run.configSource().toString(), runDirUri));
        }
        return config;
    }

    /** Which of an iteration's steps this process ran and which it found done before. */
    private static final class StepsDone {
        boolean ran;
        boolean before;

        <T> T step(StepLines steps, int i, String name, boolean complete, Supplier<T> runIt, Supplier<T> readIt) {
            if (complete) {
                before = true;
                T value = readIt.get();
                steps.doneBefore(i, name);
                return value;
            }
            ran = true;
            return steps.run(StepLines.label(i, name), runIt);
        }
    }

    /** Iteration i's steps, each run unless its output is complete, then the sampled controllers' evaluation. */
    private static Progress iteration(SparkSession spark, RunDirectory run, String runDirUri, ExperimentConfig config,
                                      int i, StepLines steps, StepsDone done, long start) {
        done.step(steps, i, "sample", AtomicOutput.isComplete(run.hadoopConf(), run.rollouts(i).toString()), () -> {
            SampleStep.run(spark, runDirUri, i);
            return null;
        }, () -> null);
        done.step(steps, i, "fit-dynamics", AtomicOutput.isComplete(run.hadoopConf(), run.dynamics(i).toString()),
                () -> FitDynamicsStep.run(spark, runDirUri, i), () -> null);
        IterationState state = done.step(steps, i, "trajopt",
                HadoopFiles.exists(run.hadoopConf(), run.state(i).toString()) && ControllerOutputs.isComplete(run, i + 1),
                () -> TrajOptStep.run(spark, runDirUri, i), () -> TrajOptStep.readState(run, i));
        EvaluateStep.PolicyScore score = null;
        if (config.trainsPolicy()) {
            score = done.step(steps, i, "train-policy", HadoopFiles.exists(run.hadoopConf(), run.policyEval(i).toString()),
                    () -> TrainPolicyStep.run(spark, runDirUri, i), () -> {
                        EvaluateStep.PolicyScore s = EvaluateStep.PolicyScore.fromJson(
                                HadoopFiles.readUtf8(run.hadoopConf(), run.policyEval(i)), run.policyEval(i).toString());
                        // A run stopped between a score file and best_policy.json (or made before the file
                        // existed) gets it here; an up-to-date file is not rewritten.
                        BestPolicy.publish(run);
                        return s;
                    });
        }
        EvaluateStep.Result eval = steps.run(StepLines.label(i, "evaluate"),
                () -> EvaluateStep.run(spark, runDirUri, i, null));
        return new Progress(i, state, eval, score, (System.nanoTime() - start) / 1e9, !done.ran,
                done.ran && !done.before);
    }

    /** The newest iteration's row, as {@code output} says, and always in the run's log with a column per condition. */
    private static void printRow(PrintWriter out, Output output, RunDirectory run, ExperimentConfig config,
                                 List<Progress> progress) {
        Progress p = progress.get(progress.size() - 1);
        double eta = ProgressRows.etaSeconds(progress, config.iterations());
        String wide = ProgressRows.wideRow(p, eta);
        if (output != Output.QUIET) {
            // Step lines separate one row from the next: each row comes with its header.
            boolean compact = output == Output.COMPACT;
            out.println(compact ? ProgressRows.header(config.trainsPolicy())
                    : ProgressRows.wideHeader(config.conditionCount(), config.trainsPolicy()));
            out.println(compact ? ProgressRows.row(p, eta) : wide);
            out.flush();
        }
        TABLE.info("run {}: {}", run.root(), wide);
    }

    /** The final controllers' evaluation, the published policy and the report: printed in every mode. */
    private static void printResults(SparkSession spark, RunDirectory run, String runDirUri, ExperimentConfig config,
                                     List<Progress> progress, StepLines steps, PrintWriter out) {
        EvaluateStep.Result last = steps.run(StepLines.label(config.iterations(), "evaluate"),
                () -> EvaluateStep.run(spark, runDirUri, config.iterations(), null));
        out.println("final controllers (iteration " + config.iterations() + "):");
        out.print(last.toTable());
        if (config.trainsPolicy() && !progress.isEmpty()) {
            BestPolicy b = BestPolicy.of(run).orElseThrow();
            EvaluateStep.PolicyScore s = b.score();
            out.printf(Locale.ROOT, "published policy (iteration %d, the best of %d scored; %s): mean return %.1f, "
                    + "std %.1f over %d %s of %d steps; trained from %d environment steps%n", b.iteration(),
                    b.scoredIterations().size(), run.bestPolicy().getName(), s.meanReturn(), s.stdReturn(),
                    s.episodes(), s.startsText(), s.horizon(), s.trainingEnvSteps());
            if (!b.isLast()) {
                EvaluateStep.PolicyScore l = b.lastScore();
                out.printf(Locale.ROOT, "last policy (iteration %d): mean return %.1f, std %.1f; not the published "
                        + "policy: it scored no higher than iteration %d%n", b.lastIteration(), l.meanReturn(),
                        l.stdReturn(), b.iteration());
            }
        }
        out.println(org.gps.pipeline.report.RunReport.writeAfterRun(spark, runDirUri));
    }

    /** The refusal of a run without --config in a directory that holds no run yet. */
    public static BadInputException notStarted(String runDir) {
        return new BadInputException(runDir + ": not a run directory yet; give --config to start one");
    }

    private static String readConfig(RunDirectory run, String configPath) {
        return ConfigReader.readText(run.hadoopConf(), configPath);
    }

}
