package org.gps.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.io.HadoopFiles;
import org.gps.pipeline.IterationState;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ConfigReader;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.pipeline.steps.BestPolicy;
import org.gps.pipeline.steps.ControllerOutputs;
import org.gps.pipeline.steps.EvaluateStep;
import org.gps.pipeline.steps.RunLoop;
import org.gps.spark.RolloutSampling;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code gps benchmark control}: how reliably a config learns to control, over training seeds. The
 * config is run once per seed (its {@code seed:} replaced) into {@code DIR/seed=S/} with the same
 * loop as {@code gps run}, and every seed's published policy (the best its run scored, and for
 * comparison its last iteration's; for TrajOpt, its final controllers) is scored on one evaluation
 * seed shared by all, so that the seeds differ only in their training.
 */
public final class ControlBenchmark {
    /**
     * The evaluation seed when none is given: fixed so that reruns and other configs are scored on the
     * same random starts, and far from the small training seeds one usually lists.
     */
    public static final long DEFAULT_EVAL_SEED = 1000;

    /** The returns whose first crossing is reported (Gym Pendulum: -200 is solved, -160 is a good agent). */
    public static final double[] RETURN_BARS = {-200, -160};

    /** Names what wrote an output folder, so that a rerun can tell its own output from anything else. */
    public static final String MARKER = "benchmark.json";
    public static final String KIND = "control";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ControlBenchmark() {
    }

    /**
     * Policy configs: one seed's published policy ({@link BestPolicy}) and its last iteration's
     * policy, both on the evaluation seed, and its training curve.
     */
    public record PolicySeed(long seed, String runDir, int policyIteration, EvaluateStep.PolicyScore score,
                             int lastIteration, EvaluateStep.PolicyScore lastScore, List<CurvePoint> curve,
                             BudgetPolicy budget) {
        /** The published policy's mean return in its own policy_eval.json: the score it was chosen by. */
        public double selectionReturn() {
            return curve.stream().filter(p -> p.iteration() == policyIteration).mapToDouble(CurvePoint::value)
                    .findFirst().orElse(Double.NaN);
        }

        /** Environment steps of the first iteration whose policy_eval.json mean return reached {@code bar}, or -1. */
        public long stepsToReach(double bar) {
            return curve.stream().filter(p -> p.value() >= bar).mapToLong(CurvePoint::envSteps).findFirst().orElse(-1);
        }
    }

    /**
     * The policy a run would have published had it stopped after {@code envSteps} environment steps of
     * training: by {@link BestPolicy#select}'s rule over the iterations whose policy_eval.json counts at
     * most that many training steps, scored on the evaluation starts; {@code iteration} -1 and
     * {@code score} null when no iteration was trained from so few.
     */
    public record BudgetPolicy(long envSteps, int iteration, EvaluateStep.PolicyScore score) {
        /** Its mean return on the evaluation starts; NaN when there is none. */
        public double meanReturn() {
            return score == null ? Double.NaN : score.meanReturn();
        }

        /** The iteration the rule picks from {@code curve} within {@code envSteps}; -1 when none qualifies. */
        public static int select(List<CurvePoint> curve, long envSteps) {
            SortedMap<Integer, Double> within = new TreeMap<>();
            for (CurvePoint p : curve) {
                if (p.envSteps() <= envSteps) {
                    within.put(p.iteration(), p.value());
                }
            }
            return BestPolicy.select(within);
        }
    }

    /**
     * TrajOpt configs: one seed's final controllers per condition, and its mean sample cost per iteration.
     *
     * @param finalControllers the final controllers scored with their exploration noise
     * @param meanActions      the same controllers scored without it (u = K x + k): what the optimiser planned
     * @param lastCosts        each condition's mean sample cost in the run's last iteration (NaN if not recorded)
     */
    public record ControllerSeed(long seed, String runDir, EvaluateStep.Result finalControllers,
                                 EvaluateStep.Result meanActions, List<CurvePoint> curve, double[] lastCosts) {
        public double meanReturn() {
            return meanReturn(finalControllers);
        }

        public int conditionsUpright() {
            return conditionsUpright(finalControllers);
        }

        /** Mean return over the conditions of one scoring. */
        public static double meanReturn(EvaluateStep.Result r) {
            return r.conditions().stream().mapToDouble(EvaluateStep.ConditionResult::meanReturn).average()
                    .orElse(Double.NaN);
        }

        /** Conditions whose mean final |angle| is upright by {@link RolloutSampling#isUpright}; -1 if no angles. */
        public static int conditionsUpright(EvaluateStep.Result r) {
            if (r.conditions().stream().allMatch(c -> Double.isNaN(c.finalAbsAngle()))) {
                return -1;
            }
            return (int) r.conditions().stream().filter(c -> RolloutSampling.isUpright(c.finalAbsAngle())).count();
        }
    }

    /**
     * One point of a seed's curve: for policies the mean return of policy_eval.json against the
     * environment steps it was trained from; for TrajOpt the mean sample cost over conditions.
     */
    public record CurvePoint(int iteration, long envSteps, double value) {
    }

    /**
     * What the benchmark measured; exactly one of the two seed lists is non-empty.
     *
     * @param budget the environment steps of {@link BudgetPolicy}, or null when not asked for
     */
    public record Result(String config, ExperimentConfig base, long evalSeed, int evalEpisodes, Long budget,
                         List<PolicySeed> policySeeds, List<ControllerSeed> controllerSeeds) {
        public boolean policy() {
            return base.trainsPolicy();
        }
    }

    /** Parses {@code --seeds}: a comma-separated list of distinct integers. */
    public static List<Long> parseSeeds(String text) {
        String expected = "expected a comma-separated list of distinct integers, e.g. 0,1,2,3,4";
        if (text == null || text.isBlank()) {
            throw new BadInputException("--seeds: " + expected + ", got nothing");
        }
        Set<Long> seeds = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            long s;
            try {
                s = Long.parseLong(part.trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("--seeds: " + expected + ", got '" + text + "' ('" + part.trim()
                        + "' is not an integer)");
            }
            if (!seeds.add(s)) {
                throw new BadInputException("--seeds: " + expected + ", got '" + text + "' (" + s + " twice)");
            }
        }
        return List.copyOf(seeds);
    }

    /**
     * Refuses an output folder holding anything but an earlier control benchmark's output (which is
     * resumed): the seeds' run directories must not land among unrelated files.
     */
    public static void checkOut(Path out) {
        if (Files.isRegularFile(out)) {
            throw new BadInputException("--out: " + out + " is a file; expected a new or empty directory, or the "
                    + "output of an earlier control benchmark to resume");
        }
        if (!Files.isDirectory(out) || isEmpty(out)) {
            return;
        }
        Path marker = out.resolve(MARKER);
        String kind = null;
        if (Files.isRegularFile(marker)) {
            try {
                kind = JSON.readTree(marker.toFile()).path("benchmark").asText(null);
            } catch (IOException e) {
                kind = null;
            }
        }
        if (!KIND.equals(kind)) {
            throw new BadInputException("--out: " + out + " exists and is not empty; expected a new or empty "
                    + "directory, or the output of an earlier control benchmark to resume (it has " + MARKER + ")");
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The base config, read and validated through the config reader; a missing file names --config. */
    public static ExperimentConfig readConfig(SparkSession spark, String configPath) {
        return readConfig(spark.sparkContext().hadoopConfiguration(), configPath);
    }

    /** The config, read and checked before any Spark session exists when it is a local file (see {@link HadoopFiles#isLocal}). */
    public static void checkLocalConfig(String configPath) {
        if (HadoopFiles.isLocal(configPath)) {
            readConfig(HadoopFiles.localConf(), configPath);
        }
    }

    private static ExperimentConfig readConfig(Configuration conf, String configPath) {
        String text;
        try {
            text = ConfigReader.readText(conf, configPath);
        } catch (BadInputException e) {
            throw new BadInputException("--config: " + e.getMessage(), e);
        }
        return ConfigReader.parse(configPath, text);
    }

    /**
     * The config with its seed replaced, as text: the resolved form (every default filled in) with
     * the one key changed and parsed again, so the reader validates it and derives every seed from it.
     */
    public static String withSeed(ExperimentConfig base, String configPath, long seed) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(base.resolvedJson());
            root.put("seed", seed);
            String text = root.toPrettyString();
            ExperimentConfig reseeded = ConfigReader.parse(configPath + " (seed " + seed + ")", text);
            if (reseeded.seed() != seed) {
                throw new IllegalStateException("the config reader did not take the new seed " + seed);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot re-read the resolved config of " + configPath, e);
        }
    }

    /**
     * Runs every seed (resuming or skipping those already done), scores them and writes control.md,
     * control.json and control.png into {@code out}.
     *
     * @param evalSeed     seed of the evaluation's random starts, or null for {@link #DEFAULT_EVAL_SEED}
     * @param evalEpisodes episodes of the evaluation, or null for policy.eval_episodes (TrajOpt: samples)
     * @param budget       environment steps of training after which each seed's would-be published policy
     *                     is scored too ({@link BudgetPolicy}), or null; policy configs only
     */
    public static Result run(SparkSession spark, String configPath, List<Long> seeds, Long evalSeed,
                             Integer evalEpisodes, Long budget, Path out, PrintWriter log) {
        if (evalEpisodes != null && evalEpisodes < 1) {
            throw new BadInputException("--eval-episodes: expected an integer >= 1, got " + evalEpisodes);
        }
        if (budget != null && budget < 1) {
            throw new BadInputException("--budget: expected a number of environment steps >= 1, got " + budget);
        }
        checkOut(out);
        ExperimentConfig base = readConfig(spark, configPath);
        if (budget != null && !base.trainsPolicy()) {
            throw new BadInputException("--budget: scores the policy a run would have published by then; "
                    + configPath + " trains no policy (algorithm " + base.algorithm().configName()
                    + "); expected a config whose algorithm trains one, e.g. mdgps or badmm");
        }
        long eSeed = evalSeed == null ? DEFAULT_EVAL_SEED : evalSeed;
        int episodes = evalEpisodes != null ? evalEpisodes
                : base.trainsPolicy() ? base.policy().evalEpisodes() : base.samples();
        ObjectNode marker = JSON.createObjectNode();
        marker.put("benchmark", KIND);
        marker.put("config", configPath);
        writeAtomically(out.resolve(MARKER), marker.toPrettyString() + "\n");

        List<PolicySeed> policySeeds = new ArrayList<>();
        List<ControllerSeed> controllerSeeds = new ArrayList<>();
        for (int k = 0; k < seeds.size(); k++) {
            long seed = seeds.get(k);
            Path seedConfig = out.resolve("configs").resolve("seed=" + seed + ".json");
            String runDir = out.resolve("seed=" + seed).toString();
            writeAtomically(seedConfig, withSeed(base, configPath, seed));
            RunDirectory run = new RunDirectory(runDir, spark.sparkContext().hadoopConfiguration());
            log.printf(Locale.ROOT, "seed %d (%d of %d): %s%n", seed, k + 1, seeds.size(), runDir);
            log.flush();
            long start = System.nanoTime();
            if (isComplete(run, base)) {
                log.printf(Locale.ROOT, "seed %d: its run is complete, not run again%n", seed);
            } else {
                // The seed's run directory is locked as `gps run` locks it: a benchmark and a run started on
                // the same folder by hand never write into each other.
                RunDirectory.whileLocked(spark, runDir, "gps benchmark control --seeds " + seed,
                        () -> RunLoop.run(spark, seedConfig.toString(), runDir, log));
            }
            if (base.trainsPolicy()) {
                BestPolicy published = BestPolicy.of(run).orElseThrow(() -> new BadInputException(runDir
                        + ": no scored policy (no iter=I/policy_eval.json) although the run is complete"));
                EvaluateStep.PolicyScore score = EvaluateStep.scoreIteration(spark, runDir, published.iteration(),
                        episodes, eSeed);
                EvaluateStep.PolicyScore last = published.isLast() ? score
                        : EvaluateStep.scoreIteration(spark, runDir, published.lastIteration(), episodes, eSeed);
                List<CurvePoint> curve = policyCurve(run, base);
                BudgetPolicy byBudget = null;
                if (budget != null) {
                    int it = BudgetPolicy.select(curve, budget);
                    EvaluateStep.PolicyScore s = it < 0 ? null
                            : it == published.iteration() ? score
                            : it == published.lastIteration() ? last
                            : EvaluateStep.scoreIteration(spark, runDir, it, episodes, eSeed);
                    byBudget = new BudgetPolicy(budget, it, s);
                }
                PolicySeed ps = new PolicySeed(seed, runDir, published.iteration(), score, published.lastIteration(),
                        last, curve, byBudget);
                policySeeds.add(ps);
                log.printf(Locale.ROOT, "seed %d: published policy (iteration %d) return %.1f (std %.1f) on eval seed "
                                + "%d, upright %s; last iteration's (%d) %.1f; %.0f s%n", seed, ps.policyIteration(),
                        score.meanReturn(), score.stdReturn(), eSeed, percent(score.uprightFraction()),
                        ps.lastIteration(), last.meanReturn(), (System.nanoTime() - start) / 1e9);
                if (byBudget != null) {
                    log.printf(Locale.ROOT, "seed %d: by %d environment steps, %s%n", seed, budget,
                            byBudget.iteration() < 0 ? "no policy (no iteration trained from so few)"
                                    : String.format(Locale.ROOT, "the policy of iteration %d: return %.1f",
                                    byBudget.iteration(), byBudget.meanReturn()));
                }
            } else {
                EvaluateStep.Result r = EvaluateStep.run(spark, runDir, null, episodes, eSeed);
                EvaluateStep.Result mean = EvaluateStep.run(spark, runDir, r.iteration(), episodes, eSeed, true);
                ControllerSeed cs = new ControllerSeed(seed, runDir, r, mean, costCurve(run, base),
                        lastCosts(run, base));
                controllerSeeds.add(cs);
                log.printf(Locale.ROOT, "seed %d: final controllers (iteration %d) mean return %.1f on eval seed %d "
                                + "(%.1f without noise), %.0f s%n", seed, r.iteration(), cs.meanReturn(), eSeed,
                        ControllerSeed.meanReturn(mean),
                        (System.nanoTime() - start) / 1e9);
            }
            log.flush();
        }
        Result result = new Result(configPath, base, eSeed, episodes, budget, policySeeds, controllerSeeds);
        writeAtomically(out.resolve("control.md"), ControlBenchmarkReport.markdown(result));
        writeAtomically(out.resolve("control.json"), ControlBenchmarkReport.json(result).toPrettyString() + "\n");
        ControlBenchmarkReport.writePng(result, out.resolve("control.png"));
        return result;
    }

    /** A run the loop would not change: every iteration's controllers (and policy score) are there. */
    static boolean isComplete(RunDirectory run, ExperimentConfig config) {
        if (!run.isInitialised() || !ControllerOutputs.isComplete(run, config.iterations())) {
            return false;
        }
        return !config.trainsPolicy()
                || HadoopFiles.exists(run.hadoopConf(), run.policyEval(config.iterations() - 1).toString());
    }

    private static List<CurvePoint> policyCurve(RunDirectory run, ExperimentConfig config) {
        List<CurvePoint> curve = new ArrayList<>();
        for (int i = 0; i < config.iterations(); i++) {
            org.apache.hadoop.fs.Path p = run.policyEval(i);
            if (!HadoopFiles.exists(run.hadoopConf(), p.toString())) {
                continue;
            }
            EvaluateStep.PolicyScore s = EvaluateStep.PolicyScore.fromJson(HadoopFiles.readUtf8(run.hadoopConf(), p),
                    p.toString());
            curve.add(new CurvePoint(i, s.trainingEnvSteps(), s.meanReturn()));
        }
        return curve;
    }

    private static List<CurvePoint> costCurve(RunDirectory run, ExperimentConfig config) {
        List<CurvePoint> curve = new ArrayList<>();
        long perIteration = (long) config.conditionCount() * config.samples() * config.horizon();
        for (int i = 0; i < config.iterations(); i++) {
            org.apache.hadoop.fs.Path p = run.state(i);
            if (!HadoopFiles.exists(run.hadoopConf(), p.toString())) {
                continue;
            }
            IterationState st = IterationState.fromJson(HadoopFiles.readUtf8(run.hadoopConf(), p), p.toString());
            double cost = st.conditions().stream().mapToDouble(IterationState.ConditionState::costMean).average()
                    .orElse(Double.NaN);
            curve.add(new CurvePoint(i, perIteration * (i + 1), cost));
        }
        return curve;
    }

    /** Each condition's mean sample cost in the last iteration whose state records costs; NaN where none does. */
    private static double[] lastCosts(RunDirectory run, ExperimentConfig config) {
        double[] costs = new double[config.conditionCount()];
        Arrays.fill(costs, Double.NaN);
        for (int i = config.iterations() - 1; i >= 0; i--) {
            org.apache.hadoop.fs.Path p = run.state(i);
            if (!HadoopFiles.exists(run.hadoopConf(), p.toString())) {
                continue;
            }
            IterationState st = IterationState.fromJson(HadoopFiles.readUtf8(run.hadoopConf(), p), p.toString());
            if (st.conditions().isEmpty()) {
                continue;
            }
            for (IterationState.ConditionState c : st.conditions()) {
                costs[c.condition()] = c.costMean();
            }
            return costs;
        }
        return costs;
    }

    /**
     * A start that several conditions copy (restarts), and the copy whose samples cost least in the run's last
     * iteration: the run's answer for that start, chosen from training data alone.
     *
     * @param picked the chosen condition; -1 when no copy has a recorded cost
     */
    public record Restart(List<Integer> copies, int picked, double cost) {
    }

    /** The restarts of {@code config} (starts given to two or more conditions), in order of first appearance. */
    public static List<Restart> restarts(ExperimentConfig config, double[] lastCosts) {
        List<Restart> out = new ArrayList<>();
        boolean[] seen = new boolean[config.conditionCount()];
        for (int c = 0; c < config.conditionCount(); c++) {
            if (seen[c]) {
                continue;
            }
            List<Integer> copies = new ArrayList<>();
            for (int d = c; d < config.conditionCount(); d++) {
                if (Arrays.equals(config.conditions().get(c), config.conditions().get(d))) {
                    copies.add(d);
                    seen[d] = true;
                }
            }
            if (copies.size() < 2) {
                continue;
            }
            int picked = -1;
            for (int d : copies) {
                if (!Double.isNaN(lastCosts[d]) && (picked < 0 || lastCosts[d] < lastCosts[picked])) {
                    picked = d;
                }
            }
            out.add(new Restart(List.copyOf(copies), picked, picked < 0 ? Double.NaN : lastCosts[picked]));
        }
        return out;
    }

    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }

    /** The median of finite and infinite values alike (NaN ignored; NaN when nothing is left). */
    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : v[m - 1] / 2 + v[m] / 2;
    }

    // A reader (or a killed rerun) sees the old file or the new one, never half of one.
    static void writeAtomically(Path file, String text) {
        writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static void writeAtomically(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
