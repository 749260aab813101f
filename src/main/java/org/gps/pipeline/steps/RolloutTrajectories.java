package org.gps.pipeline.steps;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.gps.core.env.Environment;
import org.gps.core.sample.Trajectory;
import org.gps.io.HadoopFiles;
import org.gps.io.RolloutReader;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.spark.TrajectoryGroups;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trajectories of a run's rollout datasets, each dataset read, checked and assembled once per
 * process and kept on the executors (memory and disk) while its files are unchanged. The prior
 * windows of the dynamics and of the policy linearization take the same ten iterations' rollouts,
 * the S-step the newest of them, and the next iteration's windows nine of them again: under
 * {@code gps run} each of those passes
 * read and regrouped every dataset of the window from Parquet. A dataset is kept by its folder,
 * with the folder's listing (file names, sizes, modification times, the completion marker among
 * them) and the run's dimensions the rows are checked against; any change of a file, or a new
 * Spark context, and it is read again. At most {@link #CAPACITY} datasets are kept, the least
 * recently used released first; in a JVM per step the cache starts empty and the step reads what
 * it reads as before.
 */
final class RolloutTrajectories {
    /** A window of the longest kept (ten iterations for the Pendulum examples), with room for the next one's newest. */
    static final int CAPACITY = 16;

    private record Kept(String listing, JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories) {
    }

    private static final Map<String, Kept> KEPT = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
            if (size() > CAPACITY) {
                eldest.getValue().trajectories().unpersist(false);
                return true;
            }
            return false;
        }
    };

    private RolloutTrajectories() {
    }

    /**
     * The trajectories of the run's rollouts of {@code iterations}, in that order, each dataset
     * required complete (its marker) when it is read.
     *
     * @param dataset names the data in messages about whole trajectories of a dataset read now, as
     *                {@link TrajectoryGroups#trajectories} does
     */
    static synchronized JavaPairRDD<TrajectoryGroups.Key, Trajectory> of(SparkSession spark, RunDirectory run,
                                                                       List<Integer> iterations,
                                                                       ExperimentConfig config, String dataset) {
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> all = null;
        for (int i : iterations) {
            JavaPairRDD<TrajectoryGroups.Key, Trajectory> t = dataset(spark, run.rollouts(i).toString(), config, dataset);
            all = all == null ? t : all.union(t);
        }
        return all;
    }

    private static JavaPairRDD<TrajectoryGroups.Key, Trajectory> dataset(SparkSession spark, String path,
                                                                        ExperimentConfig config, String dataset) {
        Environment env = config.environment().create();
        String key = path + "\n" + env.stateDim() + " " + env.actionDim() + " " + env.observationDim();
        // Listed before the read: a file replaced in between leaves a stale listing, never stale trajectories.
        String listing = HadoopFiles.listing(HadoopFiles.conf(spark), path);
        Kept kept = KEPT.get(key);
        if (kept != null && listing != null && kept.listing().equals(listing)
                && kept.trajectories().context() == spark.sparkContext() && !spark.sparkContext().isStopped()) {
            return kept.trajectories();
        }
        // By condition, one partition per core: the dynamics' and the policy linearization's per-step
        // fits then run where the trajectories are, without a shuffle.
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> t = TrajectoryGroups.byCondition(
                RolloutReader.readComplete(spark, path), RunRollouts.check(dataset, config),
                spark.sparkContext().defaultParallelism());
        if (kept != null) {
            kept.trajectories().unpersist(false);
            KEPT.remove(key);
        }
        if (listing == null) {
            return t;
        }
        t = t.persist(StorageLevel.MEMORY_AND_DISK());
        KEPT.put(key, new Kept(listing, t));
        return t;
    }
}
