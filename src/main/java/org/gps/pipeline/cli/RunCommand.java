package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.io.HadoopFiles;
import org.gps.io.PhaseProfile;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ConfigReader;
import org.gps.pipeline.steps.RunLoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        // One element per paragraph: picocli wraps each element itself, so a line break inside a sentence
        // would come out as a ragged short line.
        description = {"Run the whole GPS loop for the configured iterations.",
                "init, then per iteration sample, fit-dynamics, trajopt and, for the algorithms that train a neural "
                        + "policy (mdgps, badmm, mdgps_pilqr, mdgps_pi2), train-policy: the same steps as the "
                        + "separate commands.",
                "Prints a line as each step starts and ends, a row of at most 100 characters per iteration "
                        + "(with the estimated time to the end), and evaluates the final controllers (and the "
                        + "published policy). --wide prints rows with a column per condition, as the log file keeps "
                        + "them; --quiet prints only warnings, errors and the results.",
                "Started again on the same run directory, it resumes from the first incomplete step. A new run "
                        + "starts only in a new or empty folder.",
                "Holds the run directory's lock, R/_gps.lock, throughout: a second writer is refused."})
final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "C",
            description = "Experiment config (YAML or JSON). Optional when resuming an existing run directory.")
    String config;

    @Option(names = "--run-dir", paramLabel = "R", required = true,
            description = "Run directory (local path or Hadoop URI: file:, hdfs:, s3a:).")
    String runDir;

    @Mixin
    SparkOptions spark;

    @Option(names = "--profile", description = {"Measure where each iteration's wall time goes, by phase (sample, "
            + "census, prior_em, step_fits, cost_expansion, policy_linearization, c_step, s_step, policy_scoring, "
            + "evaluate_controllers, io, other), with the Spark jobs each ran: writes R/iter=I/profile.json for every "
            + "iteration that ran a step and prints a table at the end. Off by default; the outputs are the same "
            + "bits either way."})
    boolean profile;

    @Option(names = "--wide", description = "Rows with a column per condition (sample cost, controllers' return), "
            + "as the log file keeps them, instead of the default rows of at most 100 characters.")
    boolean wide;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        boolean quiet = Main.quiet(spec);
        if (quiet && wide) {
            throw new BadInputException("--wide: not with --quiet, which prints no rows; give one of them");
        }
        RunLoop.Output output = quiet ? RunLoop.Output.QUIET : wide ? RunLoop.Output.WIDE : RunLoop.Output.COMPACT;
        if (config != null) {
            ConfigReader.checkLocalFile(config);
        } else if (HadoopFiles.isLocal(runDir) && !new RunDirectory(runDir, HadoopFiles.localConf()).isInitialised()) {
            throw RunLoop.notStarted(runDir);
        }
        SparkSession s = spark.session("run");
        PhaseProfile p = profile ? PhaseProfile.start(s.sparkContext()) : null;
        try {
            RunDirectory.whileLocked(s, runDir, "gps run",
                    () -> RunLoop.run(s, config, runDir, spec.commandLine().getOut(), p, output));
        } finally {
            if (p != null) {
                p.close();
            }
        }
        return Main.EXIT_OK;
    }
}
