package org.gps.pipeline.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (a scheduler's stop, Ctrl-C) end a step with one line and the usual exit
 * status of a stopped process (128 + signal: 143, 130). Without this the JVM's shutdown stops the
 * SparkContext under the running step, which then fails and prints an internal failure with a
 * trace. The outputs stay safe either way: a step publishes atomically, and a rerun resumes.
 */
final class SignalStop {
    static final String MESSAGE = "stopped by signal; rerun to resume";

    private static volatile int exitCode;
    private static volatile String command = "gps";

    private SignalStop() {
    }

    static void install() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), SignalStop::stop);
            } catch (IllegalArgumentException e) {
                // The signal is reserved here (e.g. -Xrs or a debugger): the JVM's default applies.
            }
        }
    }

    /** The command being run, for the last line. */
    static void running(String qualifiedName) {
        command = qualifiedName;
    }

    /** True once a signal asked the process to stop: the failure it causes is not reported. */
    static boolean stopping() {
        return exitCode != 0;
    }

    private static void stop(Signal s) {
        synchronized (SignalStop.class) {
            if (exitCode != 0) {
                return;
            }
            exitCode = 128 + s.getNumber();
        }
        CliLogging.silenceConsole();
        System.out.flush();
        System.err.println(command + ": " + MESSAGE);
        System.err.flush();
        CliLogging.quietAfterLastLine();
        // Runs the shutdown hooks (Spark stops its context, temporary files go) and exits with this status.
        System.exit(exitCode);
    }
}
