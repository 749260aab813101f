package org.gps.pipeline.cli;

import org.gps.core.BadInputException;
import org.gps.io.ReadFailures;
import org.gps.pipeline.steps.StepLines;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The command line: one entry point, one subcommand per pipeline step. Exit codes follow the job
 * contract (docs/errors.md): 0 done, 2 bad input or config (one last line naming file, row or key;
 * no stack trace), 1 internal failure (one last line with the root cause and the log file), 143 and
 * 130 when stopped by SIGTERM or SIGINT.
 */
@Command(name = "gps", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Guided Policy Search on Apache Spark.",
        subcommands = {
                RunCommand.class,
                InitCommand.class,
                ConfigKeysCommand.class,
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

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces on the console too (they are always in the log file).")
    boolean verbose;

    @CommandLine.Option(names = "--quiet", scope = CommandLine.ScopeType.INHERIT,
            description = "Print only warnings, errors and the results: no step lines, no progress rows, no INFO "
                    + "lines (the log file keeps them). For schedulers; the exit codes are the same.")
    boolean quiet;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        LauncherStderr.install();
        // Our own text names Locale.ROOT wherever it is made, executors included; this covers what
        // libraries format on the driver with the default locale (the report's chart axes), so that
        // a run reads the same on every machine.
        Locale.setDefault(Locale.ROOT);
        CliLogging.install();
        SignalStop.install();
        SignalStop.gateStandardOutput();
        int code = execute(args);
        // The last line is said: what Spark logs while it stops (tasks still running when a job
        // failed, shuffle files it cannot delete) goes to the log file only.
        CliLogging.quietAfterLastLine();
        System.exit(code);
    }

    /** Runs the command line without exiting the JVM (tests call this). */
    public static int execute(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setExecutionStrategy(parseResult -> {
            SignalStop.running(commandOf(parseResult).getCommandSpec().qualifiedName());
            if (main.verbose) {
                CliLogging.verbose();
            }
            if (main.quiet) {
                CliLogging.quiet();
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        // A bad command line is bad input like any other: one line naming the option, exit 2, where
        // picocli would print the whole usage after the error.
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName();
            String msg = String.valueOf(ex.getMessage()).lines().findFirst().orElse("");
            String hint = ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
                    ? " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)" : "";
            PrintWriter err = cmd.getErr();
            err.println(name + ": error: " + msg + hint + "; see '" + name + " --help'");
            err.flush();
            return EXIT_BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            String name = cmd.getCommandSpec().qualifiedName();
            if (SignalStop.stopping()) {
                // The signal handler has printed the last line; this failure is the stop it caused.
                return EXIT_INTERNAL;
            }
            BadInputException bad = badInput(ex);
            if (bad == null) {
                bad = ReadFailures.plain(ex);
            }
            CliLogging.logTrace(name + ": " + (bad != null ? "error: " + bad.getMessage() : "internal failure"), ex);
            // Our line is the last: Spark's tasks still running when the job failed would log after it.
            CliLogging.silenceConsole();
            boolean traceOnConsole = main.verbose || (bad == null && CliLogging.logFile() == null);
            if (traceOnConsole) {
                ex.printStackTrace(err);
            }
            if (bad != null) {
                err.println(name + ": error: " + bad.getMessage());
                err.flush();
                CliLogging.quietAfterLastLine();
                return EXIT_BAD_INPUT;
            }
            err.println(name + ": internal failure: " + firstLine(rootCause(ex))
                    + (CliLogging.logFile() == null || traceOnConsole ? "" : " (stack trace in " + CliLogging.logFile()
                    + "; --verbose prints it here)"));
            err.flush();
            CliLogging.quietAfterLastLine();
            return EXIT_INTERNAL;
        });
        return cl;
    }

    /** True when the command line has --quiet: {@code spec} is any of its commands. */
    static boolean quiet(CommandLine.Model.CommandSpec spec) {
        return spec.root().userObject() instanceof Main m && m.quiet;
    }

    /** The step lines of a step command: to its standard output, none with --quiet. */
    static StepLines stepLines(CommandLine.Model.CommandSpec spec) {
        return StepLines.to(quiet(spec) ? null : spec.commandLine().getOut());
    }

    private static CommandLine commandOf(CommandLine.ParseResult pr) {
        while (pr.hasSubcommand()) {
            pr = pr.subcommand();
        }
        return pr.commandSpec().commandLine();
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

    private static Throwable rootCause(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }

    private static String firstLine(Throwable t) {
        String s = t.toString();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
