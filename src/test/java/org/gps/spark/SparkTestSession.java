package org.gps.spark;

import org.apache.spark.sql.SparkSession;
import org.gps.io.SparkSessions;

/**
 * The one SparkSession shared by every test class in the Surefire JVM: starting Spark costs
 * seconds, reusing it costs nothing. Never stop it in a test.
 */
public final class SparkTestSession {
    private static SparkSession session;

    private SparkTestSession() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSessions.getOrCreate("gps-tests", "local[2]");
            session.sparkContext().setLogLevel("WARN");
        }
        return session;
    }
}
