package org.gps.pipeline.cli;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The command line's logging (log4j2-cli.properties beside this class): one-line messages on the
 * console, every stack trace in a log file of this process, traces on the console too with
 * {@code --verbose}. Installed only by {@link Main#main}: tests that run the command line
 * in-process keep the test logging.
 */
final class CliLogging {
    static final String CONSOLE = "console";
    static final String VERBOSE = "verbose";
    /** The folder of the log files; java.io.tmpdir unless set. */
    static final String LOG_DIR_PROPERTY = "gps.log.dir";

    private static volatile Path logFile;
    /**
     * netlib announces through java.util.logging which BLAS it loaded, at INFO on stderr when it
     * loads before Spark has bridged that logging (--version): said by --version and state.json
     * instead. Held here because java.util.logging keeps its loggers only weakly.
     */
    private static final java.util.logging.Logger NETLIB = java.util.logging.Logger.getLogger("dev.ludovic.netlib");

    private CliLogging() {
    }

    /**
     * Installs the command line's configuration unless one was given with
     * -Dlog4j2.configurationFile; the log file is {@code gps-<date>-<time>-<pid>.log} in
     * {@value #LOG_DIR_PROPERTY} (default java.io.tmpdir).
     */
    static void install() {
        NETLIB.setLevel(java.util.logging.Level.WARNING);
        if (System.getProperty("log4j2.configurationFile") != null) {
            return;
        }
        Path dir = Path.of(System.getProperty(LOG_DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path file = dir.resolve("gps-" + stamp + "-" + ProcessHandle.current().pid() + ".log").toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            // Without a log file the console still works; the traces then go to the console (Main).
            return;
        }
        System.setProperty("gps.log.file", file.toString());
        System.setProperty("gps.log.console", CONSOLE);
        reconfigure();
        logFile = file;
    }

    /** The log file of this process, or null when none was installed (in-process tests, one's own log4j config). */
    static Path logFile() {
        return logFile;
    }

    /** Shows every stack trace on the console as well (--verbose). */
    static void verbose() {
        if (logFile != null) {
            System.setProperty("gps.log.console", VERBOSE);
            reconfigure();
        }
    }

    /** Only WARN and ERROR on the console (--quiet); the log file keeps every line. */
    static void quiet() {
        if (logFile != null) {
            System.setProperty("gps.log.console.level", "warn");
            reconfigure();
        }
    }

    /** Writes {@code t}'s whole trace to the log file (nothing when there is none). */
    static void logTrace(String what, Throwable t) {
        if (logFile != null) {
            Logger failure = LogManager.getLogger("gps.failure");
            failure.error(what, t);
        }
    }

    /** Nothing more on the console from any logger (a stop by signal has said its last line); the file keeps all. */
    static void silenceConsole() {
        // Only the command line's own configuration: in-process callers (tests) keep theirs.
        if (logFile == null || !(LogManager.getContext(false) instanceof LoggerContext ctx)) {
            return;
        }
        for (LoggerConfig lc : ctx.getConfiguration().getLoggers().values()) {
            lc.removeAppender(CONSOLE);
            lc.removeAppender(VERBOSE);
        }
        ctx.getConfiguration().getRootLogger().removeAppender(CONSOLE);
        ctx.getConfiguration().getRootLogger().removeAppender(VERBOSE);
        ctx.updateLoggers();
    }

    /**
     * After the last line: besides the loggers, whatever still writes to standard error (a thread
     * pool's task rejected while Spark stops, printed with its trace) goes to the log file.
     */
    static void quietAfterLastLine() {
        if (logFile == null) {
            return;
        }
        silenceConsole();
        System.err.flush();
        try {
            System.setErr(new java.io.PrintStream(new java.io.FileOutputStream(logFile.toFile(), true), true,
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        }
    }

    private static void reconfigure() {
        try {
            Configurator.reconfigure(CliLogging.class.getResource("log4j2-cli.properties").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("log4j2-cli.properties: not a URI", e);
        }
    }
}
