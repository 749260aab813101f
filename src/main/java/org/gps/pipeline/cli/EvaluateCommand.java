package org.gps.pipeline.cli;

import org.gps.pipeline.steps.EvaluateStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Run the controllers and report returns per condition.",
                "Runs an iteration's controllers (default: the latest) from each condition's start and prints the",
                "mean return over the horizon and, for Pendulum, the mean |angle| over the last 20 steps."})
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--run-dir", paramLabel = "R", required = true, description = "Run directory.")
    String runDir;

    @Option(names = "--iteration", paramLabel = "I", description = "Controllers of this iteration (default: latest).")
    Integer iteration;

    @Option(names = "--episodes", paramLabel = "N", description = "Episodes per condition (default: the config's samples).")
    Integer episodes;

    @Option(names = "--json", description = "Print one JSON object (keys: iteration, conditions[condition, mean_return, "
            + "std_return, final_abs_angle]).")
    boolean json;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        if (episodes != null && episodes < 1) {
            throw new org.gps.core.BadInputException("--episodes: expected an integer >= 1, got " + episodes);
        }
        EvaluateStep.Result r = EvaluateStep.run(spark.session("evaluate"), runDir, iteration, episodes);
        System.out.print(json ? r.toJson() + System.lineSeparator() : r.toTable());
        return Main.EXIT_OK;
    }
}
