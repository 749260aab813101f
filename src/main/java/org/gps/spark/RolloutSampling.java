package org.gps.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.gps.core.env.Environment;
import org.gps.core.env.EnvironmentSpec;
import org.gps.core.env.Pendulum;
import org.gps.core.random.Seeds;
import org.gps.core.sample.ExplorationNoise;
import org.gps.core.sample.RolloutPolicy;
import org.gps.core.sample.Simulator;
import org.gps.core.sample.Trajectory;
import org.gps.io.RolloutSchema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Step 1 of an iteration (docs/algorithm.md section 1): N rollouts per condition, one Spark task per
 * (condition, sample) pair. Only the small inputs travel (environment spec, initial states and
 * the policies, broadcast); rollouts are produced on executors and never collected.
 */
public final class RolloutSampling {
    private RolloutSampling() {
    }

    /** What one sampling run needs; the policies must be serializable (controllers are). */
    public record Request(EnvironmentSpec environment, List<double[]> initialStates,
                          Map<Integer, ? extends RolloutPolicy> policies, int samples, int horizon, long seed,
                          int iteration, String source, ExplorationNoise noise) implements Serializable {
        /** A request whose episodes draw white exploration noise. */
        public Request(EnvironmentSpec environment, List<double[]> initialStates,
                       Map<Integer, ? extends RolloutPolicy> policies, int samples, int horizon, long seed,
                       int iteration, String source) {
            this(environment, initialStates, policies, samples, horizon, seed, iteration, source,
                    ExplorationNoise.WHITE);
        }
    }

    /**
     * One evaluation episode's summary.
     *
     * @param totalReward    sum of the environment's native reward (the Gym return for Pendulum)
     * @param finalAbsAngle  Pendulum only: mean |angle| over the last 20 steps (NaN for other environments)
     */
    public record Episode(int condition, int sample, double totalReward, double finalAbsAngle) implements Serializable {
        /**
         * Pendulum only: the episode ends upright, its {@link #finalAbsAngle()} below {@link #UPRIGHT_ANGLE}
         * (false for other environments, whose angle is NaN).
         */
        public boolean endsUpright() {
            return isUpright(finalAbsAngle);
        }
    }

    /** Steps at the end of an episode over which {@link Episode#finalAbsAngle()} is averaged. */
    public static final int FINAL_WINDOW = 20;

    /**
     * The bar of "ends upright" (docs/results.md): mean |angle| over the last {@link #FINAL_WINDOW}
     * steps below this many radians. Every count of upright episodes uses this one definition.
     */
    public static final double UPRIGHT_ANGLE = 0.2;

    /** Whether a mean |angle| over the last {@link #FINAL_WINDOW} steps counts as upright. */
    public static boolean isUpright(double finalAbsAngle) {
        return finalAbsAngle < UPRIGHT_ANGLE;
    }

    /**
     * Runs the request's episodes and returns one small summary each (rollouts are not kept), in one
     * job of at most one task per core: episodes cost the same and a few milliseconds each, so more
     * tasks would only add scheduling. Each episode draws from its own seed, so the split changes no
     * number.
     */
    public static List<Episode> evaluate(SparkSession spark, Request req) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Request> shared = jsc.broadcast(req);
        try {
            List<int[]> tasks = tasks(req);
            return jsc.parallelize(tasks, Math.max(1, Math.min(tasks.size(), jsc.defaultParallelism())))
                    .map(task -> {
                        Request r = shared.value();
                        Environment env = r.environment().create();
                        long seed = Seeds.derive(r.seed(), "evaluate", r.iteration(), task[0], task[1]);
                        Trajectory traj = Simulator.rollout(env, r.initialStates().get(task[0]), r.policies().get(task[0]),
                                r.horizon(), seed, r.noise());
                        double total = 0;
                        for (int t = 0; t < traj.horizon(); t++) {
                            total += env.reward(traj.x()[t], traj.u()[t]);
                        }
                        double angle = Double.NaN;
                        if (env instanceof Pendulum) {
                            int from = Math.max(0, traj.horizon() - FINAL_WINDOW);
                            angle = 0;
                            for (int t = from; t < traj.horizon(); t++) {
                                angle += Math.abs(Pendulum.angle(traj.x()[t]));
                            }
                            angle /= traj.horizon() - from;
                        }
                        return new Episode(task[0], task[1], total, angle);
                    })
                    .collect();
        } finally {
            shared.destroy();
        }
    }

    private static List<int[]> tasks(Request req) {
        List<int[]> tasks = new ArrayList<>();
        for (int c = 0; c < req.initialStates().size(); c++) {
            for (int n = 0; n < req.samples(); n++) {
                tasks.add(new int[] {c, n});
            }
        }
        return tasks;
    }

    /**
     * Rows of the rollout schema, one per (condition, sample, t): u as the policy commanded it,
     * u_applied as the plant applied it; cost left null.
     */
    public static Dataset<Row> sample(SparkSession spark, Request req) {
        return sample(spark, req, null);
    }

    /**
     * {@link #sample(SparkSession, Request)} whose tasks also expand each sample's cost into
     * {@code costs} (null: no expansion), which holds the sums once a job has run the rows.
     */
    public static Dataset<Row> sample(SparkSession spark, Request req, SampledCosts costs) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<int[]> tasks = tasks(req);
        Broadcast<Request> shared = jsc.broadcast(req);
        // At most one task per core, as for the scoring episodes: a rollout costs milliseconds, and
        // each task also writes and commits its own Parquet file. Each rollout draws from its own
        // seed, so the split changes no number.
        int slices = Math.max(1, Math.min(tasks.size(), jsc.defaultParallelism()));
        JavaRDD<Row> rows = jsc.parallelize(tasks, slices).flatMap(task -> {
            Request r = shared.value();
            int condition = task[0];
            int sample = task[1];
            Environment env = r.environment().create();
            RolloutPolicy policy = r.policies().get(condition);
            long seed = Seeds.derive(r.seed(), "rollout", r.iteration(), condition, sample);
            Trajectory traj = Simulator.rollout(env, r.initialStates().get(condition), policy, r.horizon(), seed,
                    r.noise());
            if (costs != null) {
                costs.add(r.iteration(), condition, sample, traj.x(), traj.u());
            }
            List<Row> out = new ArrayList<>(traj.horizon());
            for (int t = 0; t < traj.horizon(); t++) {
                out.add(RowFactory.create(r.iteration(), condition, sample, t, traj.x()[t], traj.u()[t], traj.o()[t],
                        null, r.source(), traj.uApplied()[t]));
            }
            return out.iterator();
        });
        return spark.createDataFrame(rows, RolloutSchema.STRUCT);
    }
}
