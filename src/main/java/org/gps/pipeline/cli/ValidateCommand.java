package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.io.RolloutValidator;
import org.gps.io.ValidationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check a rollout dataset against the rollout schema (v1 or v2).",
                "Reports every problem found; exit 0 when valid, 2 when not. See docs/rollout-schema.md."})
final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "Rollout dataset (a Parquet directory or file; Hadoop URI).")
    String path;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        SparkSession s = spark.session("validate");
        ValidationReport report = RolloutValidator.validate(s, path);
        if (report.isValid()) {
            System.out.println(report.format());
            return Main.EXIT_OK;
        }
        // The report is the last word: Spark's stopping tasks log to the file only, and no blank line ends it.
        CliLogging.silenceConsole();
        System.err.println(report.format().stripTrailing());
        CliLogging.quietAfterLastLine();
        return Main.EXIT_BAD_INPUT;
    }
}
