package org.gps.pipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Groups the benchmarks; each one is a subcommand. */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = {"Time pipeline steps on generated problems of fixed sizes (see docs/benchmarks.md)."},
        subcommands = {DynamicsBenchmarkCommand.class, TrajOptBenchmarkCommand.class})
final class BenchmarkCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a benchmark is required, e.g. 'trajopt'");
    }
}
