package org.gps.pipeline.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
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
    private static volatile OutputGate stdoutGate;

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

    /**
     * Standard output through a gate that closes at the stop's line: a step line printed by the
     * main thread between the signal and the exit would otherwise follow it.
     */
    static void gateStandardOutput() {
        String encoding = System.getProperty("sun.stdout.encoding");
        Charset charset = encoding != null ? Charset.forName(encoding) : Charset.defaultCharset();
        OutputGate gate = new OutputGate(System.out);
        System.setOut(new PrintStream(gate, true, charset));
        stdoutGate = gate;
    }

    /**
     * Passes bytes on until {@link #close(Runnable)}, then drops them. Writes and the closing share
     * one lock, so nothing comes after the closing words; a line the closing interrupts (println
     * writes its text and its end separately) is ended first, so no line is cut in half.
     */
    static final class OutputGate extends OutputStream {
        private final OutputStream out;
        private boolean closed;
        private boolean midLine;

        OutputGate(OutputStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            if (!closed) {
                out.write(b);
                midLine = b != '\n';
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (!closed && len > 0) {
                out.write(b, off, len);
                midLine = b[off + len - 1] != '\n';
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        /** Closes the gate and says {@code lastWords} (elsewhere) with no write through the gate after them. */
        synchronized void close(Runnable lastWords) {
            closed = true;
            if (midLine) {
                try {
                    out.write('\n');
                    out.flush();
                } catch (IOException e) {
                    // The console is gone: the last words will not reach it either.
                }
            }
            lastWords.run();
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
        Runnable lastLine = () -> {
            CliLogging.silenceConsole();
            System.err.println(command + ": " + MESSAGE);
            System.err.flush();
        };
        OutputGate gate = stdoutGate;
        if (gate != null) {
            gate.close(lastLine);
        } else {
            lastLine.run();
        }
        CliLogging.quietAfterLastLine();
        // Runs the shutdown hooks (Spark stops its context, temporary files go) and exits with this status.
        System.exit(exitCode);
    }
}
