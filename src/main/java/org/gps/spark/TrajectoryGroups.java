package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.gps.core.BadInputException;
import org.gps.core.sample.Trajectory;
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
        Dataset<Row> cols = rollouts.select(RolloutSchema.ITERATION, RolloutSchema.CONDITION, RolloutSchema.SAMPLE,
                RolloutSchema.T, RolloutSchema.X, RolloutSchema.U, RolloutSchema.O);
        return cols.toJavaRDD()
                .mapToPair(r -> new Tuple2<>(new Key(r.getInt(0), r.getInt(1), r.getInt(2)), r))
                .groupByKey()
                .mapValues(TrajectoryGroups::assemble);
    }

    private static Trajectory assemble(Iterable<Row> rows) {
        List<Row> list = new ArrayList<>();
        rows.forEach(list::add);
        int horizon = list.size();
        double[][] x = new double[horizon][];
        double[][] u = new double[horizon][];
        double[][] o = new double[horizon][];
        for (Row r : list) {
            int t = r.getInt(3);
            if (t < 0 || t >= horizon || x[t] != null) {
                throw new BadInputException("rollouts: trajectory (iteration " + r.getInt(0) + ", condition " + r.getInt(1)
                        + ", sample " + r.getInt(2) + ") has time steps missing or repeated at t=" + t
                        + "; run 'gps validate' on the dataset");
            }
            x[t] = doubles(r.getList(4));
            u[t] = doubles(r.getList(5));
            o[t] = doubles(r.getList(6));
        }
        return new Trajectory(x, u, o);
    }

    static double[] doubles(List<Object> l) {
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).doubleValue();
        }
        return out;
    }
}
