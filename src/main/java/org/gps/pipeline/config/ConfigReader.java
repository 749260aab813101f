package org.gps.pipeline.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.AccessControlException;
import org.gps.core.BadInputException;
import org.gps.io.HadoopFiles;
import org.gps.core.control.InitLqrOptions;
import org.gps.core.control.InitPdOptions;
import org.gps.core.control.OpenLoopOffsets;
import org.gps.core.control.Pi2Options;
import org.gps.core.control.Pi2Update;
import org.gps.core.control.PilqrOptions;
import org.gps.core.control.Ramp;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.policy.PolicyOptions;
import org.gps.core.cost.CostFunction;
import org.gps.core.env.Environment;
import org.gps.core.env.EnvironmentSpec;
import org.gps.core.sample.ExplorationNoise;
import org.gps.core.env.Environments;
import org.gps.pipeline.config.ConfigSections.Dynamics;
import org.gps.pipeline.config.ConfigSections.InitialController;
import org.gps.pipeline.config.ConfigSections.Pi2;
import org.gps.pipeline.config.ConfigSections.Pilqr;
import org.gps.pipeline.config.ConfigSections.Policy;
import org.gps.pipeline.config.ConfigSections.TopLevel;
import org.gps.pipeline.config.ConfigSections.TrajOpt;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Parses and validates experiment configs (YAML or JSON: YAML is a superset, one parser serves
 * both). Every key is read through its declaration in {@link ConfigSections} (its default, kind and
 * bound); checks that involve several keys or the environment are here. Unknown keys are refused.
 */
public final class ConfigReader {
    public static final List<String> ALGORITHMS = Algorithm.names();

    // A repeated key would otherwise silently win over the first, and whatever follows the first document
    // (a second document, text pasted after a JSON object) would be ignored: both are refused instead.
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ConfigReader() {
    }

    /**
     * The text of the config file at {@code path} (local path or Hadoop URI), to {@link #parse}. A
     * missing file, a folder or a file we may not read is bad input, named as such.
     */
    public static String readText(Configuration conf, String path) {
        Path p = new Path(path);
        FileStatus status;
        try {
            status = HadoopFiles.fileSystem(conf, p).getFileStatus(p);
        } catch (FileNotFoundException e) {
            throw new BadInputException(path + ": config file not found");
        } catch (IOException e) {
            throw unreadable(path, e);
        }
        if (status.isDirectory()) {
            throw new BadInputException(path + ": is a directory, expected a YAML or JSON file");
        }
        try {
            return HadoopFiles.readUtf8(conf, p);
        } catch (UncheckedIOException e) {
            throw unreadable(path, e.getCause());
        }
    }

    /**
     * Reads and checks the config at {@code path} before any Spark session exists, when it names a
     * local file (no scheme, or {@code file:}): a typo in a config is then reported in the time the
     * JVM takes to start, not after Spark's. Other URIs need the session's file systems and are
     * checked when the step reads them; so is everything that depends on a run directory.
     */
    public static void checkLocalFile(String path) {
        if (HadoopFiles.isLocal(path)) {
            parse(path, readText(HadoopFiles.localConf(), path));
        }
    }

    private static RuntimeException unreadable(String path, IOException e) {
        boolean denied = e instanceof AccessDeniedException || e instanceof AccessControlException
                || String.valueOf(e.getMessage()).contains("Permission denied");
        return denied ? new BadInputException(path + ": permission denied", e)
                : new UncheckedIOException("cannot read " + path, e);
    }

    /**
     * Every config key with its default, bound and meaning, section by section: the declarations
     * the reader reads through, as {@code gps config-keys} prints them.
     */
    public static String keysHelp() {
        return ConfigSections.help();
    }

    /** Parses {@code text}; {@code file} names the source in error messages. */
    public static ExperimentConfig parse(String file, String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw syntaxError(file, e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new BadInputException(file + ": the config is empty; expected a mapping with at least "
                    + "'environment', 'conditions', 'horizon'");
        }
        return read(new ConfigNode(file, "", root));
    }

    private static BadInputException syntaxError(String file, JsonProcessingException e) {
        String line = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
        String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (msg.startsWith("Duplicate field '")) {
            String key = msg.substring("Duplicate field '".length(), msg.indexOf('\'', "Duplicate field '".length()));
            return new BadInputException(file + ": " + keyPath(e, key) + ": duplicate key" + line
                    + "; expected each key once per mapping");
        }
        // A YAML parser meets text after a closed JSON object as the start of a second document.
        if (msg.startsWith("Trailing token") || msg.contains("expected '<document start>'")) {
            return new BadInputException(file + ": unexpected content after the end of the config" + line
                    + "; expected one YAML or JSON document");
        }
        String column = e.getLocation() == null ? "" : ", column " + e.getLocation().getColumnNr();
        return new BadInputException(file + ": not valid YAML or JSON" + line + column + ": "
                + org.gps.io.YamlErrors.oneLine(e));
    }

    /** The dotted path of {@code key} in the mapping the parser was reading (e.g. trajopt.kl_step). */
    private static String keyPath(JsonProcessingException e, String key) {
        if (!(e.getProcessor() instanceof JsonParser p)) {
            return key;
        }
        List<String> outerFirst = new ArrayList<>();
        // The context is the mapping that holds the repeated key; its parents give the path.
        for (JsonStreamContext ctx = p.getParsingContext().getParent(); ctx != null; ctx = ctx.getParent()) {
            if (ctx.inArray()) {
                outerFirst.add(0, "[" + ctx.getCurrentIndex() + "]");
            } else if (ctx.getCurrentName() != null) {
                outerFirst.add(0, ctx.getCurrentName());
            }
        }
        outerFirst.add(key);
        StringBuilder sb = new StringBuilder();
        for (String s : outerFirst) {
            if (sb.length() > 0 && !s.startsWith("[")) {
                sb.append('.');
            }
            sb.append(s);
        }
        return sb.toString();
    }

    private static ExperimentConfig read(ConfigNode c) {
        // Before anything is read: a misspelt required section is named as the unknown key it is.
        c.refuseUnknownKeys(TopLevel.SECTION.names());
        String name = TopLevel.NAME.text(c);
        long seed = TopLevel.SEED.anyInteger(c);
        Algorithm algorithm = Algorithm.of(TopLevel.ALGORITHM.choice(c));
        int iterations = TopLevel.ITERATIONS.integer(c);
        ConfigBounds.atMost(c, "iterations", iterations, ConfigBounds.MAX_ITERATIONS,
                "the run directory's four-digit iter=NNNN folders can name");
        int horizon = TopLevel.HORIZON.integer(c);
        ConfigBounds.atMost(c, "horizon", horizon, ConfigBounds.MAX_HORIZON,
                "time steps a run is planned for (one task holds a condition's whole horizon)");
        int samples = TopLevel.SAMPLES.integer(c);
        ConfigBounds.atMost(c, "samples", samples, ConfigBounds.MAX_SAMPLES,
                "samples per condition a run is planned for (one task fits a condition's samples together)");
        ExplorationNoise noise = new ExplorationNoise(TopLevel.NOISE_SMOOTHING.number(c));

        EnvironmentSpec env = readEnvironmentSpec(c);
        Environment e = createEnvironment(c, env);
        List<double[]> conditions = readConditions(c, e, horizon, samples);
        InitialControllerSpec init = readInitialController(c.child("initial_controller"), e.actionDim());
        List<CostFunction> costs = CostConfig.read(c.child("cost"), conditions.size(), e.stateDim(), e.actionDim());
        ConfigNode trajoptNode = c.child("trajopt");
        org.gps.core.control.ActionBounds actionLimits = readActionLimits(trajoptNode, e);
        StepSizeScope stepSize = readStepSize(trajoptNode, algorithm);
        TrajOptOptions trajopt = readTrajOpt(trajoptNode, algorithm);
        SampleBased sampleBased = readSampleBased(c, algorithm, samples);
        DynamicsOptions dynamics = readDynamics(c.child("dynamics"), seed);
        PolicyOptions policy = readPolicySection(c, algorithm, seed, env, e, horizon,
                (long) conditions.size() * samples * horizon, dynamics.em().initialization());
        Pi2Options pi2 = sampleBased.pi2();
        PilqrOptions pilqr = sampleBased.pilqr();
        c.finish();
        return new ExperimentConfig(name, seed, algorithm, iterations, horizon, samples, noise, env, List.copyOf(conditions),
                init, costs, trajopt, actionLimits, stepSize, dynamics, policy, pi2, pilqr, toJson(c.resolved()));
    }

    /** environment: {type: ..., <parameters of that type>}; the factory validates the parameters. */
    private static EnvironmentSpec readEnvironmentSpec(ConfigNode c) {
        Map<String, Object> params = c.asPlainMap("environment");
        Object envType = params.remove("type");
        if (!(envType instanceof String)) {
            throw c.error("environment.type", "missing; expected one of " + String.join(", ", Environments.types()));
        }
        return new EnvironmentSpec((String) envType, params);
    }

    private static Environment createEnvironment(ConfigNode c, EnvironmentSpec env) {
        Environment e;
        try {
            e = env.create();
        } catch (BadInputException ex) {
            // The factory's message already names the key (environment.<key>); add the file.
            throw new BadInputException(c.error("", ex.getMessage()).getMessage(), ex);
        }
        String dims = "(one time step factors (dX + dU)-square matrices)";
        ConfigBounds.atMost(c, "environment", e.stateDim(), ConfigBounds.MAX_DIMENSION, "state dimensions " + dims);
        ConfigBounds.atMost(c, "environment", e.actionDim(), ConfigBounds.MAX_DIMENSION, "action dimensions " + dims);
        ConfigBounds.atMost(c, "environment", e.observationDim(), ConfigBounds.MAX_DIMENSION,
                "observation dimensions (the policy's input layer)");
        return e;
    }

    /** The conditions' initial states in the environment's state form, which the frozen config keeps. */
    private static List<double[]> readConditions(ConfigNode c, Environment e, int horizon, int samples) {
        List<double[]> raw = c.getDoubleArrays("conditions");
        if (raw.isEmpty()) {
            throw c.error("conditions", "missing or empty; expected a list of initial states, one per condition");
        }
        ConfigBounds.atMost(c, "conditions", raw.size(), ConfigBounds.MAX_CONDITIONS,
                "conditions a run is planned for (the driver collects a controller and a model per condition)");
        ConfigBounds.checkMemory(c, horizon, samples, raw.size(), e.stateDim(), e.actionDim());
        List<double[]> conditions = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            try {
                conditions.add(e.initialState(raw.get(i), "conditions[" + i + "]"));
            } catch (BadInputException ex) {
                throw c.error("", ex.getMessage());
            }
        }
        // The states as x0 parse back unchanged.
        c.setResolved("conditions", conditions);
        return conditions;
    }

    /** The sections of the sample-based C-steps; both null for the LQR C-step, which refuses them. */
    private record SampleBased(Pi2Options pi2, PilqrOptions pilqr) {
    }

    private static SampleBased readSampleBased(ConfigNode c, Algorithm algorithm, int samples) {
        if (algorithm.cStep() == Algorithm.CStep.LQR) {
            for (String block : List.of("pi2", "pilqr")) {
                if (c.has(block)) {
                    throw c.error(block, "only the PI2 and PILQR algorithms (" + String.join(", ",
                            Arrays.stream(Algorithm.values()).filter(a -> a.cStep() != Algorithm.CStep.LQR)
                                    .map(Algorithm::configName).toList())
                            + ") read this section; this config's algorithm is " + algorithm);
                }
            }
            return new SampleBased(null, null);
        }
        Pi2Options pi2 = readPi2(c.child("pi2"));
        // The weights of N samples are at most log N nats from uniform: a bound at or above that never
        // binds, every step takes the lowest temperature, the weights single out one sample and the
        // covariance collapses to that sample's spread, nothing, in one iteration.
        if (pi2.klThreshold() >= Math.log(samples)) {
            throw c.error("pi2.kl_threshold", String.format(Locale.ROOT, "expected a bound below log(samples) = "
                    + "%.3f, got %s: the weights of %d samples are never further than that from uniform, so the "
                    + "bound would not bind and the weights would single out one sample; lower it or raise samples",
                    Math.log(samples), pi2.klThreshold(), samples));
        }
        PilqrOptions pilqr = null;
        if (algorithm.cStep() == Algorithm.CStep.PILQR) {
            pilqr = readPilqr(c.child("pilqr"));
        } else if (c.has("pilqr")) {
            throw c.error("pilqr", "only " + Algorithm.TRAJOPT_PILQR + " and " + Algorithm.MDGPS_PILQR
                    + " read this section; this config's algorithm is " + algorithm);
        }
        return new SampleBased(pi2, pilqr);
    }

    /**
     * The policy section of the algorithms that train one (null for the others, which refuse it).
     *
     * @param emStart the cold start of the policy linearization's GMMs: the dynamics section's {@code em_init}
     */
    private static PolicyOptions readPolicySection(ConfigNode c, Algorithm algorithm, long seed, EnvironmentSpec env,
                                                   Environment e, int horizon, long targetsPerIteration,
                                                   GmmOptions.Initialization emStart) {
        if (!algorithm.trainsPolicy()) {
            if (c.has("policy")) {
                throw c.error("policy", "only " + Arrays.stream(Algorithm.values()).filter(Algorithm::trainsPolicy)
                        .map(Algorithm::configName).collect(Collectors.joining(", "))
                        + " train a neural policy; this config's algorithm is " + algorithm);
            }
            return null;
        }
        int evalHorizon = env.type().equals("pendulum") ? Policy.PENDULUM_EVAL_HORIZON : horizon;
        PolicyOptions policy = readPolicy(c.child("policy"), seed, evalHorizon, e, targetsPerIteration, emStart);
        if (algorithm == Algorithm.BADMM && policy.replayIterations() > 0) {
            // BADMM's targets carry the multipliers of the iteration they were built in.
            throw c.error("policy.replay_iterations", "expected 0 for badmm (its S-step targets carry that "
                    + "iteration's Lagrange multipliers), got " + policy.replayIterations());
        }
        return policy;
    }

    private static InitialControllerSpec readInitialController(ConfigNode n, int dU) {
        InitLqrOptions lqr = InitLqrOptions.defaults();
        InitPdOptions pd = InitPdOptions.defaults();
        String type = InitialController.TYPE.choice(n);
        if (type.equals(InitialController.LQR)) {
            double initVar = InitialController.LQR_INIT_VAR.number(n);
            double[] gains = perAction(n, InitialController.INIT_GAINS, dU);
            double[] acc = perAction(n, InitialController.INIT_ACC, dU);
            n.setResolved("init_gains", gains);
            n.setResolved("init_acc", acc);
            lqr = new InitLqrOptions(initVar, InitialController.STIFFNESS.number(n),
                    InitialController.STIFFNESS_VEL.number(n), InitialController.FINAL_WEIGHT.number(n), gains, acc,
                    InitialController.DT.number(n));
            n.refuseUnknownKeys(InitialController.SECTION.names(InitialController.LQR_KEYS));
        } else {
            pd = new InitPdOptions(InitialController.PD_INIT_VAR.number(n), InitialController.POS_GAINS.number(n),
                    InitialController.VEL_GAINS_MULT.number(n));
            n.refuseUnknownKeys(InitialController.SECTION.names(InitialController.PD_KEYS));
        }
        OpenLoopOffsets offsets = new OpenLoopOffsets(InitialController.OFFSET_STD.number(n),
                InitialController.OFFSET_WIDTH.number(n));
        return new InitialControllerSpec(type, lqr, pd, offsets);
    }

    /**
     * {@code trajopt.action_limits}: {@code none} (the default) plans actions without bounds;
     * {@code environment} plans within the box the environment applies (control-limited LQR).
     */
    private static org.gps.core.control.ActionBounds readActionLimits(ConfigNode n, Environment env) {
        String limits = TrajOpt.ACTION_LIMITS.choice(n);
        if (limits.equals("none")) {
            return null;
        }
        return env.actionBounds().orElseThrow(() -> n.error(n.key("action_limits"), "the environment '" + env.name()
                + "' applies every action as commanded (it has no action limits); use none"));
    }

    /**
     * {@code trajopt.step_size}: MDGPS only, whose rule can take one multiplier for all conditions
     * (the default) or one each; the other algorithms always adjust each condition's own.
     */
    private static StepSizeScope readStepSize(ConfigNode n, Algorithm algorithm) {
        if (algorithm == Algorithm.MDGPS) {
            return TrajOpt.STEP_SIZE.choice(n, StepSizeScope.class);
        }
        if (n.has(TrajOpt.STEP_SIZE.name())) {
            throw n.error(n.key(TrajOpt.STEP_SIZE.name()), "read by mdgps only; " + algorithm
                    + " adjusts each condition's step multiplier on its own");
        }
        return StepSizeScope.PER_CONDITION;
    }

    private static TrajOptOptions readTrajOpt(ConfigNode n, Algorithm algorithm) {
        TrajOptOptions d = TrajOptOptions.defaults();
        boolean pilqr = algorithm.cStep() == Algorithm.CStep.PILQR;
        if (pilqr) {
            // PILQR's LQR part has per-step KL steps and step-multiplier bounds of its own (pilqr section).
            for (ConfigKey k : TrajOpt.NOT_READ_BY_PILQR) {
                if (n.has(k.name())) {
                    throw n.error(n.key(k.name()), "not read by " + algorithm + ", whose LQR part has one KL bound "
                            + "per step; " + (k == TrajOpt.CONS_PER_STEP ? "it is always on"
                            : "set pilqr." + k.name() + " instead"));
                }
            }
        }
        double klStep = pilqr ? d.klStep() : TrajOpt.KL_STEP.number(n);
        double minEta = TrajOpt.MIN_ETA.number(n);
        double maxEta = TrajOpt.MAX_ETA.number(n);
        if (!(minEta < maxEta)) {
            throw n.error(n.key("max_eta"), "expected a number above min_eta (" + minEta + "), got " + maxEta);
        }
        double del0 = TrajOpt.DEL0.number(n);
        double maxEnt = TrajOpt.MAX_ENT_TRAJ.number(n);
        boolean perStep = pilqr || TrajOpt.CONS_PER_STEP.flag(n);
        boolean prevDistr = TrajOpt.USE_PREV_DISTR.flag(n);
        if (prevDistr && !perStep) {
            throw n.error(n.key("use_prev_distr"), "needs cons_per_step: true (it measures each step's KL)");
        }
        double minMult = pilqr ? d.minStepMult() : TrajOpt.MIN_STEP_MULT.number(n);
        double maxMult = pilqr ? d.maxStepMult() : TrajOpt.MAX_STEP_MULT.number(n);
        if (!(minMult <= maxMult)) {
            throw n.error(n.key("max_step_mult"), "expected a number >= min_step_mult (" + minMult + "), got " + maxMult);
        }
        int rounds = TrajOpt.MAX_ROUNDS.integer(n);
        List<ConfigKey> notRead = new ArrayList<>(pilqr ? TrajOpt.NOT_READ_BY_PILQR : List.of());
        if (algorithm != Algorithm.MDGPS) {
            notRead.add(TrajOpt.STEP_SIZE);
        }
        n.refuseUnknownKeys(TrajOpt.SECTION.namesWithout(notRead));
        return new TrajOptOptions(klStep, minEta, maxEta, del0, d.etaErrorThreshold(), maxEnt, perStep, minMult, maxMult,
                rounds, d.perStepBracketRounds(), d.perStepAdamRounds(), d.perStepAdamRate(), prevDistr);
    }

    /** The {@code pi2} section: the PI2 update's options (PI2 and PILQR algorithms). */
    private static Pi2Options readPi2(ConfigNode n) {
        double klThreshold = Pi2.KL_THRESHOLD.number(n);
        double damping = Pi2.COVARIANCE_DAMPING.number(n);
        double minTemperature = Pi2.MIN_TEMPERATURE.number(n);
        // Checked before the options exist: their constructor would refuse it without naming the file.
        if (!(minTemperature < Pi2Update.MAX_TEMPERATURE)) {
            throw n.error(n.key("min_temperature"), "expected a number below " + Pi2Update.MAX_TEMPERATURE + ", got "
                    + minTemperature);
        }
        double del0 = Pi2.DEL0.number(n);
        n.refuseUnknownKeys(Pi2.SECTION.names());
        return new Pi2Options(klThreshold, damping, minTemperature, del0);
    }

    /** The {@code pilqr} section: PILQR's per-step KL steps, step rule and model replay. */
    private static PilqrOptions readPilqr(ConfigNode n) {
        Ramp klStep = readRamp(n, Pilqr.KL_STEP);
        Ramp maxMult = readRamp(n, Pilqr.MAX_STEP_MULT);
        Ramp minMult = readRamp(n, Pilqr.MIN_STEP_MULT);
        if (minMult.start() > maxMult.start() || minMult.end() > maxMult.end()) {
            throw n.error(n.key("min_step_mult"), "expected at most max_step_mult at both ends (" + maxMult.start()
                    + " -> " + maxMult.end() + "), got " + minMult.start() + " -> " + minMult.end());
        }
        PilqrOptions.StepRule rule = Pilqr.STEP_RULE.choice(n, PilqrOptions.StepRule.class);
        double dec = Pilqr.STEP_RULE_RES_RATIO_DEC.number(n);
        double inc = Pilqr.STEP_RULE_RES_RATIO_INC.number(n);
        if (inc > dec) {
            throw n.error(n.key("step_rule_res_ratio_inc"), "expected at most step_rule_res_ratio_dec (" + dec
                    + "), got " + inc);
        }
        PilqrOptions.Pi2TemperatureFrom from = Pilqr.PI2_TEMPERATURE_FROM.choice(n,
                PilqrOptions.Pi2TemperatureFrom.class);
        PilqrOptions.ReplayStart start = Pilqr.REPLAY_START.choice(n, PilqrOptions.ReplayStart.class);
        n.refuseUnknownKeys(Pilqr.SECTION.names());
        return new PilqrOptions(klStep, maxMult, minMult, rule, dec, inc, from, start);
    }

    /** A per-step value: one positive number for every step, or [first, last] for a linear ramp. */
    private static Ramp readRamp(ConfigNode n, ConfigKey declared) {
        String key = declared.name();
        Ramp def = (Ramp) declared.defaultValue();
        double[] v = n.getDoubleArray(key, new double[] {def.start(), def.end()});
        if (v.length != 1 && v.length != 2) {
            throw n.error(n.key(key), "expected a number or [first, last] (a linear ramp over the horizon), got "
                    + v.length + " numbers");
        }
        for (double x : v) {
            if (!(x > 0)) {
                throw n.error(n.key(key), "expected positive numbers, got " + x);
            }
        }
        n.setResolved(key, new double[] {v[0], v[v.length - 1]});
        return new Ramp(v[0], v[v.length - 1]);
    }

    /**
     * The {@code policy} section, read for the algorithms that train a policy; {@code targetsPerIteration}
     * M x N x T, the S-step's targets from one iteration's samples.
     */
    private static PolicyOptions readPolicy(ConfigNode n, long seed, int defaultEvalHorizon, Environment env,
                                            long targetsPerIteration, GmmOptions.Initialization emStart) {
        PolicyOptions d = PolicyOptions.defaults(seed, defaultEvalHorizon);
        int[] hidden = readHidden(n, d, env);
        int iterations = Policy.TRAIN_ITERATIONS.integer(n);
        double tol = Policy.TRAIN_TOLERANCE.number(n);
        double l2 = Policy.L2.number(n);
        double initWt = Policy.INIT_POL_WT.number(n);
        boolean onPolicy = Policy.SAMPLE_ON_POLICY.flag(n);
        int replay = Policy.REPLAY_ITERATIONS.integer(n);
        PolicyOptions.Training training = readTraining(n, env, targetsPerIteration * (replay + 1));
        int episodes = Policy.EVAL_EPISODES.integer(n);
        PolicyOptions.EvalStarts evalStarts = PolicyOptions.EvalStarts.fromConfigName(Policy.EVAL_STARTS.choice(n));
        int evalHorizon = Policy.EVAL_HORIZON.integer(n, d.evalHorizon());
        ConfigBounds.atMost(n, "eval_horizon", evalHorizon, ConfigBounds.MAX_HORIZON,
                "time steps an evaluation episode is planned for");
        DynamicsOptions p = d.prior();
        int maxClusters = Policy.PRIOR_MAX_CLUSTERS.integer(n);
        int minSamples = Policy.PRIOR_MIN_SAMPLES_PER_CLUSTER.integer(n);
        int maxSamples = Policy.PRIOR_MAX_SAMPLES.integer(n);
        double strength = Policy.PRIOR_STRENGTH.number(n);
        int inner = Policy.INNER_ITERATIONS.integer(n);
        double dualRate = Policy.POLICY_DUAL_RATE.number(n);
        double dualRateCovar = Policy.POLICY_DUAL_RATE_COVAR.number(n);
        double lgStep = Policy.LG_STEP.number(n);
        String rule = Policy.WEIGHT_RULE.choice(n);
        double inc = Policy.EXP_STEP_INCREASE.number(n);
        double dec = Policy.EXP_STEP_DECREASE.number(n);
        double upper = Policy.EXP_STEP_UPPER.number(n);
        double lower = Policy.EXP_STEP_LOWER.number(n);
        n.refuseUnknownKeys(Policy.SECTION.names());
        return new PolicyOptions(hidden, iterations, tol, l2, initWt, onPolicy,
                new DynamicsOptions(false, maxClusters, minSamples, maxSamples, strength, p.regularization(),
                        p.initialStateVar(), p.em().withInitialization(emStart)), episodes, evalHorizon,
                new PolicyOptions.Badmm(inner, dualRate, dualRateCovar, lgStep, rule, inc, dec, upper, lower), replay,
                training, evalStarts);
    }

    /** {@code policy.hidden}: whole widths within bounds, and a network of a size the run can hold. */
    private static int[] readHidden(ConfigNode n, PolicyOptions d, Environment env) {
        double[] hiddenRaw = n.getDoubleArray("hidden", java.util.Arrays.stream(d.hidden()).asDoubleStream().toArray());
        int[] hidden = new int[hiddenRaw.length];
        for (int i = 0; i < hidden.length; i++) {
            if (hiddenRaw[i] != Math.rint(hiddenRaw[i]) || hiddenRaw[i] < 1) {
                throw n.error(n.key("hidden"), "expected whole numbers >= 1 (hidden layer widths), got " + hiddenRaw[i]);
            }
            ConfigBounds.atMost(n, "hidden", (long) hiddenRaw[i], ConfigBounds.MAX_HIDDEN_UNITS,
                    "units a hidden layer is planned for");
            hidden[i] = (int) hiddenRaw[i];
        }
        n.setResolved("hidden", hidden);
        int[] layers = new int[hidden.length + 2];
        layers[0] = env.observationDim();
        System.arraycopy(hidden, 0, layers, 1, hidden.length);
        layers[layers.length - 1] = env.actionDim();
        ConfigBounds.checkNetwork(n, layers);
        return hidden;
    }

    /** {@code policy.training}; {@code local} refused when the S-step's {@code plannedTargets} exceed its cap. */
    private static PolicyOptions.Training readTraining(ConfigNode n, Environment env, long plannedTargets) {
        PolicyOptions.Training training = PolicyOptions.Training.fromConfigName(Policy.TRAINING.choice(n));
        long perTarget = PolicyOptions.Training.doublesPerTarget(env.observationDim(), env.actionDim());
        if (training == PolicyOptions.Training.LOCAL && PolicyOptions.Training.exceedsCap(plannedTargets, perTarget)) {
            throw n.error(n.key("training"), String.format(Locale.ROOT, "local would gather up to %d S-step targets "
                    + "(conditions x samples x horizon x (replay_iterations + 1)) of %d numbers each into the driver, "
                    + "%.1f MiB, above its cap of %d numbers (%d MiB); use auto or distributed", plannedTargets,
                    perTarget, plannedTargets * perTarget * 8.0 / (1 << 20), PolicyOptions.Training.LOCAL_CAP_DOUBLES,
                    PolicyOptions.Training.LOCAL_CAP_DOUBLES * 8 >> 20));
        }
        return training;
    }

    /**
     * The {@code dynamics} section (docs/algorithm.md sections 3-5); shared with
     * {@code gps fit-dynamics --rollouts}.
     */
    public static DynamicsOptions readDynamics(ConfigNode n, long seed) {
        DynamicsOptions d = DynamicsOptions.defaults(seed);
        String prior = Dynamics.PRIOR.choice(n);
        int maxClusters = Dynamics.MAX_CLUSTERS.integer(n);
        int minSamples = Dynamics.MIN_SAMPLES_PER_CLUSTER.integer(n);
        int maxSamples = Dynamics.MAX_SAMPLES.integer(n);
        double strength = Dynamics.STRENGTH.number(n);
        double reg = Dynamics.REGULARIZATION.number(n);
        double x0var = Dynamics.INITIAL_STATE_VAR.number(n);
        int emIterations = Dynamics.EM_MAX_ITERATIONS.integer(n);
        double emTol = Dynamics.EM_TOLERANCE.number(n);
        boolean warm = Dynamics.EM_WARM_START.flag(n);
        String init = Dynamics.EM_INIT.choice(n);
        int inTask = Dynamics.EM_IN_TASK_MAX_POINTS.integer(n);
        String action = Dynamics.ACTION.choice(n);
        n.refuseUnknownKeys(Dynamics.SECTION.names());
        GmmOptions em = d.em();
        return new DynamicsOptions(prior.equals("shared"), maxClusters, minSamples, maxSamples, strength, reg, x0var,
                new GmmOptions(emIterations, emTol, em.ridge(), em.initialRidge(), em.rebootMass(), seed, warm,
                        GmmOptions.Initialization.fromConfigName(init)), inTask,
                DynamicsOptions.Action.fromConfigName(action));
    }

    /** A declared list of one value per action, or one for all (broadcast), or its default. */
    private static double[] perAction(ConfigNode n, ConfigKey declared, int dU) {
        double[] def = ((List<?>) declared.defaultValue()).stream().mapToDouble(x -> ((Number) x).doubleValue())
                .toArray();
        return perAction(n, declared.name(), n.getDoubleArray(declared.name(), def), dU);
    }

    private static double[] perAction(ConfigNode n, String key, double[] v, int dU) {
        if (v.length == 1 && dU > 1) {
            double[] out = new double[dU];
            java.util.Arrays.fill(out, v[0]);
            return out;
        }
        if (v.length != dU) {
            throw n.error(n.key(key), "expected " + (dU == 1 ? "1 value" : "1 or " + dU + " values")
                    + " (one per action), got " + v.length);
        }
        return v;
    }

    private static String toJson(JsonNode resolved) {
        try {
            return JSON.writeValueAsString(resolved);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the config", e);
        }
    }
}
