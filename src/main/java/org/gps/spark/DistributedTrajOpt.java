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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Step 6 of an iteration (docs/algorithm.md section 6): the C-step, one Spark task per condition. The
 * conditions' LQR problems are independent; their inputs (fitted models, reference controllers)
 * are broadcast, and only the new controllers come back. Where shipping them costs more than
 * solving them (see {@link #solvesInDriver}) the conditions are solved in the driver instead, in
 * parallel on its cores: each condition's arithmetic is the same either way, so are its bits.
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

    /**
     * Problems of at most this many doubles in all (about 8 MB; the benchmark's medium size, 8
     * conditions of T = 100 at dX = 26, dU = 7, is 2.4 million) are solved in the driver on any
     * master: below it, Java-serialising them into a broadcast and scheduling a task per condition
     * take longer than the solves.
     */
    static final long IN_DRIVER_MAX_DOUBLES = 1L << 20;

    /**
     * Whether the C-step runs in the driver: under a local master (whose executors are the
     * driver's own threads, so tasks add only the serialisation), or when the problems are small.
     */
    static boolean solvesInDriver(boolean localMaster, Map<Integer, Problem> problems) {
        if (localMaster) {
            return true;
        }
        long doubles = 0;
        for (Problem p : problems.values()) {
            doubles += doubles(p);
        }
        return doubles <= IN_DRIVER_MAX_DOUBLES;
    }

    /** What a problem ships per time step: cost, dynamics, reference controller (with its factors). */
    static long doubles(Problem p) {
        long dX = p.model().dynamics().stateDim();
        long dU = p.model().dynamics().actionDim();
        long n = dX + dU;
        return (long) p.model().dynamics().horizon() * (n * n + n + dX * n + dX + dX * dX + dU * dX + dU + 3 * dU * dU);
    }

    private static Map<Integer, TrajOptResult> optimize(JavaSparkContext jsc, Map<Integer, Problem> problems,
                                                        TrajOptOptions options) {
        Map<Integer, TrajOptResult> out = solvesInDriver(jsc.isLocal(), problems)
                ? solveInDriver(problems, options, jsc.defaultParallelism())
                : solveInTasks(jsc, problems, options);
        for (Map.Entry<Integer, TrajOptResult> e : out.entrySet()) {
            if (e.getValue().rounds() == 0) {
                LOG.warn("condition {}: the C-step found no positive definite Qtt_uu for any eta up to the "
                        + "threshold (badly conditioned dynamics fit); the condition keeps its reference "
                        + "controller this iteration (KL 0)", e.getKey());
            }
        }
        return out;
    }

    /** The conditions on a pool of the driver's threads, one condition per thread at a time. */
    static Map<Integer, TrajOptResult> solveInDriver(Map<Integer, Problem> problems, TrajOptOptions options,
                                                     int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, problems.size())), r -> {
            Thread t = new Thread(r, "gps-c-step");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<Integer, Future<TrajOptResult>> pending = new TreeMap<>();
            problems.forEach((c, p) -> pending.put(c, pool.submit(() -> solve(p, options))));
            Map<Integer, TrajOptResult> out = new TreeMap<>();
            for (Map.Entry<Integer, Future<TrajOptResult>> e : pending.entrySet()) {
                out.put(e.getKey(), e.getValue().get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while solving the C-step", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("the C-step failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One Spark task per condition, the problems broadcast. */
    static Map<Integer, TrajOptResult> solveInTasks(JavaSparkContext jsc, Map<Integer, Problem> problems,
                                                    TrajOptOptions options) {
        Broadcast<TreeMap<Integer, Problem>> shared = jsc.broadcast(new TreeMap<>(problems));
        List<Integer> conditions = new ArrayList<>(problems.keySet());
        try {
            Map<Integer, TrajOptResult> out = new TreeMap<>();
            jsc.parallelize(conditions, Math.max(1, conditions.size()))
                    .mapToPair(c -> new Tuple2<>(c, solve(shared.value().get(c), options)))
                    .collect()
                    .forEach(t -> out.put(t._1(), t._2()));
            return out;
        } finally {
            shared.destroy();
        }
    }
}
