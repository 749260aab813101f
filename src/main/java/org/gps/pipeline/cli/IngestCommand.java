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

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Convert logged rollouts (CSV, JSON lines, Parquet with other column names) into the rollout schema (v2).",
                "A mapping file says which columns hold what (docs/ingest.md). Rows and rollouts that break the",
                "schema's rules are rejected, not written; the summary (also DIR/_ingest_report.json) counts them per reason.",
                "Exit 0 when at least one rollout was written, 2 when none passed or the input or mapping is bad.",
                "--out must be a new or empty folder apart from --input and --mapping; an earlier output of ingest",
                "there is replaced only with --overwrite."})
final class IngestCommand implements Callable<Integer> {
    @Option(names = "--input", paramLabel = "PATH", required = true,
            description = "Source: a file, a folder of files or a glob (local path or Hadoop URI).")
    String input;

    @Option(names = "--format", paramLabel = "csv|jsonl|parquet", required = true,
            description = "Source format; CSV needs a header line.")
    String format;

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
        SparkSession s = spark.session("ingest");
        if (!HadoopFiles.isFile(HadoopFiles.conf(s), new Path(mapping))) {
            throw new BadInputException("--mapping: " + mapping + " does not exist or is not a file");
        }
        IngestMapping m = IngestMapping.parse(mapping, HadoopFiles.readUtf8(HadoopFiles.conf(s), new Path(mapping)));
        OutputGuard.checkFolder(HadoopFiles.conf(s),
                new OutputGuard.Output("--out", out, "gps ingest", RolloutIngest.WRITER, overwrite),
                List.of(new OutputGuard.Input("--input", input), new OutputGuard.Input("--mapping", mapping)));
        IngestReport report = RolloutIngest.ingest(s, input, f, m, out);
        if (report.rolloutsAccepted() == 0) {
            System.err.print(report.format());
            System.err.println("gps ingest: error: every rollout of " + input + " was rejected; nothing written to " + out);
            return Main.EXIT_BAD_INPUT;
        }
        System.out.print(report.format());
        return Main.EXIT_OK;
    }
}
