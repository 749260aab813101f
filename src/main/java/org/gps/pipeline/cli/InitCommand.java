package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ConfigReader;
import org.gps.pipeline.steps.InitStep;
import org.gps.pipeline.steps.StepLines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create a run directory from an experiment config.",
                "Validates the config, freezes it (every default filled in) into the run directory and "
                        + "writes the initial controllers of iteration 0. Later steps need only --run-dir.",
                "R must be new or empty (or hold this same config's run, whose initial controllers are "
                        + "rewritten); init holds R's lock (R/_gps.lock) while it writes, so a second writer is "
                        + "refused."})
final class InitCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "C", required = true, description = "Experiment config (YAML or JSON).")
    String config;

    @Option(names = "--run-dir", paramLabel = "R", required = true,
            description = "Run directory to create (local path or Hadoop URI).")
    String runDir;

    @Mixin
    SparkOptions spark;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ConfigReader.checkLocalFile(config);
        SparkSession s = spark.session("init");
        RunDirectory.whileLocked(s, runDir, "gps init",
                () -> Main.stepLines(spec).run("init", () -> InitStep.run(s, config, runDir)));
        return Main.EXIT_OK;
    }
}
