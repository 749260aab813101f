package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.dynamics.HeldOutScore;
import org.gps.core.gmm.GmmOptions;
import org.gps.io.DynamicsStore;
import org.gps.io.FiniteNumbers;
import org.gps.io.HadoopFiles;
import org.gps.io.OutputGuard;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.steps.FitDynamicsStep;
import org.gps.pipeline.steps.StepLines;
import org.gps.spark.HeldOutValidation;
import org.gps.io.PhaseProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "fit-dynamics", mixinStandardHelpOptions = true,
        description = {"Fit the GMM dynamics prior (EM on Spark) and the per-time-step linear-Gaussian dynamics.",
                "In a run: reads R/iter=I/rollouts (and earlier iterations within the prior's window), "
                        + "writes R/iter=I/dynamics. On logged data: --rollouts PATH --out DIR, any dX and dU.",
                "Prints the one-step prediction error per condition. In a run it holds R's lock while it "
                        + "writes.",
                "Held-out scores (--held-out; by default on logged data): a separate fit leaves 20%% of each "
                        + "condition's trajectories out and scores their transitions (mean squared error, relative "
                        + "rmse, Gaussian NLL); the dynamics written do not change.",
                "--out must be a new or empty folder apart from --rollouts; an earlier output of "
                        + "fit-dynamics there is replaced only with --overwrite."})
final class FitDynamicsCommand implements Callable<Integer> {
    @Option(names = "--run-dir", paramLabel = "R", description = "Run directory (with --iteration).")
    String runDir;

    @Option(names = "--iteration", paramLabel = "I", description = "GPS iteration, from 0.")
    Integer iteration;

    @Option(names = "--rollouts", paramLabel = "PATH", description = "Logged rollouts in the rollout schema (with --out).")
    String rollouts;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the dynamics (with --rollouts): a new "
            + "or empty folder, not inside the rollouts nor holding them.")
    String out;

    @Option(names = "--overwrite", description = "Logged data: replace an earlier output of fit-dynamics at --out.")
    boolean overwrite;

    @Option(names = "--prior", paramLabel = "per_condition|shared", defaultValue = "per_condition",
            description = "Logged data: one GMM per condition (default) or one shared by all.")
    String prior;

    @Option(names = "--max-clusters", paramLabel = "K", defaultValue = "20", description = "Logged data: upper bound on K (default ${DEFAULT-VALUE}).")
    int maxClusters;

    @Option(names = "--min-samples-per-cluster", paramLabel = "N", defaultValue = "40",
            description = "Logged data: K = max(2, min(max-clusters, points / N)) (default ${DEFAULT-VALUE}).")
    int minSamplesPerCluster;

    @Option(names = "--seed", defaultValue = "0", description = "Logged data: EM seed (default ${DEFAULT-VALUE}); "
            + "also picks the held-out trajectories.")
    long seed;

    @Option(names = "--em-init", paramLabel = "START", description = "Logged data: cold start of EM, auto (default: "
            + "random_assignment for a GMM of at most 3 D K points, sampled_means above), kmeans, sampled_means or "
            + "random_assignment. In a run the config's dynamics.em_init "
            + "sets it.")
    String emInit;

    @Option(names = "--held-out", negatable = true, description = "Score a validation fit on held-out trajectories "
            + "and add the scores to summary.json and the table printed. Off by default in a run (--run-dir), on by "
            + "default on logged data (--no-held-out skips it).")
    Boolean heldOut;

    @Option(names = "--action", paramLabel = "commanded|applied",
            description = "Logged data: fit on the commanded action u (default) or on the applied one, u_applied, "
                    + "which the rollouts must record (in a run, the config's dynamics.action says).")
    String action;

    @Mixin
    SparkOptions spark;

    @Mixin
    ProfileOption profiling;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        boolean inRun = runDir != null || iteration != null;
        boolean logged = rollouts != null || out != null;
        if (inRun == logged) {
            throw new BadInputException("fit-dynamics: give either --run-dir R --iteration I, or --rollouts PATH --out DIR");
        }
        PhaseProfile[] profile = new PhaseProfile[1];
        FitDynamicsStep.Summary summary = inRun ? fitInRun(profile) : fitLogged();
        PrintWriter w = spec.commandLine().getOut();
        print(w, summary.inSample());
        if (summary.heldOut() != null) {
            printHeldOut(w, summary.heldOut());
        } else {
            w.println(inRun ? "held-out scores: not computed (--held-out computes them)"
                    : "held-out scores: not computed (--no-held-out)");
            w.flush();
        }
        ProfileOption.print(profile[0]);
        return Main.EXIT_OK;
    }

    /** The fit of a run's iteration; the profile, when asked for, into {@code profile[0]}. */
    private FitDynamicsStep.Summary fitInRun(PhaseProfile[] profile) {
        if (runDir == null || iteration == null) {
            throw new BadInputException("fit-dynamics: --run-dir and --iteration go together");
        }
        if (overwrite) {
            throw new BadInputException("--overwrite: only with --rollouts and --out (a run's steps replace their "
                    + "own outputs on a rerun)");
        }
        if (emInit != null) {
            throw new BadInputException("--em-init: only with --rollouts and --out (in a run the config's "
                    + "dynamics.em_init sets the EM start)");
        }
        if (action != null) {
            // The run's config fixes the fits, so that every step and every rerun agree.
            throw new BadInputException("--action: only with --rollouts and --out; in a run, set dynamics.action "
                    + "in the config");
        }
        boolean score = heldOut != null && heldOut;
        RunDirectory.checkLocal(runDir, iteration);
        SparkSession s = spark.session("fit-dynamics");
        PhaseProfile p = profiling.start(s);
        profile[0] = p;
        try {
            return RunDirectory.whileLocked(s, runDir, "gps fit-dynamics --iteration " + iteration,
                    () -> Main.stepLines(spec).run(StepLines.label(iteration, "fit-dynamics"),
                            () -> ProfileOption.step(p, iteration,
                                    () -> FitDynamicsStep.run(s, runDir, iteration, score))));
        } finally {
            if (p != null) {
                p.close();
            }
        }
    }

    /** The fit of logged rollouts into --out, with the options of the command line. */
    private FitDynamicsStep.Summary fitLogged() {
        if (rollouts == null || out == null) {
            throw new BadInputException("fit-dynamics: --rollouts and --out go together");
        }
        if (profiling.profile) {
            throw new BadInputException("--profile: only with --run-dir and --iteration (it times a run's step)");
        }
        DynamicsOptions options = loggedOptions();
        SparkSession s = spark.session("fit-dynamics");
        OutputGuard.checkFolder(HadoopFiles.conf(s),
                new OutputGuard.Output("--out", out, "gps fit-dynamics", FitDynamicsStep.LOGGED_WRITER, overwrite),
                List.of(new OutputGuard.Input("--rollouts", rollouts)));
        return FitDynamicsStep.fitLogged(s, rollouts, out, options, heldOut == null || heldOut);
    }

    /** The dynamics options of a fit of logged data: every trajectory belongs to the prior's window. */
    private DynamicsOptions loggedOptions() {
        if (!prior.equals("per_condition") && !prior.equals("shared")) {
            throw new BadInputException("--prior: expected per_condition or shared, got '" + prior + "'");
        }
        GmmOptions.Initialization start;
        try {
            start = emInit == null ? GmmOptions.Initialization.AUTO : GmmOptions.Initialization.fromConfigName(emInit);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--em-init: " + e.getMessage());
        }
        DynamicsOptions.Action fitOn;
        try {
            fitOn = action == null ? DynamicsOptions.Action.COMMANDED : DynamicsOptions.Action.fromConfigName(action);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--action: " + e.getMessage());
        }
        DynamicsOptions d = DynamicsOptions.defaults(seed);
        try {
            return new DynamicsOptions(prior.equals("shared"), maxClusters, minSamplesPerCluster, Integer.MAX_VALUE,
                    d.strength(), d.regularization(), d.initialStateVar(),
                    GmmOptions.defaults(seed).withInitialization(start)).withAction(fitOn);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("fit-dynamics: " + e.getMessage());
        }
    }

    static void print(PrintWriter w, List<DynamicsStore.ErrorSummary> summary) {
        w.println("one-step prediction error (in-sample) per condition:");
        w.printf(Locale.ROOT, "%9s %6s %12s %12s %14s%n", "condition", "steps", "mean rmse", "max rmse",
                "mean rel rmse");
        boolean relativeMissing = false;
        for (DynamicsStore.ErrorSummary e : summary) {
            w.printf(Locale.ROOT, "%9d %6d %12s %12s %14s%n", e.condition(), e.steps(), number(e.meanRmse()),
                    number(e.maxRmse()), number(e.meanRelativeRmse()));
            relativeMissing |= !Double.isFinite(e.meanRelativeRmse());
        }
        if (relativeMissing) {
            w.println(FiniteNumbers.RELATIVE_NOTE);
        }
        w.flush();
    }

    static void printHeldOut(PrintWriter w, HeldOutValidation.Result r) {
        w.printf(Locale.ROOT, "one-step prediction error (held out: %.0f%% of each condition's trajectories, at least "
                + "1, refitted without them) per condition:%n", 100 * HeldOutValidation.FRACTION);
        w.printf(Locale.ROOT, "%9s %6s %6s %11s %12s %12s %14s %14s%n", "condition", "fit", "held", "transitions",
                "mse", "mean rmse", "mean rel rmse", "nll/transition");
        boolean relativeMissing = false;
        for (HeldOutValidation.ConditionResult c : r.conditions()) {
            if (c.score() == null) {
                w.printf(Locale.ROOT, "%9d  n/a: %s%n", c.condition(), c.reason());
            } else {
                relativeMissing |= row(w, Integer.toString(c.condition()),
                        Integer.toString(c.trajectories() - c.heldOut().size()), Integer.toString(c.heldOut().size()),
                        c.score());
            }
        }
        if (r.overall().steps() > 0) {
            int fit = 0;
            int held = 0;
            for (HeldOutValidation.ConditionResult c : r.conditions()) {
                if (c.score() != null) {
                    fit += c.trajectories() - c.heldOut().size();
                    held += c.heldOut().size();
                }
            }
            relativeMissing |= row(w, "overall", Integer.toString(fit), Integer.toString(held), r.overall());
            int jittered = r.overall().jitteredSteps();
            int unscored = r.overall().unscoredSteps();
            if (jittered + unscored > 0) {
                w.printf(Locale.ROOT, "nll: %d step(s) scored with a jittered covariance, %d without a likelihood%n",
                        jittered, unscored);
            }
        } else {
            w.println("overall: n/a (no condition could be scored)");
        }
        if (relativeMissing) {
            w.println(FiniteNumbers.RELATIVE_NOTE);
        }
        w.flush();
    }

    /** Prints one row; true when its relative rmse is shown as n/a. */
    private static boolean row(PrintWriter w, String what, String fit, String held, HeldOutScore s) {
        w.printf(Locale.ROOT, "%9s %6s %6s %11d %12s %12s %14s %14s%n", what, fit, held, s.transitions(),
                number(s.meanSquaredError()), number(s.meanRmse()), number(s.meanRelativeRmse()),
                number(s.nllPerTransition()));
        return !Double.isFinite(s.meanRelativeRmse());
    }

    private static String number(double v) {
        return FiniteNumbers.text("%.4g", v);
    }
}
