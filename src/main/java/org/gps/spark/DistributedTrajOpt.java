package org.gps.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.control.LqrFailedException;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.control.TrajOptResult;
import org.gps.core.control.TrajectoryModel;
import org.gps.core.control.TrajectoryOptimizer;
import org.gps.io.PhaseProfile;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Step 6 of an iteration (docs/algorithm.md section 6): the C-step, one Spark task per condition. The
 * conditions' LQR problems are independent; their inputs (fitted models, reference controllers)
 * are small and broadcast, and only the new controllers come back.
 */
public final class DistributedTrajOpt {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DistributedTrajOpt.class);

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

    /** One condition's C-step; a backward pass that fails for every eta takes no step ({@link TrajectoryOptimizer#noStep}). */
    static TrajOptResult solve(Problem p, TrajOptOptions options) {
        try {
            return p.policyWeights() == null
                    ? TrajectoryOptimizer.optimize(p.model(), p.reference(), p.eta(), p.stepMult(), options)
                    : TrajectoryOptimizer.optimize(p.model(), p.reference(), p.eta(), p.stepMult(), options,
                            p.policyWeights());
        } catch (LqrFailedException e) {
            return TrajectoryOptimizer.noStep(p.model(), p.reference(), p.eta(), p.stepMult(), options);
        }
    }

    public static Map<Integer, TrajOptResult> optimize(SparkSession spark, Map<Integer, Problem> problems,
                                                       TrajOptOptions options) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (PhaseProfile.Scope phase = PhaseProfile.enter("c_step")) {
            Map<Integer, TrajOptResult> out = optimize(jsc, problems, options);
            phase.count("dual_search_rounds", out.values().stream().mapToLong(TrajOptResult::rounds).sum());
            return out;
        }
    }

    private static Map<Integer, TrajOptResult> optimize(JavaSparkContext jsc, Map<Integer, Problem> problems,
                                                        TrajOptOptions options) {
        Broadcast<TreeMap<Integer, Problem>> shared = jsc.broadcast(new TreeMap<>(problems));
        List<Integer> conditions = new ArrayList<>(problems.keySet());
        try {
            Map<Integer, TrajOptResult> out = new TreeMap<>();
            jsc.parallelize(conditions, Math.max(1, conditions.size()))
                    .mapToPair(c -> new Tuple2<>(c, solve(shared.value().get(c), options)))
                    .collect()
                    .forEach(t -> out.put(t._1(), t._2()));
            for (Map.Entry<Integer, TrajOptResult> e : out.entrySet()) {
                if (e.getValue().rounds() == 0) {
                    LOG.warn("condition {}: the C-step found no positive definite Qtt_uu for any eta up to the "
                            + "threshold (badly conditioned dynamics fit); the condition keeps its reference "
                            + "controller this iteration (KL 0)", e.getKey());
                }
            }
            return out;
        } finally {
            shared.destroy();
        }
    }
}
