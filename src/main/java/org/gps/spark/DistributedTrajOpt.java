package org.gps.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.control.TrajOptResult;
import org.gps.core.control.TrajectoryModel;
import org.gps.core.control.TrajectoryOptimizer;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Step 6 of an iteration (ALGORITHM.md section 6): the C-step, one Spark task per condition. The
 * conditions' LQR problems are independent; their inputs (fitted models, reference controllers)
 * are small and broadcast, and only the new controllers come back.
 */
public final class DistributedTrajOpt {
    private DistributedTrajOpt() {
    }

    /**
     * One condition's C-step input; {@code policyWeights} non-null for BADMM (its model's cost then
     * holds the Lagrangian and policy terms, see {@link org.gps.core.control.BadmmDuals#augment}).
     */
    public record Problem(TrajectoryModel model, LinearGaussianController reference, double eta, double stepMult,
                          double[] policyWeights) implements Serializable {
        public Problem(TrajectoryModel model, LinearGaussianController reference, double eta, double stepMult) {
            this(model, reference, eta, stepMult, null);
        }
    }

    public static Map<Integer, TrajOptResult> optimize(SparkSession spark, Map<Integer, Problem> problems,
                                                       TrajOptOptions options) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<TreeMap<Integer, Problem>> shared = jsc.broadcast(new TreeMap<>(problems));
        List<Integer> conditions = new ArrayList<>(problems.keySet());
        try {
            Map<Integer, TrajOptResult> out = new TreeMap<>();
            jsc.parallelize(conditions, Math.max(1, conditions.size()))
                    .mapToPair(c -> {
                        Problem p = shared.value().get(c);
                        return new Tuple2<>(c, p.policyWeights() == null
                                ? TrajectoryOptimizer.optimize(p.model(), p.reference(), p.eta(), p.stepMult(), options)
                                : TrajectoryOptimizer.optimize(p.model(), p.reference(), p.eta(), p.stepMult(), options,
                                        p.policyWeights()));
                    })
                    .collect()
                    .forEach(t -> out.put(t._1(), t._2()));
            return out;
        } finally {
            shared.destroy();
        }
    }
}
