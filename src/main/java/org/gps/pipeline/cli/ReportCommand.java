package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.io.HadoopFiles;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        // One element per paragraph: picocli wraps each element itself.
        description = {"Write an HTML page of a run with its charts.",
                "It opens with the run's result: the published policy's return and the environment steps it was "
                        + "trained from, or for a run that trains no policy its latest controllers' returns per "
                        + "condition (evaluated as gps evaluate does). Then the cost per iteration, KL against its "
                        + "target and the step multiplier, the dynamics' one-step prediction error over t and per "
                        + "iteration, and the policy's return when the run has policy_eval.json files.",
                "The page is one file with its images inlined, to mail or attach as it is. series.json (every "
                        + "plotted number) goes into the folder beside it named after it (index.html -> "
                        + "index_files/). gps run writes the report at the end.",
                "Into R/report/ it replaces the run's earlier report and holds R's lock while it writes; elsewhere the "
                        + "page must be new (or an earlier report, with --overwrite) and outside R."})
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--run-dir", paramLabel = "R", required = true,
            description = "Run directory (local path or Hadoop URI: file:, hdfs:, s3a:).")
    String runDir;

    @Option(names = "--out", paramLabel = "FILE", description = "The HTML page (default: R/report/index.html).")
    String out;

    @Option(names = "--overwrite", description = "Replace an earlier report at --out (outside R).")
    boolean overwrite;

    @Mixin
    SparkOptions spark;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        RunDirectory.checkLocal(runDir, null);
        SparkSession s = spark.session("report");
        RunReport.Written w;
        if (RunReport.writesIntoRun(HadoopFiles.conf(s), runDir, out)) {
            w = RunDirectory.whileLocked(s, runDir, "gps report", () -> RunReport.write(s, runDir, out, overwrite));
        } else {
            w = RunReport.write(s, runDir, out, overwrite);
        }
        spec.commandLine().getOut().println("report: " + w.page() + " (" + w.charts().size() + " charts in the page; "
                + RunReport.SERIES + " in " + w.assets() + ")");
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
