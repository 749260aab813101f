package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.steps.SampleStep;
import org.gps.pipeline.steps.StepLines;
import org.gps.io.PhaseProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Roll out the iteration's controllers (N samples per condition).",
                "One Spark task per (condition, sample); publishes R/iter=I/rollouts atomically. A rerun "
                        + "replaces them with identical rows (every draw derives from the run's seed). Holds R's lock "
                        + "while it writes."})
final class SampleCommand implements Callable<Integer> {
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
        SparkSession s = spark.session("sample");
        try (PhaseProfile p = profiling.start(s)) {
            RunDirectory.whileLocked(s, step.runDir, "gps sample --iteration " + step.iteration,
                    () -> Main.stepLines(spec).run(StepLines.label(step.iteration, "sample"),
                            () -> ProfileOption.step(p, step.iteration, () -> {
                                SampleStep.run(s, step.runDir, step.iteration);
                                return null;
                            })));
            ProfileOption.print(p);
        }
        return Main.EXIT_OK;
    }
}
