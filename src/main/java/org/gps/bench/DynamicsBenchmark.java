package org.gps.bench;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.gps.core.control.InitPdOptions;
import org.gps.core.control.InitialControllers;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.env.LinearSystem;
import org.gps.core.random.Seeds;
import org.gps.core.sample.Simulator;
import org.gps.core.sample.Trajectory;
import org.gps.spark.DynamicsFitting;
import org.gps.spark.TrajectoryGroups;
import scala.Tuple2;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Times the dynamics step (docs/benchmarks.md, "Dynamics"): the GMM prior's EM and the
 * per-(condition, t) fits, on rollouts of a random stable linear system generated on the
 * executors and cached (so neither Parquet nor trajectory assembly is in the timings). Sizes: the three of {@link BenchSize}, one
 * GMM per condition; and one million logged time steps (dX 26, dU 7) as 100 conditions x 100
 * trajectories x T 100 under one shared GMM, whose points stay distributed.
 */
public final class DynamicsBenchmark {
    /** Process noise std of the system: real data is never noise-free. */
    static final double NOISE_STD = 0.01;
    static final BenchSize LOGGED_1M = new BenchSize("logged-1M", 100, 100, 100, 26, 7);

    private DynamicsBenchmark() {
    }

    /** Seconds per repeat for EM and for the fits, EM iterations, and the peak heap. */
    public record Measurement(BenchSize size, boolean sharedPrior, boolean inTask, GmmOptions.Initialization start,
                              int warmups, double[] emSeconds,
                              double[] fitSeconds, int clusters, int minIterations, int maxIterations,
                              long peakHeapBytes, java.util.SortedSet<GmmOptions.Initialization> startsTaken) {
    }

    public static BenchSize parse(String name) {
        return name.trim().equalsIgnoreCase(LOGGED_1M.name()) ? LOGGED_1M : BenchSize.parse(name).get(0);
    }

    /**
     * @param warmups         untimed rounds first: Spark's first jobs and the JIT's compilation of the
     *                        hot loops (C2 keeps compiling for about ten rounds at medium, using most of
     *                        a core of the two) would otherwise be in the times
     * @param inTaskMaxPoints GMMs on at most this many points run EM inside one task (0: every pass distributed)
     * @param start           how a cold EM picks its first model
     */
    public static Measurement run(SparkSession spark, BenchSize size, int warmups, int repeats, long seed,
                                  long inTaskMaxPoints, GmmOptions.Initialization start, PrintStream log) {
        boolean shared = size == LOGGED_1M;
        log.printf(Locale.ROOT, "%s (%s%s): generating %d rollouts...%n", size.name(), size.describe(),
                shared ? ", one shared GMM" : "", (long) size.conditions() * size.samples());
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> traj = trajectories(spark, size, seed)
                .persist(StorageLevel.MEMORY_AND_DISK());
        long n = traj.count();
        DynamicsOptions options = options(size, seed, inTaskMaxPoints, start);
        long pointsPerGmm = shared ? n * (size.horizon() - 1)
                : (long) Math.min(size.samples(), options.maxSamples()) * (size.horizon() - 1);
        boolean inTask = pointsPerGmm <= inTaskMaxPoints;
        double[] em = new double[repeats];
        double[] fit = new double[repeats];
        int clusters = 0;
        int minIt = Integer.MAX_VALUE;
        int maxIt = 0;
        java.util.SortedSet<GmmOptions.Initialization> taken = new java.util.TreeSet<>();
        long peak;
        try {
            System.gc();
            try (HeapSampler heap = HeapSampler.start()) {
                for (int r = -warmups; r < repeats; r++) {
                    // Cold EM (no warm start) every time: the first iteration's cost, the expensive one.
                    DynamicsFitting.Result res = DynamicsFitting.fit(traj, DynamicsFitting.CurrentSet.all(), options,
                            Map.of(), seed);
                    res.steps().unpersist(false);
                    if (r >= 0) {
                        em[r] = res.emSeconds();
                        fit[r] = res.fitSeconds();
                    }
                    for (var e : res.gmms().values()) {
                        taken.add(start.resolve(e.model().fittedPoints(), e.model().dim(), e.model().clusters()));
                        clusters = e.model().clusters();
                        minIt = Math.min(minIt, e.iterations());
                        maxIt = Math.max(maxIt, e.iterations());
                    }
                    log.printf(Locale.ROOT, "  %s: EM %.3f s, fits %.3f s (%d trajectories)%n",
                            r < 0 ? "warm-up " + (warmups + r + 1) : "repeat " + (r + 1), res.emSeconds(),
                            res.fitSeconds(), n);
                }
                peak = heap.peakBytes();
            }
        } finally {
            traj.unpersist(true);
        }
        return new Measurement(size, shared, inTask, start, warmups, em, fit, clusters, minIt, maxIt, peak, taken);
    }

    private static DynamicsOptions options(BenchSize size, long seed, long inTaskMaxPoints,
                                           GmmOptions.Initialization start) {
        boolean shared = size == LOGGED_1M;
        DynamicsOptions d = DynamicsOptions.defaults(seed);
        return new DynamicsOptions(shared, d.maxClusters(), d.minSamplesPerCluster(),
                shared ? Integer.MAX_VALUE : d.maxSamples(), d.strength(), d.regularization(), d.initialStateVar(),
                d.em().withInitialization(start), inTaskMaxPoints);
    }

    /**
     * Writes the problem {@link #run} times for this size and seed into {@code dir} (new or empty):
     * X.npy (M, N, T, dX) and U.npy (M, N, T, dU), the rollouts of every condition, and
     * problem.json, the prior and fit settings (bench/original/README.md).
     */
    public static void export(SparkSession spark, BenchSize size, long seed, long inTaskMaxPoints,
                              GmmOptions.Initialization start, Path dir) {
        Path out = ProblemExport.directory(dir);
        ProblemExport.Rollouts rollouts = new ProblemExport.Rollouts(size);
        for (Tuple2<TrajectoryGroups.Key, Trajectory> e : trajectories(spark, size, seed).collect()) {
            Trajectory tr = e._2();
            for (int t = 0; t < tr.horizon(); t++) {
                rollouts.put(e._1().condition(), e._1().sample(), t, tr.x()[t], tr.u()[t]);
            }
        }
        rollouts.write(out);
        DynamicsOptions o = options(size, seed, inTaskMaxPoints, start);
        Map<String, Object> p = ProblemExport.header("dynamics", size, seed);
        p.put("shared_prior", o.sharedPrior());
        p.put("max_clusters", o.maxClusters());
        p.put("min_samples_per_cluster", o.minSamplesPerCluster());
        p.put("max_samples", o.maxSamples());
        p.put("strength", o.strength());
        p.put("regularization", o.regularization());
        p.put("initial_state_var", o.initialStateVar());
        p.put("em_max_iterations", o.em().maxIterations());
        p.put("em_tolerance", o.em().tolerance());
        p.put("em_init", o.em().initialization().configName());
        ProblemExport.writeJson(out.resolve("problem.json"), p);
    }

    /** Rollouts of x' = A x + B u + noise under noisy PD controllers, simulated where they are stored. */
    static JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories(SparkSession spark, BenchSize size, long seed) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int dX = size.stateDim();
        int dU = size.actionDim();
        int horizon = size.horizon();
        int samples = size.samples();
        List<Tuple2<TrajectoryGroups.Key, Integer>> conditions = IntStream.range(0, size.conditions())
                .mapToObj(c -> new Tuple2<>(new TrajectoryGroups.Key(0, c, 0), c)).toList();
        // Partitioned by condition, as a run's rollouts are (TrajectoryGroups.byCondition).
        return jsc.parallelizePairs(new ArrayList<>(conditions))
                .partitionBy(new TrajectoryGroups.ByCondition(jsc.defaultParallelism()))
                .mapPartitionsToPair(it -> {
                    List<Tuple2<TrajectoryGroups.Key, Trajectory>> out = new ArrayList<>();
                    while (it.hasNext()) {
                        int c = it.next()._2();
                        LinearSystem env = LinearSystem.randomStable(dX, dU, seed).withNoise(NOISE_STD);
                        SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "benchmark-x0", c));
                        double[] x0 = new double[dX];
                        for (int i = 0; i < dX; i++) {
                            x0[i] = rng.nextGaussian();
                        }
                        LinearGaussianController ctrl = InitialControllers.initPd(new InitPdOptions(1.0, 0.1, 0.01),
                                horizon, dX, dU, x0);
                        for (int s = 0; s < samples; s++) {
                            out.add(new Tuple2<>(new TrajectoryGroups.Key(0, c, s), Simulator.rollout(env, x0, ctrl,
                                    horizon, Seeds.derive(seed, "benchmark-rollout", c, s))));
                        }
                    }
                    return out.iterator();
                }, true);
    }

    public static String markdown(List<Measurement> ms, int repeats) {
        StringBuilder sb = new StringBuilder();
        sb.append("| size | M | N | T | dX | dU | GMM | EM runs | EM start | warm-ups | K | EM iterations"
                + " | EM s (median / min) | fits s (median / min) | EM + fits s | peak heap MB |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Measurement m : ms) {
            BenchSize s = m.size();
            double emMed = TrajOptBenchmark.median(m.emSeconds());
            double fitMed = TrajOptBenchmark.median(m.fitSeconds());
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %s | %s | %s | %d | %d | %d-%d"
                            + " | %.3f / %.3f | %.3f / %.3f | %.3f | %d |%n", s.name(), s.conditions(), s.samples(),
                    s.horizon(), s.stateDim(), s.actionDim(), m.sharedPrior() ? "shared" : "per condition",
                    m.inTask() ? "in one task each" : "distributed passes",
                    startLabel(m), m.warmups(), m.clusters(), m.minIterations(),
                    m.maxIterations(), emMed, min(m.emSeconds()), fitMed, min(m.fitSeconds()), emMed + fitMed,
                    m.peakHeapBytes() / (1024 * 1024)));
        }
        sb.append(String.format(Locale.ROOT, "%nMedian and min of %d repeats after the warm-up rounds; EM from a cold"
                + " start.%n", repeats));
        return sb.toString();
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    /** The EM start as configured, with what {@code auto} took for these GMMs' sizes: "auto: random_assignment". */
    private static String startLabel(Measurement m) {
        String name = m.start().configName();
        if (m.start() != GmmOptions.Initialization.AUTO) {
            return name;
        }
        return name + ": " + m.startsTaken().stream().map(GmmOptions.Initialization::configName)
                .collect(java.util.stream.Collectors.joining(" / "));
    }
}
