package org.gps.pipeline.cli;

import org.gps.pipeline.steps.TrajOptStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "trajopt", mixinStandardHelpOptions = true,
        description = {"Optimise the controllers under the KL constraint (TrajOpt C-step).",
                "Uses the iteration's rollouts (costs), fitted dynamics and controllers; one Spark task per "
                        + "condition. Writes R/iter=I+1/controllers and R/iter=I/state.json. Holds R's lock while it "
                        + "writes."})
final class TrajOptCommand implements Callable<Integer> {
    @Mixin
    StepOptions step;

    @Mixin
    SparkOptions spark;

    @Mixin
    ProfileOption profiling;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        step.run("trajopt", spark, profiling, spec, s -> TrajOptStep.run(s, step.runDir, step.iteration), r -> { });
        return Main.EXIT_OK;
    }
}
