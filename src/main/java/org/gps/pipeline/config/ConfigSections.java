package org.gps.pipeline.config;

import org.gps.core.control.InitLqrOptions;
import org.gps.core.control.InitPdOptions;
import org.gps.core.control.OpenLoopOffsets;
import org.gps.core.control.Pi2Options;
import org.gps.core.control.Pi2Update;
import org.gps.core.control.PilqrOptions;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.cost.RampOption;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.env.Environments;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.policy.PolicyOptions;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The keys of the config's sections, declared once ({@link ConfigKey}). Where a core option record
 * has defaults ({@code TrajOptOptions.defaults()} and the like, which the core's callers share) the
 * declarations take them from there; the other defaults (the top level's, the cost terms'), every
 * bound and every description live only here. Each section lists its keys in the order the reader
 * reads them, so config.json records them in the order of the docs' table and of the unknown-key
 * message (the top level's nested sections excepted: the reader takes them in an order of its own).
 */
final class ConfigSections {
    private ConfigSections() {
    }

    /**
     * A section's declared keys; its table in docs/formats.md is {@link #table()}. A section whose
     * {@code type} picks one of several constructions has the keys all of them read, then each
     * variant's own ({@code variants}; the keys of the other variants are unknown keys there).
     */
    record Section(String name, List<ConfigKey> keys, List<Variant> variants) {
        Section {
            keys = List.copyOf(keys);
            variants = List.copyOf(variants);
        }

        Section(String name, List<ConfigKey> keys) {
            this(name, keys, List.of());
        }

        /** The declared key names, in order: what the section's unknown-key refusal offers. */
        Set<String> names() {
            return keys.stream().map(ConfigKey::name).collect(Collectors.toCollection(LinkedHashSet::new));
        }

        /** The names of the common keys and then {@code variant}'s, in order. */
        Set<String> names(Variant variant) {
            Set<String> out = names();
            variant.keys().forEach(k -> out.add(k.name()));
            return out;
        }

        /** The declared key names without {@code excluded}, in order. */
        Set<String> namesWithout(List<ConfigKey> excluded) {
            Set<String> out = names();
            excluded.forEach(k -> out.remove(k.name()));
            return out;
        }

        /** The section's Markdown table, one row per key. */
        String table() {
            StringBuilder sb = new StringBuilder("| key | default | meaning |\n|-----|---------|---------|\n");
            keys.forEach(k -> sb.append(k.tableRow()).append('\n'));
            for (Variant v : variants) {
                sb.append("| *with `type: ").append(v.type()).append("`:* | | |\n");
                v.keys().forEach(k -> sb.append(k.tableRow()).append('\n'));
            }
            return sb.toString();
        }
    }

    /** The keys read when a section's {@code type} is {@code type}. */
    record Variant(String type, List<ConfigKey> keys) {
        Variant {
            keys = List.copyOf(keys);
        }
    }

    /** The top level of a config: the run's sizes and the sections. */
    static final class TopLevel {
        static final ConfigKey NAME = ConfigKey.text("name", "experiment", "a label for the run");
        static final ConfigKey SEED = ConfigKey.anyInteger("seed", 0L,
                "every random draw derives from (seed, iteration, condition, sample)");
        static final ConfigKey ALGORITHM = ConfigKey.choice("algorithm", Algorithm.TRAJOPT.configName(),
                Algorithm.names(), "`trajopt` (controllers only), `mdgps` or `badmm` (a neural policy too); the "
                        + "sample-based C-steps `trajopt_pi2`, `trajopt_pilqr` (controllers only), `mdgps_pilqr` and "
                        + "`mdgps_pi2` (a neural policy too), see "
                        + "[PI2 and PILQR](#pi2-and-pilqr-sections-pi2-and-pilqr)").documentedBound("");
        static final ConfigKey ITERATIONS = ConfigKey.integer("iterations", 10, 1, "number of GPS iterations")
                .documentedBound("from 1 to " + ConfigBounds.MAX_ITERATIONS);
        static final ConfigKey HORIZON = ConfigKey.requiredInteger("horizon", 2, "T, time steps per rollout")
                .documentedBound("from 2 to " + ConfigBounds.MAX_HORIZON);
        // docs/algorithm.md section 4: N = 1 cannot fit dynamics.
        static final ConfigKey SAMPLES = ConfigKey.integer("samples", 5, 2, "N, rollouts per condition per iteration")
                .documentedBound("from 2 to " + ConfigBounds.MAX_SAMPLES);
        static final ConfigKey NOISE_SMOOTHING = ConfigKey.nonNegative("noise_smoothing", 0.0,
                "standard deviation, in time steps, of the Gaussian filter over each rollout's exploration noise "
                        + "(each action dimension's draws along the rollout, then rescaled to unit variance), so that "
                        + "the controllers' and the policy's noise pushes for several steps at a time; 0: independent "
                        + "draws at every step. See [algorithm.md](algorithm.md) section 1");
        static final ConfigKey ENVIRONMENT = ConfigKey.nested("environment", "**required**",
                "a mapping: `type` (**required**: `" + String.join("`, `", Environments.types()) + "`) and that "
                        + "type's parameters, below");
        static final ConfigKey CONDITIONS = ConfigKey.nested("conditions", "**required**",
                "non-empty list of initial states, one per condition (forms per environment, below)");
        static final ConfigKey INITIAL_CONTROLLER = ConfigKey.nested("initial_controller", "see below",
                "how the controllers of iteration 0 are built ([algorithm.md](algorithm.md) section 11)");
        static final ConfigKey COST = ConfigKey.nested("cost", "**required** (`cost.terms`)",
                "the cost ([algorithm.md](algorithm.md) section 2)");
        static final ConfigKey TRAJOPT = ConfigKey.nested("trajopt", "see below",
                "C-step and step-size options ([algorithm.md](algorithm.md) sections 6, 7)");
        static final ConfigKey DYNAMICS = ConfigKey.nested("dynamics", "see below",
                "the GMM prior and the per-step fits ([algorithm.md](algorithm.md) sections 3-5)");
        static final ConfigKey POLICY = ConfigKey.nested("policy", "see below",
                "algorithms with a neural policy only: the policy, its linearization and BADMM's duals");
        static final ConfigKey PI2 = ConfigKey.nested("pi2", "see below", "the PI2 and PILQR algorithms only: the "
                + "PI2 update");
        static final ConfigKey PILQR = ConfigKey.nested("pilqr", "see below",
                "`trajopt_pilqr` and `mdgps_pilqr` only: PILQR's per-step KL steps, step rule and model replay");

        static final Section SECTION = new Section("top level", List.of(NAME, SEED, ALGORITHM, ITERATIONS, HORIZON,
                SAMPLES, NOISE_SMOOTHING, ENVIRONMENT, CONDITIONS, INITIAL_CONTROLLER, COST, TRAJOPT, DYNAMICS, POLICY, PI2, PILQR));

        private TopLevel() {
        }
    }

    /** {@code initial_controller}: the controller of iteration 0, by {@code type}. */
    static final class InitialController {
        private static final InitLqrOptions LQR_DEFAULTS = InitLqrOptions.defaults();
        private static final InitPdOptions PD_DEFAULTS = InitPdOptions.defaults();
        static final String LQR = "lqr";
        static final String PD = "pd";

        static final ConfigKey TYPE = ConfigKey.choice("type", LQR, List.of(LQR, PD),
                "the original's init_lqr or init_pd, with the keys below");
        static final ConfigKey LQR_INIT_VAR = ConfigKey.positive("init_var", LQR_DEFAULTS.initVar(),
                "controller covariance scale (it divides the whole cost)");
        static final ConfigKey INIT_GAINS = perAction("init_gains", 1.0,
                "gain of the guessed double-integrator model; 1 or dU values");
        static final ConfigKey INIT_ACC = perAction("init_acc", 0.0,
                "constant acceleration of the guessed model; 1 or dU values");
        static final ConfigKey STIFFNESS = ConfigKey.nonNegative("stiffness", LQR_DEFAULTS.stiffness(),
                "cost weight on positions");
        static final ConfigKey STIFFNESS_VEL = ConfigKey.nonNegative("stiffness_vel", LQR_DEFAULTS.stiffnessVel(),
                "velocity weight relative to stiffness");
        static final ConfigKey FINAL_WEIGHT = ConfigKey.nonNegative("final_weight", LQR_DEFAULTS.finalWeight(),
                "multiplier on the last step's cost");
        static final ConfigKey DT = ConfigKey.positive("dt", LQR_DEFAULTS.dt(), "time step of the guessed model");
        static final ConfigKey PD_INIT_VAR = ConfigKey.positive("init_var", PD_DEFAULTS.initVar(),
                "action noise variance");
        static final ConfigKey POS_GAINS = ConfigKey.nonNegative("pos_gains", PD_DEFAULTS.posGains(),
                "position gain");
        static final ConfigKey VEL_GAINS_MULT = ConfigKey.nonNegative("vel_gains_mult", PD_DEFAULTS.velGainsMult(),
                "velocity gain as a fraction of the position gain");
        static final ConfigKey OFFSET_STD = ConfigKey.nonNegative("offset_std", OpenLoopOffsets.none().std(),
                "either type: root mean square of a random open-loop action sequence added to each condition's "
                        + "initial mean action (0: none); each condition draws its own from the run's seed, so copies "
                        + "of one start begin from different motions (restarts; docs/algorithm.md section 11)");
        static final ConfigKey OFFSET_WIDTH = ConfigKey.positive("offset_width", OpenLoopOffsets.none().width(),
                "either type: width in time steps of the Gaussian kernel that smooths that sequence");

        static final Variant LQR_KEYS = new Variant(LQR, List.of(LQR_INIT_VAR, INIT_GAINS, INIT_ACC, STIFFNESS,
                STIFFNESS_VEL, FINAL_WEIGHT, DT, OFFSET_STD, OFFSET_WIDTH));
        static final Variant PD_KEYS = new Variant(PD, List.of(PD_INIT_VAR, POS_GAINS, VEL_GAINS_MULT, OFFSET_STD,
                OFFSET_WIDTH));
        static final Section SECTION = new Section("initial_controller", List.of(TYPE), List.of(LQR_KEYS, PD_KEYS));

        /** A list of one value per action, or one for all; the default is {@code value} for every action. */
        private static ConfigKey perAction(String name, double value, String description) {
            return ConfigKey.list(name, List.of(value), description)
                    .documentedDefault("`" + ConfigKey.format(value) + "` per action");
        }

        private InitialController() {
        }
    }

    /** One term of {@code cost.terms} (or of a {@code cost.per_condition} entry's terms), by {@code type}. */
    static final class CostTerm {
        static final String STATE = "state";
        static final String ACTION = "action";
        static final String ENERGY = "energy";

        static final ConfigKey TYPE = ConfigKey.requiredChoice("type", List.of(STATE, ACTION, ENERGY),
                "the kind of term");
        static final ConfigKey WEIGHT = ConfigKey.nonNegative("weight", 1.0, "weight of the term in the sum");
        static final ConfigKey TARGET = perDimension("target", 0.0, "state dimension", "target state");
        static final ConfigKey STATE_WEIGHTS = perDimension("weights", 1.0, "state dimension",
                "per-dimension weights wp, each >= 0");
        static final ConfigKey RAMP = ConfigKey.choice("ramp", RampOption.CONSTANT,
                "time profile of the weights");
        static final ConfigKey WP_FINAL_MULTIPLIER = ConfigKey.nonNegative("wp_final_multiplier", 1.0,
                "multiplier at the final step");
        static final ConfigKey L1 = ConfigKey.nonNegative("l1", 0.0,
                "weight of the term sqrt(alpha + sum((wp * dist)^2))");
        static final ConfigKey L2 = ConfigKey.nonNegative("l2", 1.0,
                "weight of the term 0.5 * sum(wp * dist^2), dist = x_t - target");
        static final ConfigKey ALPHA = ConfigKey.positive("alpha", 1e-2, "smoothing inside the l1 term");
        static final ConfigKey ACTION_WEIGHTS = perDimension("weights", 1.0, "action", "per-action weights, each >= 0");
        static final ConfigKey QUADRATIC = perDimension("quadratic", 0.0, "state dimension",
                "coefficients q of the energy h(x) = 0.5 * sum(q * x^2) + sum(p * x)");
        static final ConfigKey LINEAR = perDimension("linear", 0.0, "state dimension",
                "coefficients p of the energy");
        static final ConfigKey LEVEL = ConfigKey.number("level", 0.0,
                "the energy to hold: the term is 0.5 * (h(x_t) - level)^2");

        static final Variant STATE_KEYS = new Variant(STATE, List.of(TARGET, STATE_WEIGHTS, RAMP, WP_FINAL_MULTIPLIER,
                L1, L2, ALPHA));
        static final Variant ACTION_KEYS = new Variant(ACTION, List.of(ACTION_WEIGHTS));
        static final Variant ENERGY_KEYS = new Variant(ENERGY, List.of(QUADRATIC, LINEAR, LEVEL));
        static final Section SECTION = new Section("cost term", List.of(TYPE, WEIGHT), List.of(STATE_KEYS,
                ACTION_KEYS, ENERGY_KEYS));

        /** A list of one value per dimension, or one for all; the default is {@code value} for every dimension. */
        private static ConfigKey perDimension(String name, double value, String dimension, String description) {
            return ConfigKey.list(name, List.of(value), description + "; one value per " + dimension + " (or one "
                    + "for all)").documentedDefault("`" + ConfigKey.format(value) + "` per " + dimension);
        }

        private CostTerm() {
        }
    }

    /** {@code trajopt}: the LQR C-step's dual search and step-size rule. */
    static final class TrajOpt {
        private static final TrajOptOptions D = TrajOptOptions.defaults();

        static final ConfigKey ACTION_LIMITS = ConfigKey.choice("action_limits", "none", List.of("none", "environment"),
                "`environment` plans within the box of actions the environment applies (Pendulum: the torque limit "
                        + "`max_torque`) and is refused for an environment without limits. See below");
        static final ConfigKey KL_STEP = ConfigKey.positive("kl_step", D.klStep(),
                "base KL step per time step; target of the dual search is kl_step * step_mult * T");
        static final ConfigKey MIN_ETA = ConfigKey.positive("min_eta", D.minEta(), "lower end of the eta bracket");
        static final ConfigKey MAX_ETA = ConfigKey.positive("max_eta", D.maxEta(), "upper end of the eta bracket")
                .documentedBound("> min_eta");
        static final ConfigKey DEL0 = ConfigKey.positive("del0", D.del0(),
                "first eta increment when Q_uu is not positive definite");
        static final ConfigKey MAX_ENT_TRAJ = ConfigKey.nonNegative("max_ent_traj", D.maxEntTraj(),
                "entropy weight omega of the surrogate cost. In per-step mode (`cons_per_step`, and PILQR's LQR part) "
                        + "each step's controller is the Gaussian proportional to "
                        + "pb^(eta_t / (eta_t + omega)) exp(-Q_t / (eta_t + omega)), which keeps its covariance from "
                        + "shrinking below omega Q_uu^-1 (the original has no entropy term in that mode; 0 gives its "
                        + "update, bit for bit)");
        static final ConfigKey CONS_PER_STEP = ConfigKey.flag("cons_per_step", D.consPerStep(),
                "one KL constraint per time step with its own eta");
        static final ConfigKey USE_PREV_DISTR = ConfigKey.flag("use_prev_distr", D.usePrevDistr(),
                "per-step mode only (needs `cons_per_step: true`): measure each step's KL under the reference "
                        + "controller's state marginals instead of the new controller's");
        static final ConfigKey MIN_STEP_MULT = ConfigKey.positive("min_step_mult", D.minStepMult(),
                "lower clip of the step multiplier");
        static final ConfigKey MAX_STEP_MULT = ConfigKey.positive("max_step_mult", D.maxStepMult(),
                "upper clip of the step multiplier").documentedBound(">= min_step_mult");
        static final ConfigKey MAX_ROUNDS = ConfigKey.integer("max_rounds", D.maxRounds(), 1,
                "rounds of the scalar dual search");
        static final ConfigKey STEP_SIZE = ConfigKey.choice("step_size", StepSizeScope.SHARED.configName(),
                List.of(StepSizeScope.configNames()),
                "MDGPS only: `shared`, one step multiplier for every condition from the improvements averaged over "
                        + "them (the original's rule); `per_condition`, each condition's multiplier from its own "
                        + "predicted and actual improvement. The other algorithms refuse the key: TrajOpt and BADMM always "
                        + "adjust each condition's own multiplier, PI2 and PILQR have rules of their own")
                .documentedBound("");

        /** PILQR's LQR part has one KL bound per step (the {@code pilqr} section) and refuses these. */
        static final List<ConfigKey> NOT_READ_BY_PILQR = List.of(KL_STEP, MIN_STEP_MULT, MAX_STEP_MULT, CONS_PER_STEP);

        static final Section SECTION = new Section("trajopt", List.of(ACTION_LIMITS, STEP_SIZE, KL_STEP, MIN_ETA,
                MAX_ETA, DEL0, MAX_ENT_TRAJ, CONS_PER_STEP, USE_PREV_DISTR, MIN_STEP_MULT, MAX_STEP_MULT, MAX_ROUNDS));

        private TrajOpt() {
        }
    }

    /** {@code dynamics}: the GMM prior and the per-step fits. */
    static final class Dynamics {
        // The seed is the run's and no key's default depends on it.
        private static final DynamicsOptions D = DynamicsOptions.defaults(0L);
        private static final GmmOptions EM = D.em();

        static final ConfigKey PRIOR = ConfigKey.choice("prior", D.sharedPrior() ? "shared" : "per_condition",
                List.of("per_condition", "shared"),
                "one GMM per condition (the original's), or one `shared` by all conditions");
        static final ConfigKey MAX_CLUSTERS = ConfigKey.integer("max_clusters", D.maxClusters(), 2,
                "upper bound on K");
        static final ConfigKey MIN_SAMPLES_PER_CLUSTER = ConfigKey.integer("min_samples_per_cluster",
                D.minSamplesPerCluster(), 1, "K = max(2, min(max_clusters, floor(points / this)))");
        static final ConfigKey MAX_SAMPLES = ConfigKey.integer("max_samples", D.maxSamples(), 2,
                "the prior's window: the last this-many trajectories per GMM, across iterations");
        static final ConfigKey STRENGTH = ConfigKey.positive("strength", D.strength(), "scales the prior's m and n0");
        static final ConfigKey REGULARIZATION = ConfigKey.nonNegative("regularization", D.regularization(),
                "added to the [x, u] diagonal of each per-step joint covariance");
        static final ConfigKey INITIAL_STATE_VAR = ConfigKey.nonNegative("initial_state_var", D.initialStateVar(),
                "floor of the x0 variances");
        static final ConfigKey EM_MAX_ITERATIONS = ConfigKey.integer("em_max_iterations", EM.maxIterations(), 1,
                "EM iterations at most");
        static final ConfigKey EM_TOLERANCE = ConfigKey.nonNegative("em_tolerance", EM.tolerance(),
                "stop when abs(LL - LL_prev) < tolerance abs(LL), LL per point");
        static final ConfigKey EM_WARM_START = ConfigKey.flag("em_warm_start", EM.warmStart(),
                "start EM from the previous iteration's GMM when K is unchanged");
        static final ConfigKey EM_INIT = ConfigKey.choice("em_init", EM.initialization().configName(),
                Arrays.asList(GmmOptions.Initialization.configNames()),
                "(on logged data: `gps fit-dynamics --em-init`, the same names; a bad one is refused naming the "
                        + "option and the four names) cold start of the run's GMMs (the dynamics prior's and, for "
                        + "MDGPS and BADMM, the policy linearization's): `auto` is `random_assignment` for a GMM of at "
                        + "most 3 D K points (3 D per cluster) and `sampled_means` above (until 2026-12-08 "
                        + "`sampled_means` for every GMM; docs/benchmarks.md, \"The EM start by default\"); "
                        + "`sampled_means`: k-means++ over 4K sampled points gives the means, every "
                        + "covariance the global one / K; `kmeans`: those means refined by up to 10 Lloyd passes over "
                        + "all points, masses from the final assignment (3-4x fewer EM iterations than "
                        + "`sampled_means` on per-condition windows, but 66 instead of 38 on the benchmark's shared "
                        + "one-million-point GMM, each pass a Spark job; it can isolate the few points of a tight "
                        + "stretch of steps as a cluster with a singular covariance); or the original's random "
                        + "assignment (`random_assignment`: the best held-out dynamics on linear systems, but with the "
                        + "corrected stopping rule it stalls with every cluster at the global mean on well-separated "
                        + "clusters of a few hundred points each, which `auto` avoids; see `GmmOptions`)");
        static final ConfigKey EM_IN_TASK_MAX_POINTS = ConfigKey.integer("em_in_task_max_points",
                Math.toIntExact(D.inTaskMaxPoints()), 0,
                "a GMM fitted on at most this many points runs its whole EM inside one Spark task (all such GMMs in "
                        + "one job); larger ones run one distributed pass per EM iteration (statistics on the "
                        + "executors, M-step on the driver); 0 makes every GMM distributed. The per-step fits follow "
                        + "the same limit: a fit set of at most this many rows is fitted in one task, without a shuffle");
        static final ConfigKey ACTION = ConfigKey.choice("action", D.action().configName(),
                Arrays.stream(DynamicsOptions.Action.values()).map(DynamicsOptions.Action::configName).toList(),
                "which action the GMM prior's points and the per-step fits take as u_t: `commanded`, the rollouts' "
                        + "`u` (what the controller or policy asked for; the original's choice), or `applied`, their "
                        + "`u_applied` (what the plant applied, the command clipped to the environment's limits). "
                        + "See below").documentedBound("");

        static final Section SECTION = new Section("dynamics", List.of(PRIOR, MAX_CLUSTERS, MIN_SAMPLES_PER_CLUSTER,
                MAX_SAMPLES, STRENGTH, REGULARIZATION, INITIAL_STATE_VAR, EM_MAX_ITERATIONS, EM_TOLERANCE,
                EM_WARM_START, EM_INIT, EM_IN_TASK_MAX_POINTS, ACTION));

        private Dynamics() {
        }
    }

    /** {@code pi2}: the PI2 update of the sample-based algorithms. */
    static final class Pi2 {
        private static final Pi2Options D = Pi2Options.defaults();

        static final ConfigKey KL_THRESHOLD = ConfigKey.positive("kl_threshold", D.klThreshold(),
                "the KL bound, in nats, of each step's sample weights from uniform. The weights of N samples are "
                        + "never more than log N from uniform, so a bound at or above it would never bind: every "
                        + "step would take `min_temperature`, the weights would single out one sample and the "
                        + "covariance would collapse in one iteration (the original allows it; here it is refused)")
                .documentedBound("> 0 and below log N (N = `samples`)");
        static final ConfigKey COVARIANCE_DAMPING = ConfigKey.nonNegative("covariance_damping", D.covarianceDamping(),
                "d: the new covariance is the old one times gamma^(1/d), gamma the weighted spread of the samples in "
                        + "units of the old covariance; 0: the weighted sample covariance itself");
        static final ConfigKey MIN_TEMPERATURE = ConfigKey.positive("min_temperature", D.minTemperature(),
                "the lowest temperature, in cost units").documentedBound("> 0 and below "
                + ConfigKey.format(Pi2Update.MAX_TEMPERATURE));
        static final ConfigKey DEL0 = ConfigKey.positive("del0", D.del0(),
                "first temperature increment at a step whose covariance comes out not positive definite; it doubles "
                        + "after each further failure, for that step alone");

        static final Section SECTION = new Section("pi2", List.of(KL_THRESHOLD, COVARIANCE_DAMPING, MIN_TEMPERATURE,
                DEL0));

        private Pi2() {
        }
    }

    /** {@code pilqr}: PILQR's per-step KL steps, step rule and model replay. */
    static final class Pilqr {
        private static final PilqrOptions D = PilqrOptions.defaults();

        static final ConfigKey KL_STEP = ConfigKey.ramp("kl_step", D.klStep(),
                "KL step of each time step: the LQR part's target at step t is kl_step_t * step_mult_t");
        static final ConfigKey MAX_STEP_MULT = ConfigKey.ramp("max_step_mult", D.maxStepMult(),
                "upper bound of step_mult_t");
        static final ConfigKey MIN_STEP_MULT = ConfigKey.ramp("min_step_mult", D.minStepMult(),
                "lower bound of step_mult_t").documentedBound("> 0, at most max_step_mult at both ends");
        static final ConfigKey STEP_RULE = ConfigKey.choice("step_rule", D.stepRule(),
                "`res_percent`: step_mult_t follows the residual's share as above; `const`: step_mult_t stays 1")
                .documentedBound("");
        static final ConfigKey STEP_RULE_RES_RATIO_DEC = ConfigKey.nonNegative("step_rule_res_ratio_dec",
                D.resRatioDec(), "share above which step_mult_t halves");
        static final ConfigKey STEP_RULE_RES_RATIO_INC = ConfigKey.nonNegative("step_rule_res_ratio_inc",
                D.resRatioInc(), "share below which step_mult_t doubles").documentedBound(">= 0, at most the above");
        static final ConfigKey PI2_TEMPERATURE_FROM = ConfigKey.choice("pi2_temperature_from", D.pi2TemperatureFrom(),
                "`cost`: the temperatures come from the full sampled cost, so a residual that is small against the "
                        + "cost's spread moves the controller little; `residual`: from the residual the weights use "
                        + "(their KL is then bounded by `kl_threshold`)").documentedBound("");
        static final ConfigKey REPLAY_START = ConfigKey.choice("replay_start", D.replayStart(),
                "`model_mean`: every replay starts at the fitted initial-state mean (the spread of the starts counts "
                        + "as residual); `sample`: at the sample's own x_0").documentedBound("");

        static final Section SECTION = new Section("pilqr", List.of(KL_STEP, MAX_STEP_MULT, MIN_STEP_MULT, STEP_RULE,
                STEP_RULE_RES_RATIO_DEC, STEP_RULE_RES_RATIO_INC, PI2_TEMPERATURE_FROM, REPLAY_START));

        private Pilqr() {
        }
    }

    /** {@code policy}: the neural policy, its prior, its scoring and BADMM's settings. */
    static final class Policy {
        // Neither the run's seed nor the evaluation horizon is any key's declared default.
        private static final PolicyOptions D = PolicyOptions.defaults(0L, 1);
        private static final DynamicsOptions PRIOR = D.prior();
        private static final PolicyOptions.Badmm BADMM = D.badmm();
        /** Gym scores Pendulum over 200-step episodes whatever horizon the controllers are trained on. */
        static final int PENDULUM_EVAL_HORIZON = 200;

        static final ConfigKey HIDDEN = ConfigKey.list("hidden", Arrays.stream(D.hidden()).boxed().toList(),
                "hidden layer widths of the MLP (ReLU)").documentedBound("whole numbers from 1 to "
                + ConfigBounds.MAX_HIDDEN_UNITS);
        static final ConfigKey TRAIN_ITERATIONS = ConfigKey.integer("train_iterations", D.trainIterations(), 1,
                "L-BFGS iterations per S-step (Breeze's L-BFGS, run as MLlib's `LBFGS.runLBFGS` runs it)");
        static final ConfigKey TRAINING = ConfigKey.choice("training", D.training().configName(),
                List.of(PolicyOptions.Training.configNames()),
                "where L-BFGS evaluates the loss and gradient: `local` in the driver, over the targets built "
                        + "there once from the samples it gathers (one Spark job for the whole S-step, two for a run's "
                        + "first; none per evaluation); `distributed` on the executors, one Spark "
                        + "job per evaluation (MLlib's `LBFGS.runLBFGS`); `auto` local when targets x network "
                        + "parameters is below 10^8 and the targets fit the cap below, else distributed (Pendulum's "
                        + "S-step, 4,000 to 12,000 targets x 4,481 parameters, trains locally). Both run the same "
                        + "L-BFGS on the same objective: on the S-step's two sorted partitions they compute the same "
                        + "doubles when `l2` is 0; with `l2` > 0 the last bits of the penalty's gradient differ "
                        + "(MLlib's BLAS fuses multiply and add) and results drift apart by about 1e-6. `local` is "
                        + "refused (exit 2) when the S-step's targets, up to M x N x T x (`replay_iterations` + 1) of "
                        + "dO + dU + dU^2 + 1 numbers each, exceed 2^24 numbers (128 MiB); `auto` then trains "
                        + "distributed");
        static final ConfigKey TRAIN_TOLERANCE = ConfigKey.nonNegative("train_tolerance", D.trainTolerance(),
                "MLlib's relative convergence tolerance");
        static final ConfigKey L2 = ConfigKey.nonNegative("l2", D.l2(), "L2 penalty on the network's parameters");
        static final ConfigKey INIT_POL_WT = ConfigKey.positive("init_pol_wt", D.initPolWt(),
                "initial target weight w_t (MDGPS keeps it; BADMM adapts it)");
        static final ConfigKey SAMPLE_ON_POLICY = ConfigKey.flag("sample_on_policy", D.sampleOnPolicy(),
                "MDGPS: from iteration 1 on, the policy (with its noise) draws the samples");
        static final ConfigKey REPLAY_ITERATIONS = ConfigKey.integer("replay_iterations", D.replayIterations(), 0,
                "MDGPS: the S-step of iteration I also trains on the samples of iterations I-r..I-1, each towards "
                        + "the controllers its own C-step produced (iteration j's samples towards iteration j+1's "
                        + "controllers); 0 trains on iteration I's samples only, as the original does. BADMM refuses "
                        + "it (its targets carry that iteration's multipliers)");
        static final ConfigKey EVAL_EPISODES = ConfigKey.integer("eval_episodes", D.evalEpisodes(), 1,
                "episodes the policy is scored by after each S-step, each from a start of the environment's "
                        + "start distribution (Gym's for Pendulum; the conditions' starts in turn for an environment "
                        + "without one)");
        static final ConfigKey EVAL_STARTS = ConfigKey.choice("eval_starts", D.evalStarts().configName(),
                List.of(PolicyOptions.EvalStarts.configNames()),
                "where the scoring episodes start in the start distribution: `even`, points spread evenly over it "
                        + "(an additive recurrence in the unit square for Pendulum's th and thdot, shifted by the "
                        + "iteration's seed; every start is still a draw of the distribution), so the mean return "
                        + "estimates the policy's expected return with much less noise than as many independent "
                        + "starts and the run publishes the policy that is best rather than the one whose starts "
                        + "were easiest; `random`, independent draws (the score's rule before `even`)")
                .documentedBound("");
        static final ConfigKey EVAL_HORIZON = ConfigKey.integer("eval_horizon", PENDULUM_EVAL_HORIZON, 1,
                "steps per scoring episode").documentedDefault("`" + PENDULUM_EVAL_HORIZON
                + "` for pendulum, else `horizon`").documentedBound("from 1 to " + ConfigBounds.MAX_HORIZON);
        static final ConfigKey PRIOR_MAX_CLUSTERS = ConfigKey.integer("prior_max_clusters", PRIOR.maxClusters(), 2,
                "the policy prior's GMM ([algorithm.md](algorithm.md) section 9)");
        static final ConfigKey PRIOR_MIN_SAMPLES_PER_CLUSTER = ConfigKey.integer("prior_min_samples_per_cluster",
                PRIOR.minSamplesPerCluster(), 1, "K = max(2, min(max_clusters, floor(points / this)))");
        static final ConfigKey PRIOR_MAX_SAMPLES = ConfigKey.integer("prior_max_samples", PRIOR.maxSamples(), 2,
                "the policy prior's window: last trajectories per condition, across iterations");
        static final ConfigKey PRIOR_STRENGTH = ConfigKey.positive("prior_strength", PRIOR.strength(),
                "scales the prior's m and n0");
        static final ConfigKey INNER_ITERATIONS = ConfigKey.integer("inner_iterations", BADMM.innerIterations(), 1,
                "BADMM: C-step / S-step alternations per iteration");
        static final ConfigKey POLICY_DUAL_RATE = ConfigKey.nonNegative("policy_dual_rate", BADMM.policyDualRate(),
                "BADMM: step of lambda_k");
        static final ConfigKey POLICY_DUAL_RATE_COVAR = ConfigKey.nonNegative("policy_dual_rate_covar",
                BADMM.policyDualRateCovar(), "BADMM: step of lambda_K");
        static final ConfigKey LG_STEP = ConfigKey.nonNegative("lg_step", BADMM.lgStep(),
                "BADMM: weight step, w_t += lg_step * KL_t (rule `kl`)");
        static final ConfigKey WEIGHT_RULE = ConfigKey.choice("weight_rule", BADMM.weightRule(), List.of("kl", "exp"),
                "BADMM, after each iteration's inner loop: `exp` (times `exp_step_increase` where KL_t is at or above "
                        + "mean + `exp_step_upper` std, times `exp_step_decrease` where it is below mean - "
                        + "`exp_step_lower` std; from iteration 1 on, iteration 0 keeps `init_pol_wt`; the rule of the "
                        + "original's BADMM examples) or `kl` (w_t += `lg_step` * KL_t, the original's default; with "
                        + "the C-step's KL step of about `kl_step` per time step this lifts the weights to tens or "
                        + "more in one iteration, the policy term then outweighs the cost and the controllers stop "
                        + "improving: on Pendulum BADMM did not learn with it)").documentedBound("");
        static final ConfigKey EXP_STEP_INCREASE = ConfigKey.positive("exp_step_increase", BADMM.expStepIncrease(),
                "BADMM, rule `exp`: factor of the weights where KL_t is high");
        static final ConfigKey EXP_STEP_DECREASE = ConfigKey.positive("exp_step_decrease", BADMM.expStepDecrease(),
                "BADMM, rule `exp`: factor of the weights where KL_t is low");
        static final ConfigKey EXP_STEP_UPPER = ConfigKey.nonNegative("exp_step_upper", BADMM.expStepUpper(),
                "BADMM, rule `exp`: KL_t is high at or above its mean + this many standard deviations");
        static final ConfigKey EXP_STEP_LOWER = ConfigKey.nonNegative("exp_step_lower", BADMM.expStepLower(),
                "BADMM, rule `exp`: KL_t is low below its mean - this many standard deviations");

        static final Section SECTION = new Section("policy", List.of(HIDDEN, TRAIN_ITERATIONS, TRAIN_TOLERANCE, L2,
                INIT_POL_WT, SAMPLE_ON_POLICY, REPLAY_ITERATIONS, TRAINING, EVAL_EPISODES, EVAL_STARTS, EVAL_HORIZON,
                PRIOR_MAX_CLUSTERS, PRIOR_MIN_SAMPLES_PER_CLUSTER, PRIOR_MAX_SAMPLES, PRIOR_STRENGTH, INNER_ITERATIONS,
                POLICY_DUAL_RATE, POLICY_DUAL_RATE_COVAR, LG_STEP, WEIGHT_RULE, EXP_STEP_INCREASE, EXP_STEP_DECREASE,
                EXP_STEP_UPPER, EXP_STEP_LOWER));

        private Policy() {
        }
    }

    /** Every declared key, section by section, as {@code gps config-keys} prints it. */
    static String help() {
        StringBuilder sb = new StringBuilder();
        for (Section s : documented()) {
            sb.append(s == TopLevel.SECTION ? "top level" : s == CostTerm.SECTION ? "cost terms" : s.name()).append(":\n");
            s.keys().forEach(k -> sb.append(k.helpLine()).append('\n'));
            for (Variant v : s.variants()) {
                sb.append("  with type ").append(v.type()).append(":\n");
                v.keys().forEach(k -> sb.append("  ").append(k.helpLine()).append('\n'));
            }
        }
        return sb.toString();
    }

    /** Every section whose table docs/formats.md holds, by name. */
    static List<Section> documented() {
        return List.of(TopLevel.SECTION, InitialController.SECTION, CostTerm.SECTION, Dynamics.SECTION,
                TrajOpt.SECTION, Pi2.SECTION, Pilqr.SECTION, Policy.SECTION);
    }
}
