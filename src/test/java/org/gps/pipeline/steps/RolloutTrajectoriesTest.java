package org.gps.pipeline.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.gps.core.sample.Trajectory;
import org.gps.io.SparkJobCount;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.pipeline.config.TestConfigs;
import org.gps.spark.SparkTestSession;
import org.gps.spark.TrajectoryGroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's rollout datasets are read from Parquet and assembled into trajectories once per process
 * while their files stay the same: the dynamics' and the policy's prior windows of an iteration, and
 * the next iterations' windows, take the kept trajectories without reading a row again; a dataset
 * written anew is read anew.
 */
class RolloutTrajectoriesTest {
    private static final String CONFIG = """
            name: kept-trajectories
            seed: 3
            iterations: 2
            horizon: 6
            samples: 2
            """ + TestConfigs.TINY_PENDULUM_TASK;

    @TempDir
    Path dir;

    private static SparkSession spark() {
        return SparkTestSession.get();
    }

    /** Records the tasks of the Spark jobs {@code work} starts read from their input (files or cached blocks). */
    private static long rowsRead(Runnable work) throws InterruptedException {
        SparkContext sc = spark().sparkContext();
        AtomicLong rows = new AtomicLong();
        String group = "rows-read-" + System.nanoTime();
        Set<Integer> stages = ConcurrentHashMap.newKeySet();
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                if (start.properties() != null && group.equals(start.properties().getProperty("spark.jobGroup.id"))) {
                    start.stageInfos().foreach(info -> stages.add(info.stageId()));
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskMetrics() != null && stages.contains(end.stageId())) {
                    rows.addAndGet(end.taskMetrics().inputMetrics().recordsRead());
                }
            }
        };
        sc.addSparkListener(listener);
        try {
            sc.setJobGroup(group, "counted", false);
            work.run();
            sc.clearJobGroup();
            // The listener bus delivers in order: once a later job is listed, the earlier ones' tasks have ended.
            SparkJobCount.awaitEarlierJobs(spark(), group);
            Thread.sleep(200);
        } finally {
            sc.removeSparkListener(listener);
        }
        return rows.get();
    }

    private static Map<TrajectoryGroups.Key, String> collect(JavaPairRDD<TrajectoryGroups.Key, Trajectory> t) {
        Map<TrajectoryGroups.Key, String> out = new TreeMap<>(java.util.Comparator
                .comparingInt(TrajectoryGroups.Key::iteration).thenComparingInt(TrajectoryGroups.Key::condition)
                .thenComparingInt(TrajectoryGroups.Key::sample));
        t.collectAsMap().forEach((k, v) -> out.put(k, java.util.Arrays.deepToString(v.x())
                + java.util.Arrays.deepToString(v.u()) + java.util.Arrays.deepToString(v.o())));
        return out;
    }

    @Test
    void aDatasetIsReadOnceWhileItsFilesAreUnchangedAndAgainWhenTheyChange() throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, CONFIG);
        String runDir = dir.resolve("run").toString();
        ExperimentConfig cfg = InitStep.run(spark(), config.toString(), runDir);
        SampleStep.run(spark(), runDir, 0);
        RunDirectory run = new RunDirectory(runDir, spark().sparkContext().hadoopConfiguration());
        String name = run.rollouts(0).toString();

        JavaPairRDD<TrajectoryGroups.Key, Trajectory> first = RolloutTrajectories.of(spark(), run, List.of(0), cfg, name);
        List<Map<TrajectoryGroups.Key, String>> seen = new java.util.ArrayList<>();
        long firstRows = rowsRead(() -> seen.add(collect(first)));
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> again = RolloutTrajectories.of(spark(), run, List.of(0), cfg, name);
        long againRows = rowsRead(() -> seen.add(collect(again)));

        assertEquals(2 * 2 * 6, firstRows, "the first pass reads every row");
        assertSame(first, again);
        // Spark counts a cached block's records as read too: the four kept trajectories, not 24 rows of the files.
        assertEquals(2 * 2, againRows, "the kept trajectories are not read from the files again");
        assertEquals(seen.get(0), seen.get(1));
        assertEquals(2 * 2, seen.get(0).size());

        // Sampled anew (another process's rerun of the step would do the same): new files, read again.
        SampleStep.run(spark(), runDir, 0);
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> rewritten = RolloutTrajectories.of(spark(), run, List.of(0), cfg,
                name);
        assertNotSame(first, rewritten);
        assertEquals(StorageLevel.NONE(), first.getStorageLevel(), "the stale trajectories are released");
        assertTrue(rowsRead(() -> collect(rewritten)) > 0, "the new files are read");
    }
}
