package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.io.FaultKind;
import org.gps.io.MappingSkeleton;
import org.gps.io.RolloutSchema;
import org.gps.io.RolloutValidator;
import org.gps.io.ValidationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "validate", mixinStandardHelpOptions = true,
        // One element per paragraph: picocli wraps each element itself.
        description = {"Check a rollout dataset against the rollout schema (v1 or v2).",
                "Reports every problem found; exit 0 when valid, 2 when not. See docs/rollout-schema.md.",
                "A log in another shape (CSV, JSON lines, Parquet with other columns) is pointed to gps ingest, with "
                        + "a mapping guessed from its columns printed alone on standard output, ready to edit."})
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
        Optional<MappingSkeleton.Suggestion> raw = looksRaw(report) ? MappingSkeleton.suggest(s, path) : Optional.empty();
        // The report is the last word: Spark's stopping tasks log to the file only, and no blank line ends it.
        CliLogging.silenceConsole();
        System.err.println(report.format().stripTrailing());
        raw.ifPresent(r -> {
            // The mapping alone on standard output: `gps validate LOG > MAP.yaml` saves it ready to edit.
            System.err.flush();
            System.out.print(r.yaml());
            System.out.flush();
            System.err.println("gps validate: error: " + path + " is not a rollout dataset but looks like a raw log ("
                    + r.format().label() + "); convert it with gps ingest, starting from the mapping above: "
                    + r.command());
        });
        CliLogging.quietAfterLastLine();
        return Main.EXIT_BAD_INPUT;
    }

    /**
     * A file that is not Parquet, or Parquet without half the schema's columns: not a damaged
     * rollout dataset but a log in its own shape, which ingest converts.
     */
    private static boolean looksRaw(ValidationReport report) {
        boolean unreadable = report.problemsOf(FaultKind.UNREADABLE_PATH).stream()
                .anyMatch(p -> !p.message().contains("does not exist"));
        int missing = report.problemsOf(FaultKind.MISSING_COLUMN).size();
        return unreadable || missing * 2 >= RolloutSchema.REQUIRED_COLUMNS.size();
    }
}
