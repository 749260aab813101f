package org.gps.io;

import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession every job uses. Under {@code spark-submit} the master comes from the
 * submitter; for the embedded launcher it defaults to {@code local[*]}. It lives in io, the
 * lowest layer that talks to Spark, so that io's own tools can open a session too.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /**
     * @param master a Spark master URL, or null to keep whatever {@code spark-submit} set
     *               (falling back to {@code local[*]} when nothing did)
     */
    public static SparkSession getOrCreate(String appName, String master) {
        SparkSession.Builder b = SparkSession.builder().appName(appName);
        String configured = System.getProperty("spark.master");
        if (master != null) {
            b.master(master);
        } else if (configured == null) {
            b.master("local[*]");
        }
        if (System.getProperty("spark.ui.enabled") == null) {
            b.config("spark.ui.enabled", "false");
        }
        // Small, many-keyed shuffles (per condition and time step): the default 200 partitions only add overhead.
        b.config("spark.sql.shuffle.partitions", System.getProperty("spark.sql.shuffle.partitions", "8"));
        b.config("spark.sql.adaptive.enabled", "true");
        // Local files without a chmod process each (ForklessLocalFileSystem), unless the user names a file system.
        String localFs = "spark.hadoop." + ForklessLocalFileSystem.IMPL_KEY;
        if (System.getProperty(localFs) == null) {
            b.config(localFs, ForklessLocalFileSystem.class.getName());
        }
        // Java serialization, not Kryo: the models are Java records, which Spark's Kryo 4 cannot
        // construct; what crosses the wire per task is small (models, not rollouts: those stay in Tungsten rows).
        try {
            return b.getOrCreate();
        } catch (Exception e) {
            // Scala throws SparkException, a checked exception, undeclared; the precise rethrow below keeps it so.
            if (master != null && String.valueOf(e.getMessage()).contains("Could not parse Master URL")) {
                throw new org.gps.core.BadInputException("--master " + master + ": not a Spark master URL; expected "
                        + "local, local[N], local[*], spark://HOST:PORT, yarn or k8s://HOST:PORT", e);
            }
            throw e;
        }
    }
}
