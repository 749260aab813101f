package org.gps.spark;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.gps.core.BadInputException;
import org.gps.core.sample.Trajectory;
import org.gps.io.RolloutRules;
import org.gps.io.RolloutSchema;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Reassembles rollout rows (one per time step) into whole trajectories on the executors, keyed by
 * condition: the unit that costs and the C-step work on. Only one trajectory's rows meet in a task.
 */
public final class TrajectoryGroups {
    private TrajectoryGroups() {
    }

    /** Identifies a trajectory within a rollout dataset. */
    public record Key(int iteration, int condition, int sample) implements Serializable {
    }

    /** Every trajectory of {@code rollouts}, keyed by its (iteration, condition, sample). */
    public static JavaPairRDD<Key, Trajectory> trajectories(Dataset<Row> rollouts) {
        return trajectories(rollouts, "rollouts");
    }

    /**
     * Every trajectory of {@code rollouts} (the schema's columns, as {@link org.gps.io.RolloutReader}
     * returns them; the applied actions ride along when every row of a trajectory has them), keyed by its (iteration, condition, sample). Each row is checked by
     * {@link RolloutRules} as it is parsed and each trajectory as it is assembled, in the tasks
     * that do that work anyway; a breach fails the job with a {@link BadInputException}.
     *
     * @param dataset names the data in messages about whole trajectories (row faults name the file)
     */
    public static JavaPairRDD<Key, Trajectory> trajectories(Dataset<Row> rollouts, String dataset) {
        return trajectories(rollouts, new RolloutRules.RowCheck(dataset));
    }

    /** {@link #trajectories(Dataset, String)} with the given row check (e.g. one that knows the run's dX, dU, dO). */
    public static JavaPairRDD<Key, Trajectory> trajectories(Dataset<Row> rollouts, RolloutRules.RowCheck check) {
        return checkedRows(rollouts, check).groupByKey().mapValues(rows -> assemble(check.dataset(), rows));
    }

    /**
     * {@link #trajectories(Dataset, RolloutRules.RowCheck)} with every condition's trajectories in one
     * partition ({@link ByCondition}), for data with several conditions per core: per-condition work
     * on them (the per-step fits) then needs no shuffle. Datasets partitioned alike keep the
     * partitioner through a union.
     */
    public static JavaPairRDD<Key, Trajectory> byCondition(Dataset<Row> rollouts, RolloutRules.RowCheck check,
                                                           int partitions) {
        return checkedRows(rollouts, check).groupByKey(new ByCondition(partitions))
                .mapValues(rows -> assemble(check.dataset(), rows));
    }

    /** Whether every condition's trajectories are in one partition of {@code trajectories}. */
    public static boolean conditionsWhole(JavaPairRDD<Key, Trajectory> trajectories) {
        return trajectories.partitioner().isPresent() && trajectories.partitioner().get() instanceof ByCondition;
    }

    private static JavaPairRDD<Key, RolloutRules.CheckedRow> checkedRows(Dataset<Row> rollouts,
                                                                        RolloutRules.RowCheck check) {
        Dataset<Row> cols = rollouts.select(RolloutSchema.ALL_COLUMNS.stream().map(functions::col).toArray(Column[]::new));
        return cols.toJavaRDD().mapToPair(r -> {
            RolloutRules.CheckedRow c = check.check(r);
            return new Tuple2<>(new Key(c.iteration(), c.condition(), c.sample()), c);
        });
    }

    /** Trajectories by condition, the conditions dealt to the partitions in turn. */
    public static final class ByCondition extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;

        public ByCondition(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
            }
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return Math.floorMod(((Key) key).condition(), partitions);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByCondition b && b.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return 31 * ByCondition.class.hashCode() + partitions;
        }
    }

    private static Trajectory assemble(String dataset, Iterable<RolloutRules.CheckedRow> rows) {
        List<RolloutRules.CheckedRow> list = new ArrayList<>();
        rows.forEach(list::add);
        double[][][] xuo = RolloutRules.assemble(dataset, list);
        return new Trajectory(xuo[0], xuo[1], xuo[2], xuo[3]);
    }
}
