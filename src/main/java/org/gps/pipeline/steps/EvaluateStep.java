package org.gps.pipeline.steps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.policy.PolicyOptions;
import org.gps.core.random.KroneckerPoints;
import org.gps.core.sample.RolloutPolicy;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.io.PhaseProfile;
import org.gps.spark.RolloutSampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code gps evaluate}: runs an iteration's controllers from each condition's start and summarises
 * the episodes: mean return over the horizon and, for Pendulum, mean |angle| over the last 20 steps.
 */
public final class EvaluateStep {
    private EvaluateStep() {
    }

    /** Per-condition summary. {@code finalAbsAngle} is NaN for environments other than Pendulum. */
    public record ConditionResult(int condition, double meanReturn, double stdReturn, double finalAbsAngle) {
    }

    public record Result(int iteration, int episodesPerCondition, List<ConditionResult> conditions) {
        public String toJson() {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = m.createObjectNode();
            root.put("iteration", iteration);
            root.put("episodes_per_condition", episodesPerCondition);
            ArrayNode arr = root.putArray("conditions");
            for (ConditionResult c : conditions) {
                ObjectNode n = arr.addObject();
                n.put("condition", c.condition());
                n.put("mean_return", c.meanReturn());
                n.put("std_return", c.stdReturn());
                if (Double.isNaN(c.finalAbsAngle())) {
                    n.putNull("final_abs_angle");
                } else {
                    n.put("final_abs_angle", c.finalAbsAngle());
                }
            }
            return root.toString();
        }

        public String toTable() {
            return toTable(String.format(Locale.ROOT, "iteration %d, %d episodes per condition", iteration,
                    episodesPerCondition));
        }

        /** The table under a heading of the caller's (which says what these controllers are). */
        public String toTable(String heading) {
            StringBuilder sb = new StringBuilder(heading).append(System.lineSeparator());
            sb.append(String.format(Locale.ROOT, "%-9s %12s %10s %16s%n", "condition", "mean_return", "std",
                    "final_abs_angle"));
            for (ConditionResult c : conditions) {
                sb.append(String.format(Locale.ROOT, "%-9d %12.2f %10.2f %16s%n", c.condition(), c.meanReturn(),
                        c.stdReturn(), Double.isNaN(c.finalAbsAngle()) ? "-"
                                : String.format(Locale.ROOT, "%.4f", c.finalAbsAngle())));
            }
            return sb.toString();
        }
    }

    /**
     * The neural policy's score: Gym-style return of the noise-free policy over {@code episodes}
     * episodes from starts of the environment's start distribution (the conditions in turn when it
     * has none), and the environment steps it was trained from.
     *
     * @param episodeReturns        each episode's return, in the order of the starts; null when read
     *                              from a score file that does not list them
     * @param episodeFinalAbsAngles Pendulum: each episode's mean |angle| over the last
     *                              {@link RolloutSampling#FINAL_WINDOW} steps; null for other
     *                              environments and for score files that do not list them
     * @param starts                where the episodes started: {@code even} or {@code random} in the
     *                              environment's start distribution ({@code policy.eval_starts}), or
     *                              {@code conditions} when it has none; score files that do not say
     *                              were scored from random starts
     * @param episodeStarts         each episode's initial state x0, in the order of the starts; null when
     *                              read from a score file that does not list them
     */
    public record PolicyScore(int episodes, int horizon, double meanReturn, double stdReturn, long trainingEnvSteps,
                              double[] episodeReturns, double[] episodeFinalAbsAngles, String starts,
                              double[][] episodeStarts) {
        /** {@link #starts} of an environment without a start distribution. */
        public static final String FROM_CONDITIONS = "conditions";

        public static final String EPISODE_RETURNS = "episode_returns";
        public static final String EPISODE_FINAL_ABS_ANGLES = "episode_mean_abs_angle_last_20_steps";
        public static final String UPRIGHT_FRACTION = "upright_fraction";
        public static final String STARTS = "starts";
        public static final String EPISODE_STARTS = "episode_starts";

        /**
         * The fraction of episodes that end upright ({@link RolloutSampling#isUpright}), or NaN when
         * the angles are unknown (not a Pendulum, or not recorded).
         */
        public double uprightFraction() {
            if (episodeFinalAbsAngles == null || episodeFinalAbsAngles.length == 0) {
                return Double.NaN;
            }
            long upright = java.util.Arrays.stream(episodeFinalAbsAngles).filter(RolloutSampling::isUpright).count();
            return (double) upright / episodeFinalAbsAngles.length;
        }

        /** Where the episodes started, in the words of the texts that report the score. */
        public String startsText() {
            if (starts.equals(PolicyOptions.EvalStarts.EVEN.configName())) {
                return "evenly placed starts";
            }
            return starts.equals(FROM_CONDITIONS) ? "starts at the conditions" : "random starts";
        }

        public ObjectNode toJsonNode() {
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("episodes", episodes);
            n.put("horizon", horizon);
            n.put("mean_return", meanReturn);
            n.put("std_return", stdReturn);
            n.put("training_env_steps", trainingEnvSteps);
            n.put(STARTS, starts);
            if (episodeReturns != null) {
                ArrayNode r = n.putArray(EPISODE_RETURNS);
                java.util.Arrays.stream(episodeReturns).forEach(r::add);
            }
            if (episodeFinalAbsAngles != null) {
                ArrayNode a = n.putArray(EPISODE_FINAL_ABS_ANGLES);
                java.util.Arrays.stream(episodeFinalAbsAngles).forEach(a::add);
                n.put(UPRIGHT_FRACTION, uprightFraction());
            }
            if (episodeStarts != null) {
                ArrayNode x0s = n.putArray(EPISODE_STARTS);
                for (double[] x0 : episodeStarts) {
                    ArrayNode row = x0s.addArray();
                    java.util.Arrays.stream(x0).forEach(row::add);
                }
            }
            return n;
        }

        public String toJson() {
            return toJsonNode().toPrettyString();
        }

        public static PolicyScore fromJson(String json, String file) {
            try {
                com.fasterxml.jackson.databind.JsonNode n = new ObjectMapper().readTree(json);
                return new PolicyScore(n.get("episodes").asInt(), n.get("horizon").asInt(),
                        n.get("mean_return").asDouble(), n.get("std_return").asDouble(),
                        n.get("training_env_steps").asLong(), doubles(n.get(EPISODE_RETURNS)),
                        doubles(n.get(EPISODE_FINAL_ABS_ANGLES)),
                        n.hasNonNull(STARTS) ? n.get(STARTS).asText() : PolicyOptions.EvalStarts.RANDOM.configName(),
                        rows(n.get(EPISODE_STARTS)));
            } catch (Exception e) {
                throw new BadInputException(file + ": not a policy score (expected keys episodes, horizon, "
                        + "mean_return, std_return, training_env_steps): " + e.getMessage());
            }
        }

        private static double[][] rows(com.fasterxml.jackson.databind.JsonNode arr) {
            if (arr == null || arr.isNull()) {
                return null;
            }
            if (!arr.isArray()) {
                throw new IllegalArgumentException("expected a list of states, got " + arr.getNodeType());
            }
            double[][] out = new double[arr.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = doubles(arr.get(i));
            }
            return out;
        }

        // Score files written before the per-episode lists existed still read, without them.
        private static double[] doubles(com.fasterxml.jackson.databind.JsonNode arr) {
            if (arr == null || arr.isNull()) {
                return null;
            }
            if (!arr.isArray()) {
                throw new IllegalArgumentException("expected a list of numbers, got " + arr.getNodeType());
            }
            double[] out = new double[arr.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = arr.get(i).asDouble();
            }
            return out;
        }
    }

    /**
     * The policy's mean return over {@code episodes} episodes whose starts are placed by
     * {@code placement} in the environment's start distribution, drawn with {@code seed}.
     */
    public static PolicyScore scorePolicy(SparkSession spark, ExperimentConfig config,
                                          org.gps.core.policy.Policy policy, int episodes,
                                          PolicyOptions.EvalStarts placement, long seed, long trainingEnvSteps) {
        List<double[]> starts = scoringStarts(config, episodes, placement, seed);
        Map<Integer, org.gps.core.sample.RolloutPolicy> policies = new TreeMap<>();
        org.gps.core.sample.RolloutPolicy deterministic = policy.deterministic();
        for (int e = 0; e < episodes; e++) {
            policies.put(e, deterministic);
        }
        org.gps.core.env.Environment env = config.environment().create();
        int horizon = config.policy() == null ? config.horizon() : config.policy().evalHorizon();
        List<RolloutSampling.Episode> eps;
        try (PhaseProfile.Scope phase = PhaseProfile.enter("policy_scoring")) {
            eps = RolloutSampling.evaluate(spark, new RolloutSampling.Request(config.environment(), starts, policies,
                    1, horizon, seed, 0, "evaluate-policy", config.noise()));
        }
        double[] returns = eps.stream().mapToDouble(RolloutSampling.Episode::totalReward).toArray();
        double[] angles = env instanceof org.gps.core.env.Pendulum
                ? eps.stream().mapToDouble(RolloutSampling.Episode::finalAbsAngle).toArray() : null;
        double mean = java.util.Arrays.stream(returns).average().orElse(Double.NaN);
        double var = java.util.Arrays.stream(returns).map(x -> (x - mean) * (x - mean)).sum() / returns.length;
        return new PolicyScore(episodes, horizon, mean, Math.sqrt(var), trainingEnvSteps, returns, angles,
                placementIn(env, placement), starts.stream().map(double[]::clone).toArray(double[][]::new));
    }

    /**
     * The starts of {@code episodes} scoring episodes: for an environment whose start distribution
     * is a map of the unit cube, {@code even} places them at {@link KroneckerPoints} shifted by
     * {@code seed}, {@code random} draws them independently with {@code seed}; an environment without
     * a start distribution starts them from the conditions in turn.
     */
    static List<double[]> scoringStarts(ExperimentConfig config, int episodes, PolicyOptions.EvalStarts placement,
                                        long seed) {
        org.gps.core.env.Environment env = config.environment().create();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        List<double[]> starts = new ArrayList<>();
        if (placementIn(env, placement).equals(PolicyOptions.EvalStarts.EVEN.configName())) {
            for (double[] u : KroneckerPoints.shifted(episodes, env.startDimension(), rng)) {
                starts.add(env.startAt(u));
            }
            return starts;
        }
        for (int e = 0; e < episodes; e++) {
            starts.add(env.drawStart(rng).orElse(config.conditions().get(e % config.conditionCount())));
        }
        return starts;
    }

    /** Where {@link #scoringStarts} puts the starts in {@code env}: {@link PolicyScore#starts}. */
    private static String placementIn(org.gps.core.env.Environment env, PolicyOptions.EvalStarts placement) {
        if (placement == PolicyOptions.EvalStarts.EVEN && env.startDimension() > 0) {
            return placement.configName();
        }
        boolean drawn = env.drawStart(new java.util.SplittableRandom(0)).isPresent();
        return drawn ? PolicyOptions.EvalStarts.RANDOM.configName() : PolicyScore.FROM_CONDITIONS;
    }

    /**
     * The controllers' evaluation, and the policy's score (the policy of {@code policyIteration});
     * {@code publishedIteration} is the run's published policy ({@link BestPolicy}), -1 when no
     * policy is scored yet.
     */
    public record PolicyEvaluation(Result controllers, int policyIteration, int publishedIteration, PolicyScore score) {
        public boolean isPublished() {
            return policyIteration == publishedIteration;
        }
    }

    /**
     * {@code gps evaluate --policy}: the neural policy trained at {@code iteration} (default: the
     * run's published policy, {@link BestPolicy}) from {@code episodes} random starts drawn with
     * {@code seed}, and the controllers of the same iteration as {@link #run}.
     */
    public static PolicyEvaluation runPolicy(SparkSession spark, String runDirUri, Integer iteration, Integer episodes,
                                             Long seed) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        requirePolicy(run, run.config());
        if (episodes != null && episodes < 1) {
            throw new BadInputException("--episodes: expected an integer >= 1, got " + episodes);
        }
        int published = BestPolicy.of(run).map(BestPolicy::iteration).orElse(-1);
        int it;
        if (iteration != null) {
            it = iteration;
        } else if (published >= 0) {
            it = published;
        } else {
            throw new BadInputException(run.root() + ": no scored policy yet (no iter=I/policy_eval.json; run "
                    + "'gps train-policy --iteration 0' first)");
        }
        PolicyScore score = scoreIteration(spark, runDirUri, it, episodes, seed);
        Result controllers = run(spark, runDirUri, it, null);
        return new PolicyEvaluation(controllers, it, published, score);
    }

    /**
     * The policy of {@code iteration} over {@code episodes} (null: policy.eval_episodes) starts: with
     * {@code seed} null the run's own for that iteration, placed by its {@code policy.eval_starts}
     * (which reproduces its policy_eval.json), else independent draws with {@code seed}, the same
     * for every run and iteration.
     */
    public static PolicyScore scoreIteration(SparkSession spark, String runDirUri, int iteration, Integer episodes,
                                             Long seed) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        ExperimentConfig config = run.config();
        requirePolicy(run, config);
        org.gps.core.policy.Policy policy = PolicyOutputs.readPolicy(run, run.policy(iteration),
                "gps train-policy --iteration " + iteration);
        int n = episodes == null ? config.policy().evalEpisodes() : episodes;
        long steps = TrainPolicyStep.trainingSteps(config, iteration);
        return seed == null
                ? scorePolicy(spark, config, policy, n, config.policy().evalStarts(), ownScoringSeed(config, iteration),
                        steps)
                : scorePolicy(spark, config, policy, n, PolicyOptions.EvalStarts.RANDOM, seed, steps);
    }

    /** The seed of the starts that score iteration {@code iteration}'s policy after its S-step. */
    static long ownScoringSeed(ExperimentConfig config, int iteration) {
        return org.gps.core.random.Seeds.derive(config.seed(), "policy-eval", iteration);
    }

    private static void requirePolicy(RunDirectory run, ExperimentConfig config) {
        if (!config.trainsPolicy()) {
            throw new BadInputException(run.configResolved() + ": algorithm " + config.algorithm()
                    + " trains no neural policy; --policy needs a run whose algorithm trains one (mdgps, badmm, mdgps_pilqr, mdgps_pi2)");
        }
    }

    /** The highest iteration whose controllers are complete. */
    public static int latestIteration(RunDirectory run) {
        int latest = -1;
        for (int i = 0; ControllerOutputs.isComplete(run, i); i++) {
            latest = i;
        }
        if (latest < 0) {
            throw new BadInputException(run.root() + ": no complete controllers to evaluate (run 'gps init' first)");
        }
        return latest;
    }

    /**
     * @param iteration which controllers, or null for the latest
     * @param episodes  episodes per condition, or null for the config's sample count
     */
    public static Result run(SparkSession spark, String runDirUri, Integer iteration, Integer episodes) {
        return run(spark, runDirUri, iteration, episodes, null);
    }

    /**
     * As {@link #run(SparkSession, String, Integer, Integer)}, with the episodes' noise drawn from
     * {@code seed} instead of the run's seed (null: the run's), so that runs of different seeds can be
     * scored on the same draws.
     */
    public static Result run(SparkSession spark, String runDirUri, Integer iteration, Integer episodes, Long seed) {
        return run(spark, runDirUri, iteration, episodes, seed, false);
    }

    /**
     * As {@link #run(SparkSession, String, Integer, Integer, Long)}; with {@code meanActions} the
     * controllers act without their exploration noise (u = K x + k): what the optimiser planned.
     */
    public static Result run(SparkSession spark, String runDirUri, Integer iteration, Integer episodes, Long seed,
                             boolean meanActions) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        ExperimentConfig config = run.config();
        int it = iteration == null ? latestIteration(run) : iteration;
        int n = episodes == null ? config.samples() : episodes;
        Map<Integer, LinearGaussianController> controllers = ControllerOutputs.read(spark, run, it);
        Map<Integer, RolloutPolicy> policies = new TreeMap<>();
        controllers.forEach((c, k) -> policies.put(c, meanActions ? k.meanPolicy() : k));
        List<RolloutSampling.Episode> eps;
        try (PhaseProfile.Scope phase = PhaseProfile.enter("evaluate_controllers")) {
            eps = RolloutSampling.evaluate(spark, new RolloutSampling.Request(config.environment(),
                    config.conditions(), policies, n, config.horizon(), seed == null ? config.seed() : seed, it,
                    "evaluate", config.noise()));
        }
        Map<Integer, List<RolloutSampling.Episode>> byCondition = new TreeMap<>();
        eps.forEach(e -> byCondition.computeIfAbsent(e.condition(), k -> new ArrayList<>()).add(e));
        List<ConditionResult> results = new ArrayList<>();
        byCondition.forEach((c, list) -> {
            double mean = list.stream().mapToDouble(RolloutSampling.Episode::totalReward).average().orElse(Double.NaN);
            double var = list.stream().mapToDouble(e -> (e.totalReward() - mean) * (e.totalReward() - mean)).sum()
                    / list.size();
            double angle = list.stream().mapToDouble(RolloutSampling.Episode::finalAbsAngle).average().orElse(Double.NaN);
            results.add(new ConditionResult(c, mean, Math.sqrt(var), angle));
        });
        return new Result(it, n, results);
    }
}
