package org.gps.pipeline.cli;

import org.gps.pipeline.RunDirectory;
import picocli.CommandLine.Option;

/** --run-dir and --iteration, shared by every step after init. */
public final class StepOptions {
    @Option(names = "--run-dir", paramLabel = "R", required = true,
            description = "Run directory (local path or Hadoop URI: file:, hdfs:, s3a:).")
    String runDir;

    @Option(names = "--iteration", paramLabel = "I", required = true, description = "GPS iteration, from 0.")
    int iteration;

    /** The run directory and iteration, checked before Spark starts where the directory is local. */
    void checkBeforeSpark() {
        RunDirectory.checkLocal(runDir, iteration);
    }
}
