package org.gps.pipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Groups the benchmarks; each one is a subcommand. */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = {"Time pipeline steps on generated problems of fixed sizes, or measure how reliably a config "
                + "learns over seeds (control; see docs/benchmarks.md)."},
        subcommands = {DynamicsBenchmarkCommand.class, TrajOptBenchmarkCommand.class,
                ControlBenchmarkCommand.class})
final class BenchmarkCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a benchmark is required, e.g. 'trajopt'");
    }

    /** Prints a benchmark's Markdown table and, with --out, writes it to that file too. */
    static void emit(String table, java.nio.file.Path out) {
        System.out.print(table);
        if (out == null) {
            return;
        }
        try {
            java.nio.file.Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
            java.nio.file.Files.writeString(out, table, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + out, e);
        }
    }
}
