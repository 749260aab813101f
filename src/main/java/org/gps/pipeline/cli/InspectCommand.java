package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.steps.Inspection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show what a rollout dataset or a run holds (docs/inspect.md).",
                "Dataset: counts per condition, T, dX, dU, dO, and the mean and std of x and u per t.",
                "Run: which outputs of each iteration are complete, the costs (state.json) and the dynamics' "
                        + "prediction error (summary.json); with --iteration also that iteration's rollouts and error "
                        + "per t."})
final class InspectCommand implements Callable<Integer> {
    @Option(names = "--rollouts", paramLabel = "PATH", description = "A rollout dataset (rollout schema v1 or v2).")
    String rollouts;

    @Option(names = "--run-dir", paramLabel = "R", description = "A run directory.")
    String runDir;

    @Option(names = "--iteration", paramLabel = "I", description = "With --run-dir: only this iteration, in detail.")
    Integer iteration;

    @Option(names = "--per-t", description = "Statistics at every t (default: t = 0, T/4, T/2, 3T/4, T-1).")
    boolean perT;

    @Option(names = "--json", description = "Print one JSON object (keys in docs/inspect.md).")
    boolean json;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        if ((rollouts == null) == (runDir == null)) {
            throw new BadInputException("inspect: give either --rollouts PATH or --run-dir R");
        }
        if (iteration != null && runDir == null) {
            throw new BadInputException("inspect: --iteration goes with --run-dir");
        }
        if (iteration != null && iteration < 0) {
            throw new BadInputException("--iteration: expected an integer >= 0, got " + iteration);
        }
        if (runDir != null) {
            RunDirectory.checkLocal(runDir, null);
        }
        SparkSession s = spark.session("inspect");
        if (rollouts != null) {
            Inspection.DatasetView v = Inspection.dataset(s, rollouts, perT);
            System.out.print(json ? Inspection.json(v.toJson()) + System.lineSeparator() : v.format());
        } else {
            Inspection.RunView v = Inspection.run(s, runDir, iteration, perT);
            System.out.print(json ? Inspection.json(v.toJson()) + System.lineSeparator() : v.format());
        }
        return Main.EXIT_OK;
    }
}
