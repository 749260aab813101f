package org.gps.bench;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.control.InitPdOptions;
import org.gps.core.control.InitialControllers;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.control.TrajOptResult;
import org.gps.core.control.TrajectoryModel;
import org.gps.core.control.TrajectoryOptimizer;
import org.gps.core.cost.ActionCost;
import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.cost.CostFunction;
import org.gps.core.cost.CostSum;
import org.gps.core.cost.StateCost;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.env.EnvironmentSpec;
import org.gps.core.env.LinearSystem;
import org.gps.core.linalg.Mat;
import org.gps.core.random.Seeds;
import org.gps.io.RolloutRules;
import org.gps.io.RolloutSchema;
import org.gps.spark.CostEvaluation;
import org.gps.spark.DistributedTrajOpt;
import org.gps.spark.RolloutSampling;
import org.gps.spark.SampledCosts;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Times the two driver-visible pieces of a TrajOpt iteration that docs/benchmarks.md compares
 * with the original implementation: the cost expansion over all rollouts ({@link CostEvaluation};
 * for rollouts few enough, also as a run makes it, in the tasks that sample them: {@link SampledCosts}) and the
 * C-step ({@link DistributedTrajOpt}: in the driver's threads under a local master, one Spark
 * task per condition on a cluster for large problems; and the same problems solved one after
 * another in the driver thread for comparison). The problem is a random stable linear system
 * ({@link LinearSystem#randomStable}) under a PD reference controller, with its true A and B as
 * the fitted dynamics, so every number is reproducible from the seed.
 *
 * <p>Per size: the rollouts are sampled on Spark and cached, one warm-up round runs everything
 * once (JIT, Spark's first-job costs), then {@code repeats} timed rounds follow.
 */
public final class TrajOptBenchmark {
    /** Process noise of the system (std per dimension); its variance is the dynamics covariance. */
    static final double NOISE_STD = 0.01;
    /** Variance of the initial-state distribution handed to the C-step. */
    static final double X0_VAR = 1e-4;
    /** Weight of the action cost relative to the unit state cost. */
    static final double ACTION_WEIGHT = 1e-2;
    /**
     * A weak PD reference: B = 0.05 G with G ~ N(0, 1), so a gain of 0.1 moves A's eigenvalues
     * by well under its damping margin and the closed loop stays stable over T = 200.
     */
    static final InitPdOptions REFERENCE = new InitPdOptions(1.0, 0.1, 0.01);

    private TrajOptBenchmark() {
    }

    /**
     * Timings of one size.
     *
     * @param costSeconds        cost expansion over all rollouts, one entry per repeat
     * @param sampledCostSeconds the same expansion made by the sampling tasks: their time in it,
     *                           summed over the tasks, and the driver's sums; empty for sizes
     *                           that are expanded by the cost step's own job only
     * @param samplingSeconds    for those sizes, the sampling job's wall time without the expansion
     *                           and with it, in turns: {without, with} per repeat
     * @param sparkCStepSeconds  C-step of all conditions as {@link DistributedTrajOpt} runs it, one entry per repeat
     * @param driverCStepSeconds the same C-step, conditions one after another in the driver thread
     * @param minRounds          fewest eta-search rounds of a condition
     * @param maxRounds          most eta-search rounds of a condition
     * @param converged          conditions whose KL ended within 10% of its target
     * @param peakHeapBytes      peak used heap during the timed rounds
     */
    public record Measurement(BenchSize size, double[] costSeconds, double[] sampledCostSeconds,
                              double[][] samplingSeconds, double[] sparkCStepSeconds,
                              double[] driverCStepSeconds, int minRounds, int maxRounds, int converged,
                              double meanCost, long peakHeapBytes) {
    }

    /** Runs every size in turn. */
    public static List<Measurement> run(SparkSession spark, List<BenchSize> sizes, int repeats, long seed,
                                        PrintStream log) {
        List<Measurement> out = new ArrayList<>();
        for (BenchSize s : sizes) {
            out.add(run(spark, s, repeats, seed, log));
        }
        return out;
    }

    public static Measurement run(SparkSession spark, BenchSize size, int repeats, long seed, PrintStream log) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        log.printf(Locale.ROOT, "%s (%s): sampling %d rollouts...%n", size.name(), size.describe(),
                (long) size.conditions() * size.samples());
        Setup setup = Setup.of(spark, size, seed);
        try {
            double[] cost = new double[repeats];
            double[] sampledCost = new double[repeats];
            double[][] sampling = new double[repeats][];
            double[] sparkC = new double[repeats];
            double[] driverC = new double[repeats];
            Round last = null;
            System.gc();
            long peak;
            try (HeapSampler heap = HeapSampler.start()) {
                for (int r = -1; r < repeats; r++) {
                    Round round = setup.round(spark);
                    if (r >= 0) {
                        cost[r] = round.costSeconds;
                        sampledCost[r] = round.sampledCostSeconds;
                        sampling[r] = round.samplingSeconds;
                        sparkC[r] = round.sparkSeconds;
                        driverC[r] = round.driverSeconds;
                        last = round;
                    }
                    String sampledNote = Double.isNaN(round.sampledCostSeconds) ? ""
                            : String.format(Locale.ROOT, " (in the sampling tasks %.4f s; sampling job %.3f s without "
                                    + "it, %.3f s with it)", round.sampledCostSeconds, round.samplingSeconds[0],
                            round.samplingSeconds[1]);
                    log.printf(Locale.ROOT, "  %s: cost expansion %.3f s%s, C-step Spark %.3f s, driver %.3f s, "
                                    + "rounds %d-%d%n", r < 0 ? "warm-up" : "repeat " + (r + 1), round.costSeconds,
                            sampledNote, round.sparkSeconds, round.driverSeconds, round.minRounds, round.maxRounds);
                }
                peak = heap.peakBytes();
            }
            boolean inSampling = !Double.isNaN(sampledCost[0]);
            return new Measurement(size, cost, inSampling ? sampledCost : new double[0],
                    inSampling ? sampling : new double[0][], sparkC, driverC, last.minRounds, last.maxRounds,
                    last.converged, last.meanCost, peak);
        } finally {
            setup.rollouts.unpersist(true);
        }
    }

    /**
     * Writes the problem {@link #run} times for this size and seed into {@code dir} (new or empty),
     * the layout of bench/original/README.md: the rollouts X (M, N, T, dX) and U (M, N, T, dU) with
     * the cost weights (state_weights, action_weights), the cost expansion of those rollouts (cc,
     * cv, Cm), the dynamics (Fm, fv, dyn_covar), the initial states (x0mu, x0sigma), the reference
     * controllers (K, k, pol_covar, chol_pol_covar, inv_pol_covar) and problem.json with the
     * C-step settings.
     */
    public static void export(SparkSession spark, BenchSize size, long seed, Path dir) {
        Path out = ProblemExport.directory(dir);
        Setup setup = Setup.of(spark, size, seed);
        try {
            ProblemExport.Rollouts.of(size, setup.rollouts).write(out);
            CostEvaluation.Result cost = CostEvaluation.evaluate(setup.rollouts, setup.costs);
            List<QuadraticCostModel> models = new ArrayList<>();
            for (int c = 0; c < size.conditions(); c++) {
                models.add(cost.models().get(c));
            }
            ProblemExport.writeCostModels(out, models);
            ProblemExport.writeDynamics(out, setup.dynamics, size.horizon());
            ProblemExport.writeInitialStates(out, setup.x0);
            ProblemExport.writeControllers(out, setup.references);
            double[] stateWeights = new double[size.stateDim()];
            Arrays.fill(stateWeights, 1.0);
            double[] actionWeights = new double[size.actionDim()];
            Arrays.fill(actionWeights, ACTION_WEIGHT);
            ProblemExport.writeVector(out.resolve("state_weights.npy"), stateWeights);
            ProblemExport.writeVector(out.resolve("action_weights.npy"), actionWeights);
            TrajOptOptions o = TrajOptOptions.defaults();
            Map<String, Object> p = ProblemExport.header("trajopt", size, seed);
            p.put("eta", 1.0);
            p.put("step_mult", 1.0);
            p.put("kl_step", o.klStep());
            p.put("min_eta", o.minEta());
            p.put("max_eta", o.maxEta());
            p.put("del0", o.del0());
            p.put("max_ent_traj", o.maxEntTraj());
            p.put("cons_per_step", o.consPerStep());
            p.put("use_prev_distr", o.usePrevDistr());
            p.put("max_rounds", o.maxRounds());
            p.put("state_cost_l1", 0.0);
            p.put("state_cost_l2", 1.0);
            p.put("state_cost_alpha", 1e-2);
            p.put("mean_cost", meanOf(cost, size.conditions()));
            ProblemExport.writeJson(out.resolve("problem.json"), p);
        } finally {
            setup.rollouts.unpersist(true);
        }
    }

    private static double meanOf(CostEvaluation.Result cost, int conditions) {
        double mean = 0;
        for (int c = 0; c < conditions; c++) {
            mean += cost.meanCost(c) / conditions;
        }
        return mean;
    }

    /** One timed round's numbers. */
    private record Round(double costSeconds, double sampledCostSeconds, double[] samplingSeconds, double sparkSeconds,
                         double driverSeconds, int minRounds, int maxRounds,
                         int converged, double meanCost) {
    }

    /** Everything a round needs, built once per size. */
    private record Setup(BenchSize size, RolloutSampling.Request sampling, Dataset<Row> rollouts,
                         List<CostFunction> costs,
                         LinearGaussianDynamics dynamics, List<InitialStateDistribution> x0,
                         List<LinearGaussianController> references) {

        static Setup of(SparkSession spark, BenchSize size, long seed) {
            int dX = size.stateDim();
            int dU = size.actionDim();
            int horizon = size.horizon();
            LinearSystem system = LinearSystem.randomStable(dX, dU, seed);
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("state_dim", (long) dX);
            params.put("action_dim", (long) dU);
            params.put("system_seed", seed);
            params.put("noise_std", NOISE_STD);
            EnvironmentSpec env = new EnvironmentSpec(LinearSystem.TYPE, params);

            SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "benchmark-x0"));
            List<double[]> states = new ArrayList<>();
            List<InitialStateDistribution> x0 = new ArrayList<>();
            List<LinearGaussianController> refs = new ArrayList<>();
            Map<Integer, LinearGaussianController> policies = new TreeMap<>();
            List<CostFunction> costs = new ArrayList<>();
            double[] actionWeights = new double[dU];
            Arrays.fill(actionWeights, ACTION_WEIGHT);
            double[] stateWeights = new double[dX];
            Arrays.fill(stateWeights, 1.0);
            for (int c = 0; c < size.conditions(); c++) {
                double[] s = new double[dX];
                for (int i = 0; i < dX; i++) {
                    s[i] = rng.nextGaussian();
                }
                states.add(s);
                x0.add(new InitialStateDistribution(s, Mat.eye(dX, X0_VAR)));
                LinearGaussianController ref = InitialControllers.initPd(REFERENCE, horizon, dX, dU, s);
                refs.add(ref);
                policies.put(c, ref);
                costs.add(CostSum.of(StateCost.of(new double[dX], stateWeights), new ActionCost(actionWeights)));
            }
            RolloutSampling.Request sampling = new RolloutSampling.Request(env, states, policies, size.samples(),
                    horizon, seed, 0, RolloutSchema.SOURCE_CONTROLLER);
            Dataset<Row> rollouts = RolloutSampling.sample(spark, sampling)
                    // Sampling makes one partition per rollout; rollouts read from Parquet, as the
                    // pipeline reads them, come in about one partition per core.
                    .coalesce(spark.sparkContext().defaultParallelism())
                    .cache();
            long rows = rollouts.count();
            if (rows != size.rows()) {
                throw new IllegalStateException("sampled " + rows + " rows, expected " + size.rows());
            }

            Mat[] f = new Mat[horizon - 1];
            double[][] offsets = new double[horizon - 1][dX];
            Mat[] covs = new Mat[horizon - 1];
            Arrays.fill(f, Mat.zeros(dX, dX + dU).withBlock(0, 0, system.a()).withBlock(0, dX, system.b()));
            Arrays.fill(covs, Mat.eye(dX, NOISE_STD * NOISE_STD));
            LinearGaussianDynamics dynamics = LinearGaussianDynamics.of(f, offsets, covs);
            return new Setup(size, sampling, rollouts, costs, dynamics, x0, refs);
        }

        Round round(SparkSession spark) {
            long t0 = System.nanoTime();
            // The rows' count, known as the pipeline knows it from the rollouts' completion marker.
            CostEvaluation.Result cost = CostEvaluation.evaluate(rollouts, size.rows(), costs,
                    new RolloutRules.RowCheck("rollouts"));
            double costSeconds = seconds(t0);
            double[] samplingSeconds = new double[2];
            double sampledCostSeconds = sampledCost(spark, this, cost, samplingSeconds);
            if (cost.models().size() != size.conditions()) {
                throw new IllegalStateException("cost models for " + cost.models().size() + " conditions, expected "
                        + size.conditions());
            }
            double meanCost = 0;
            Map<Integer, DistributedTrajOpt.Problem> problems = new TreeMap<>();
            for (int c = 0; c < size.conditions(); c++) {
                meanCost += cost.meanCost(c) / size.conditions();
                TrajectoryModel model = new TrajectoryModel(dynamics, x0.get(c), cost.models().get(c));
                problems.put(c, new DistributedTrajOpt.Problem(model, references.get(c), 1.0, 1.0));
            }
            TrajOptOptions options = TrajOptOptions.defaults();

            t0 = System.nanoTime();
            Map<Integer, TrajOptResult> results = DistributedTrajOpt.optimize(spark, problems, options);
            double sparkSeconds = seconds(t0);

            t0 = System.nanoTime();
            Map<Integer, TrajOptResult> local = new TreeMap<>();
            problems.forEach((c, p) -> local.put(c, TrajectoryOptimizer.optimize(p.model(), p.reference(), p.eta(),
                    p.stepMult(), options)));
            double driverSeconds = seconds(t0);

            int min = Integer.MAX_VALUE;
            int max = 0;
            int converged = 0;
            for (int c = 0; c < size.conditions(); c++) {
                TrajOptResult r = results.get(c);
                if (r.rounds() != local.get(c).rounds() || r.eta() != local.get(c).eta()) {
                    throw new IllegalStateException("condition " + c + ": the Spark and driver C-steps disagree ("
                            + r.rounds() + " vs " + local.get(c).rounds() + " rounds)");
                }
                min = Math.min(min, r.rounds());
                max = Math.max(max, r.rounds());
                converged += r.converged() ? 1 : 0;
            }
            return new Round(costSeconds, sampledCostSeconds, samplingSeconds, sparkSeconds, driverSeconds, min, max,
                    converged, meanCost);
        }
    }

    /**
     * What the expansion costs a run that makes it in the sampling tasks: the rollouts sampled
     * again with {@link SampledCosts} (the same request, so the same rollouts), the tasks' time in
     * the expansion summed over tasks plus the driver's sums; NaN for rollouts too many for it.
     * The sums must be the bits of {@code fromRows}, the cost step's result of the same rollouts.
     * Into {@code samplingSeconds}: the sampling job's wall time without the expansion and with it,
     * run one after the other (each rollout drawn and dropped).
     */
    private static double sampledCost(SparkSession spark, Setup setup, CostEvaluation.Result fromRows,
                                      double[] samplingSeconds) {
        BenchSize size = setup.size();
        SampledCosts sampled = SampledCosts.forRollouts(spark.sparkContext(), setup.costs(), size.rows(),
                size.stateDim(), size.actionDim());
        if (sampled == null) {
            return Double.NaN;
        }
        long t0 = System.nanoTime();
        RolloutSampling.sample(spark, setup.sampling()).foreach(row -> { });
        samplingSeconds[0] = seconds(t0);
        t0 = System.nanoTime();
        RolloutSampling.sample(spark, setup.sampling(), sampled).foreach(row -> { });
        samplingSeconds[1] = seconds(t0);
        t0 = System.nanoTime();
        CostEvaluation.Result r = sampled.result(0, size.conditions(), size.samples(), size.rows());
        double driver = seconds(t0);
        if (r == null || !Arrays.equals(bits(r), bits(fromRows))) {
            throw new IllegalStateException("the sampling tasks' cost sums are not the cost step's");
        }
        return sampled.taskSeconds() + driver;
    }

    /** Every number of the models and the sample costs, as raw bits in a fixed order. */
    private static long[] bits(CostEvaluation.Result r) {
        List<Double> all = new ArrayList<>();
        r.models().forEach((c, m) -> {
            for (int t = 0; t < m.horizon(); t++) {
                all.add(m.constant(t));
                Arrays.stream(m.linear(t)).forEach(all::add);
                Arrays.stream(m.quadratic(t).toRowMajor()).forEach(all::add);
            }
        });
        r.sampleCosts().forEach((c, v) -> Arrays.stream(v).forEach(all::add));
        return all.stream().mapToLong(Double::doubleToRawLongBits).toArray();
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    /**
     * The results as a Markdown table, one row per size. The original's times are not in it: they
     * are measured in the same sitting by bench/original/side-by-side.sh.
     */
    public static String markdown(List<Measurement> results, int repeats) {
        StringBuilder sb = new StringBuilder();
        sb.append("| size | M, N, T, dX, dU | cost expansion, s (median / min) "
                + "| cost expansion in the sampling tasks, s (median / min) "
                + "| sampling job without / with it, s (median) "
                + "| C-step (DistributedTrajOpt), s (median / min) | C-step in one driver thread, s (median / min) "
                + "| eta rounds | converged | peak heap, MB |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : results) {
            BenchSize s = m.size();
            double[] sampled = m.sampledCostSeconds();
            String sampledCell = sampled.length == 0 ? "-"
                    : String.format(Locale.ROOT, "%.4f / %.4f", median(sampled), min(sampled));
            String samplingCell = sampled.length == 0 ? "-"
                    : String.format(Locale.ROOT, "%.3f / %.3f",
                    median(Arrays.stream(m.samplingSeconds()).mapToDouble(w -> w[0]).toArray()),
                    median(Arrays.stream(m.samplingSeconds()).mapToDouble(w -> w[1]).toArray()));
            sb.append(String.format(Locale.ROOT, "| %s | %d, %d, %d, %d, %d | %.3f / %.3f | %s | %s | %.3f / %.3f "
                            + "| %.3f / %.3f | %s | %d of %d | %d |%n",
                    s.name(), s.conditions(), s.samples(), s.horizon(), s.stateDim(), s.actionDim(),
                    median(m.costSeconds()), min(m.costSeconds()), sampledCell, samplingCell,
                    median(m.sparkCStepSeconds()), min(m.sparkCStepSeconds()),
                    median(m.driverCStepSeconds()), min(m.driverCStepSeconds()),
                    m.minRounds() == m.maxRounds() ? Integer.toString(m.minRounds())
                            : m.minRounds() + "-" + m.maxRounds(),
                    m.converged(), s.conditions(),
                    Math.round(m.peakHeapBytes() / 1048576.0)));
        }
        sb.append(String.format(Locale.ROOT, "%n%d timed repeats after one warm-up; %d cores, max heap %d MB, Java %s.%n",
                repeats, Runtime.getRuntime().availableProcessors(), Math.round(HeapSampler.maxBytes() / 1048576.0),
                System.getProperty("java.version")));
        return sb.toString();
    }
}
