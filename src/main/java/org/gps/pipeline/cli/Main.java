package org.gps.pipeline.cli;

import org.gps.core.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The command line: one entry point, one subcommand per pipeline step. Exit codes follow the job
 * contract (DESIGN.md): 0 done, 2 bad input or config (one line naming file, row or key; no stack
 * trace), 1 internal failure.
 */
@Command(name = "gps", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Guided Policy Search on Apache Spark.",
        subcommands = {
                RunCommand.class,
                InitCommand.class,
                SampleCommand.class,
                ValidateCommand.class,
                IngestCommand.class,
                InspectCommand.class,
                FitDynamicsCommand.class,
                TrajOptCommand.class,
                TrainPolicyCommand.class,
                EvaluateCommand.class,
                ReportCommand.class,
                BenchmarkCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_INTERNAL = 1;
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        int code = execute(args);
        System.exit(code);
    }

    /** Runs the command line without exiting the JVM (tests call this). */
    public static int execute(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // picocli already exits with 2 (ExitCode.USAGE) on a bad option, matching EXIT_BAD_INPUT.
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            BadInputException bad = badInput(ex);
            if (bad != null) {
                err.println(cmd.getCommandSpec().qualifiedName() + ": error: " + bad.getMessage());
                err.flush();
                return EXIT_BAD_INPUT;
            }
            err.println(cmd.getCommandSpec().qualifiedName() + ": internal failure: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return EXIT_INTERNAL;
        });
        return cl;
    }

    /** A user error may arrive wrapped (e.g. by Spark when thrown in a task): look through the causes. */
    static BadInputException badInput(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BadInputException b) {
                return b;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
