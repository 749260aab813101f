package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.io.PhaseProfile;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.steps.StepLines;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.function.Consumer;
import java.util.function.Function;

/** --run-dir and --iteration, shared by every step after init, and the frame every such step runs in. */
public final class StepOptions {
    @Option(names = "--run-dir", paramLabel = "R", required = true,
            description = "Run directory (local path or Hadoop URI: file:, hdfs:, s3a:).")
    String runDir;

    @Option(names = "--iteration", paramLabel = "I", required = true, description = "GPS iteration, from 0.")
    int iteration;

    /** The run directory and iteration, checked before Spark starts where the directory is local. */
    void checkBeforeSpark() {
        RunDirectory.checkLocal(runDir, iteration);
    }

    /**
     * Runs step {@code name} of iteration I as every step command does: its arguments checked before
     * Spark starts, the session, the run directory's lock held throughout, the step's start and end
     * lines, the profile when asked for. {@code report} prints the step's result, before the profile.
     */
    <T> T run(String name, SparkOptions spark, ProfileOption profiling, CommandLine.Model.CommandSpec spec,
              Function<SparkSession, T> body, Consumer<T> report) {
        checkBeforeSpark();
        SparkSession s = spark.session(name);
        try (PhaseProfile p = profiling.start(s)) {
            T result = RunDirectory.whileLocked(s, runDir, "gps " + name + " --iteration " + iteration,
                    () -> Main.stepLines(spec).run(StepLines.label(iteration, name),
                            () -> ProfileOption.step(p, iteration, () -> body.apply(s))));
            report.accept(result);
            ProfileOption.print(p);
            return result;
        }
    }
}
