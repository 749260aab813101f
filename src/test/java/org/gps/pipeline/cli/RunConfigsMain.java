package org.gps.pipeline.cli;

/**
 * Runs {@code gps run} for several configs, one after the other, in one JVM on one Spark master:
 * arguments are the master, then pairs of config and run directory. Exits with the first non-zero
 * exit code, or 0. One JVM (and one Spark start) for several runs.
 */
final class RunConfigsMain {
    private RunConfigsMain() {
    }

    public static void main(String[] args) {
        String master = args[0];
        for (int i = 1; i + 1 < args.length; i += 2) {
            int code = Main.execute("run", "--config", args[i], "--run-dir", args[i + 1], "--master", master);
            if (code != 0) {
                System.exit(code);
            }
        }
        System.exit(0);
    }
}
