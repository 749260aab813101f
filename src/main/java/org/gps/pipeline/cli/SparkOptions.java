package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.io.SparkSessions;
import picocli.CommandLine.Option;

/** The options every Spark step shares. */
public final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: the one spark-submit set, else local[*]).")
    String master;

    public SparkSession session(String step) {
        return SparkSessions.getOrCreate("gps " + step, master);
    }
}
