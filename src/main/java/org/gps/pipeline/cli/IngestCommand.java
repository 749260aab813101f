package org.gps.pipeline.cli;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.io.HadoopFiles;
import org.gps.io.IngestMapping;
import org.gps.io.IngestReport;
import org.gps.io.OutputGuard;
import org.gps.io.RolloutIngest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        // One element per paragraph: picocli wraps each element itself.
        description = {"Convert logged rollouts (CSV or TSV, JSON lines, Parquet with other column names) into the "
                + "rollout schema (v2).",
                "A mapping file says which columns hold what (docs/ingest.md): the condition as an index or as a text "
                        + "label numbered through a labels file, and t from a step column (with an offset), from a "
                        + "timestamp's rank within its rollout, or from the row order.",
                "Rows and rollouts that break the schema's rules are rejected, not written; the summary (also "
                        + "DIR/_ingest_report.json) counts them per reason.",
                "Exit 0 when at least one rollout was written, 2 when none passed or the input or mapping is bad.",
                "--out must be a new or empty folder apart from --input and --mapping; an earlier output of ingest "
                        + "there is replaced only with --overwrite."})
final class IngestCommand implements Callable<Integer> {
    @Option(names = "--input", paramLabel = "PATH", required = true,
            description = "Source: a file, a folder of files or a glob (local path or Hadoop URI).")
    String input;

    @Option(names = "--format", paramLabel = "csv|jsonl|parquet", required = true,
            description = "Source format; CSV needs a header line.")
    String format;

    @Option(names = "--delimiter", paramLabel = "CHAR",
            description = "CSV field separator: one character, or \\t (or tab) for tab-separated files (default ,).")
    String delimiter;

    @Option(names = "--mapping", paramLabel = "MAP.yaml", required = true, description = "The column mapping (YAML).")
    String mapping;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Output folder (rollout schema v2 Parquet, published atomically): new or empty, not inside the input.")
    String out;

    @Option(names = "--overwrite", description = "Replace an earlier output of gps ingest at --out.")
    boolean overwrite;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        RolloutIngest.Format f = RolloutIngest.Format.parse(format);
        char sep = delimiter(f, delimiter);
        SparkSession s = spark.session("ingest");
        if (!HadoopFiles.isFile(HadoopFiles.conf(s), new Path(mapping))) {
            throw new BadInputException("--mapping: " + mapping + " does not exist or is not a file");
        }
        IngestMapping m = IngestMapping.parse(mapping, HadoopFiles.readUtf8(HadoopFiles.conf(s), new Path(mapping)));
        List<OutputGuard.Input> inputs = new ArrayList<>(List.of(new OutputGuard.Input("--input", input),
                new OutputGuard.Input("--mapping", mapping)));
        if (m.conditionLabels() != null) {
            // The labels file outlives the output and is read before the input: it may be in neither.
            if (OutputGuard.isInside(HadoopFiles.conf(s), m.conditionLabels(), input)) {
                throw new BadInputException(mapping + ": condition_labels: " + m.conditionLabels() + " lies inside --input "
                        + input + "; expected a file apart from the input, which would read it as a log");
            }
            inputs.add(new OutputGuard.Input("condition_labels (" + mapping + ")", m.conditionLabels()));
        }
        OutputGuard.checkFolder(HadoopFiles.conf(s),
                new OutputGuard.Output("--out", out, "gps ingest", RolloutIngest.WRITER, overwrite), inputs);
        IngestReport report = RolloutIngest.ingest(s, new RolloutIngest.Source(input, f, sep), m, out);
        if (report.rolloutsAccepted() == 0) {
            System.err.print(report.format());
            System.err.println("gps ingest: error: every rollout of " + input + " was rejected; nothing written to " + out
                    + report.mainReason().map(r -> "; most rejected for " + r).orElse(""));
            return Main.EXIT_BAD_INPUT;
        }
        System.out.print(report.format());
        return Main.EXIT_OK;
    }

    /** The CSV separator the option names; a comma when it is not given. */
    static char delimiter(RolloutIngest.Format format, String option) {
        if (option == null) {
            return ',';
        }
        if (format != RolloutIngest.Format.CSV) {
            throw new BadInputException("--delimiter: only for --format csv; " + format.label() + " has no delimiter");
        }
        char c;
        if (option.equals("\\t") || option.equalsIgnoreCase("tab")) {
            c = '\t';
        } else if (option.length() == 1) {
            c = option.charAt(0);
        } else {
            throw new BadInputException("--delimiter: expected one character, or \\t (or tab) for a tab, got '" + option
                    + "'");
        }
        if (c == '"' || c == '\n' || c == '\r') {
            throw new BadInputException("--delimiter: '" + (c == '\n' ? "\\n" : c == '\r' ? "\\r" : String.valueOf(c))
                    + "' cannot separate fields (it quotes cells or ends lines); expected a character such as , ; | "
                    + "or \\t");
        }
        return c;
    }
}
