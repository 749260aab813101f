package org.gps.pipeline.cli;

import org.gps.pipeline.steps.SampleStep;
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
        step.run("sample", spark, profiling, spec, s -> {
            SampleStep.run(s, step.runDir, step.iteration);
            return null;
        }, r -> { });
        return Main.EXIT_OK;
    }
}
