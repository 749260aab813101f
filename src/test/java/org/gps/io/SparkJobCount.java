package org.gps.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/** How many Spark jobs a piece of driver code starts on the tests' shared session. */
public final class SparkJobCount {
    private SparkJobCount() {
    }

    /** The Spark jobs {@code work} started on the calling thread. */
    public static int of(SparkSession spark, Runnable work) {
        SparkContext sc = spark.sparkContext();
        String group = "counted-" + System.nanoTime();
        sc.setJobGroup(group, "counted", false);
        try {
            work.run();
        } finally {
            sc.clearJobGroup();
        }
        awaitEarlierJobs(spark, group);
        return sc.statusTracker().getJobIdsForGroup(group).length;
    }

    /**
     * Returns once Spark's listeners have heard of every job started before the call (those of job
     * group {@code group} among them): its job records arrive through the listener bus in order, so
     * once a later job is listed, every earlier one is too.
     */
    public static void awaitEarlierJobs(SparkSession spark, String group) {
        SparkContext sc = spark.sparkContext();
        String later = group + "-later";
        sc.setJobGroup(later, "a later job", false);
        spark.range(1).collectAsList();
        sc.clearJobGroup();
        long deadline = System.nanoTime() + 30_000_000_000L;
        try {
            while (sc.statusTracker().getJobIdsForGroup(later).length == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertTrue(sc.statusTracker().getJobIdsForGroup(later).length > 0, "the later job is listed");
    }
}
