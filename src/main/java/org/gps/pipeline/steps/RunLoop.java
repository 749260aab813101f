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

    /** One line of the progress table: the C-step's state plus the evaluation of the controllers that were sampled. */
    public record Progress(int iteration, IterationState state, EvaluateStep.Result evaluation,
                           EvaluateStep.PolicyScore policy, double seconds, boolean resumed) {
    }

    public static List<Progress> run(SparkSession spark, String configPath, String runDirUri, PrintWriter out) {
        return run(spark, configPath, runDirUri, out, null);
    }

    /**
     * As {@link #run(SparkSession, String, String, PrintWriter)}; with a {@code profile} (started on
     * this thread) every iteration that ran a step also writes {@code iter=I/profile.json}, and the
     * profile's table is printed at the end. The profile only reads clocks and counts jobs.
     */
    public static List<Progress> run(SparkSession spark, String configPath, String runDirUri, PrintWriter out,
                                     PhaseProfile profile) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
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
                throw notStarted(run.root().toString());
            }
            config = InitStep.run(spark, configPath, runDirUri);
        }
        if (!ControllerOutputs.isComplete(run, 0)) {
            InitStep.run(spark, run.configSource().toString(), runDirUri);
        }
        out.printf(Locale.ROOT, "run %s: %s, %d iterations, %d conditions x %d samples x T=%d%n", run.root(),
                config.algorithm(), config.iterations(), config.conditionCount(), config.samples(), config.horizon());
        out.println(header(config.conditionCount(), config.trainsPolicy()));
        out.flush();
        List<Progress> progress = new ArrayList<>();
        for (int i = 0; i < config.iterations(); i++) {
            if (profile != null) {
                profile.beginIteration(i);
            }
            long start = System.nanoTime();
            boolean did = false;
            boolean skipped = false;
            if (!AtomicOutput.isComplete(run.hadoopConf(), run.rollouts(i).toString())) {
                SampleStep.run(spark, runDirUri, i);
                did = true;
            } else {
                skipped = true;
            }
            if (!AtomicOutput.isComplete(run.hadoopConf(), run.dynamics(i).toString())) {
                FitDynamicsStep.run(spark, runDirUri, i);
                did = true;
            } else {
                skipped = true;
            }
            IterationState state;
            if (!HadoopFiles.exists(run.hadoopConf(), run.state(i).toString())
                    || !ControllerOutputs.isComplete(run, i + 1)) {
                state = TrajOptStep.run(spark, runDirUri, i);
                did = true;
            } else {
                state = TrajOptStep.readState(run, i);
                skipped = true;
            }
            EvaluateStep.PolicyScore score = null;
            if (config.trainsPolicy()) {
                if (!HadoopFiles.exists(run.hadoopConf(), run.policyEval(i).toString())) {
                    score = TrainPolicyStep.run(spark, runDirUri, i);
                    did = true;
                } else {
                    skipped = true;
                    score = EvaluateStep.PolicyScore.fromJson(HadoopFiles.readUtf8(run.hadoopConf(), run.policyEval(i)),
                            run.policyEval(i).toString());
                    // A run stopped between a score file and best_policy.json (or made before the file
                    // existed) gets it here; an up-to-date file is not rewritten.
                    BestPolicy.publish(run);
                }
            }
            EvaluateStep.Result eval = EvaluateStep.run(spark, runDirUri, i, null);
            Progress p = new Progress(i, state, eval, score, (System.nanoTime() - start) / 1e9, !did);
            if (profile != null) {
                PhaseProfile.Iteration it = profile.endIteration();
                // An iteration complete before keeps the profile of the run that did its work.
                if (did) {
                    AtomicOutput.writeFile(run.hadoopConf(), run.profile(i).toString(),
                            it.toJson(skipped).getBytes(StandardCharsets.UTF_8));
                }
            }
            progress.add(p);
            out.println(line(p));
            out.flush();
            LOG.info("iteration {} done in {} s{}", i, String.format(Locale.ROOT, "%.1f", p.seconds()),
                    did ? "" : " (already complete)");
        }
        EvaluateStep.Result last = EvaluateStep.run(spark, runDirUri, config.iterations(), null);
        out.println("final controllers (iteration " + config.iterations() + "):");
        out.print(last.toTable());
        if (config.trainsPolicy() && !progress.isEmpty()) {
            BestPolicy b = BestPolicy.of(run).orElseThrow();
            EvaluateStep.PolicyScore s = b.score();
            out.printf(Locale.ROOT, "published policy (iteration %d, the best of %d scored; %s): mean return %.1f, "
                    + "std %.1f over %d random starts of %d steps; trained from %d environment steps%n", b.iteration(),
                    b.scoredIterations().size(), run.bestPolicy().getName(), s.meanReturn(), s.stdReturn(),
                    s.episodes(), s.horizon(), s.trainingEnvSteps());
            if (!b.isLast()) {
                EvaluateStep.PolicyScore l = b.lastScore();
                out.printf(Locale.ROOT, "last policy (iteration %d): mean return %.1f, std %.1f; not the published "
                        + "policy: it scored no higher than iteration %d%n", b.lastIteration(), l.meanReturn(),
                        l.stdReturn(), b.iteration());
            }
        }
        out.println(org.gps.pipeline.report.RunReport.writeAfterRun(spark, runDirUri));
        if (profile != null) {
            out.print(profile.table());
        }
        out.flush();
        return progress;
    }

    /** The refusal of a run without --config in a directory that holds no run yet. */
    public static BadInputException notStarted(String runDir) {
        return new BadInputException(runDir + ": not a run directory yet; give --config to start one");
    }

    private static String readConfig(RunDirectory run, String configPath) {
        return ConfigReader.readText(run.hadoopConf(), configPath);
    }

    static String header(int conditions, boolean policy) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%4s", "iter"));
        for (int c = 0; c < conditions; c++) {
            sb.append(String.format(Locale.ROOT, " %9s", "cost" + c));
        }
        for (int c = 0; c < conditions; c++) {
            sb.append(String.format(Locale.ROOT, " %8s", "ret" + c));
        }
        sb.append(String.format(Locale.ROOT, " %9s %11s %13s", "|angle|0", "KL/target", "step_mult"));
        if (policy) {
            sb.append(String.format(Locale.ROOT, " %10s %10s", "pol_ret", "env_steps"));
        }
        sb.append(String.format(Locale.ROOT, " %7s", "seconds"));
        return sb.toString();
    }

    /**
     * cost: mean sample cost of the iteration (docs/algorithm.md section 2); ret: mean Gym-style return of
     * the iteration's controllers over the horizon; |angle|0: Pendulum, condition 0, mean |angle|
     * over the last 20 steps; KL/target and step_mult: the C-step, averaged over conditions; pol_ret
     * (MDGPS, BADMM): mean return of the neural policy after the iteration's S-step from random
     * starts, env_steps: the environment steps it was trained from.
     */
    static String line(Progress p) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%4d", p.iteration()));
        List<IterationState.ConditionState> cs = p.state().conditions();
        for (IterationState.ConditionState c : cs) {
            sb.append(String.format(Locale.ROOT, " %9.2f", c.costMean()));
        }
        for (EvaluateStep.ConditionResult r : p.evaluation().conditions()) {
            sb.append(String.format(Locale.ROOT, " %8.1f", r.meanReturn()));
        }
        double kl = 0;
        double target = 0;
        double mult = 0;
        for (IterationState.ConditionState c : cs) {
            kl += c.kl() / cs.size();
            target += c.klTarget() / cs.size();
            mult += c.stepMult() / cs.size();
        }
        double angle = p.evaluation().conditions().get(0).finalAbsAngle();
        sb.append(String.format(Locale.ROOT, " %9s %5.1f/%-5.1f %13.3f",
                Double.isNaN(angle) ? "-" : String.format(Locale.ROOT, "%.3f", angle), kl, target, mult));
        if (p.policy() != null) {
            sb.append(String.format(Locale.ROOT, " %10.1f %10d", p.policy().meanReturn(), p.policy().trainingEnvSteps()));
        }
        sb.append(String.format(Locale.ROOT, " %7.1f%s", p.seconds(), p.resumed() ? " (done before)" : ""));
        return sb.toString();
    }
}
