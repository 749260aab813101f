package org.gps.pipeline.cli;

import org.gps.pipeline.steps.TrajOptStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "trajopt", mixinStandardHelpOptions = true,
        description = {"Optimise the controllers under the KL constraint (TrajOpt C-step).",
                "Uses the iteration's rollouts (costs), fitted dynamics and controllers; one Spark task per",
                "condition. Writes R/iter=I+1/controllers and R/iter=I/state.json."})
final class TrajOptCommand implements Callable<Integer> {
    @Mixin
    StepOptions step;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        TrajOptStep.run(spark.session("trajopt"), step.runDir, step.iteration);
        return Main.EXIT_OK;
    }
}
