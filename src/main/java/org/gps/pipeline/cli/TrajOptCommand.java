package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.steps.StepLines;
import org.gps.pipeline.steps.TrajOptStep;
import org.gps.io.PhaseProfile;
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
        step.checkBeforeSpark();
        SparkSession s = spark.session("trajopt");
        try (PhaseProfile p = profiling.start(s)) {
            RunDirectory.whileLocked(s, step.runDir, "gps trajopt --iteration " + step.iteration,
                    () -> Main.stepLines(spec).run(StepLines.label(step.iteration, "trajopt"),
                            () -> ProfileOption.step(p, step.iteration,
                                    () -> TrajOptStep.run(s, step.runDir, step.iteration))));
            ProfileOption.print(p);
        }
        return Main.EXIT_OK;
    }
}
