package org.gps.core.policy;

import org.gps.core.dynamics.DynamicsOptions;

import java.io.Serializable;

/**
 * Settings of the neural policy and of the algorithms that train one (docs/algorithm.md sections 8-10),
 * with the original's defaults.
 *
 * @param hidden            hidden layer widths of the MLP (default two of 64 ReLU units)
 * @param trainIterations   L-BFGS iterations per S-step (the original runs thousands of Adam steps)
 * @param trainTolerance    MLlib's relative convergence tolerance of L-BFGS
 * @param l2                L2 penalty on the network's parameters (0: none)
 * @param initPolWt         initial target weight w_t ({@code init_pol_wt}); MDGPS keeps it
 * @param sampleOnPolicy    from the second iteration on, draw the samples from the neural policy
 *                          instead of the linear-Gaussian controllers (MDGPS)
 * @param prior             the policy prior's GMM and per-step fits (section 9): max_clusters 50,
 *                          min_samples_per_cluster 20, max_samples 20, strength 1
 * @param evalEpisodes      episodes when the policy is scored after each S-step
 * @param evalHorizon       steps per scoring episode (Gym's 200 for Pendulum)
 * @param badmm             BADMM's dual-variable and weight-adaptation settings (section 10)
 * @param replayIterations  MDGPS: the S-step of iteration I also trains on the samples of the
 *                          iterations I-r..I-1, each towards the controllers its own C-step produced
 *                          (0, the default: iteration I's samples only)
 * @param training          where the S-step's L-BFGS evaluates its loss and gradient ({@link Training})
 * @param evalStarts        how the scoring episodes' starts are placed in the start distribution ({@link EvalStarts})
 */
public record PolicyOptions(int[] hidden, int trainIterations, double trainTolerance, double l2, double initPolWt,
                            boolean sampleOnPolicy, DynamicsOptions prior, int evalEpisodes, int evalHorizon,
                            Badmm badmm, int replayIterations, Training training, EvalStarts evalStarts)
        implements Serializable {
    /** Ridge on the x block of the policy linearization's first step only, where x barely varies. */
    public static final double FIRST_STEP_RIDGE = 1e-8;

    public PolicyOptions {
        hidden = hidden.clone();
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException("hidden layer widths must be >= 1");
            }
        }
        if (trainIterations < 1 || !(initPolWt > 0) || evalEpisodes < 1 || evalHorizon < 1 || replayIterations < 0) {
            throw new IllegalArgumentException("need train_iterations >= 1, init_pol_wt > 0, eval_episodes >= 1, "
                    + "eval_horizon >= 1, replay_iterations >= 0");
        }
        java.util.Objects.requireNonNull(training, "training");
        java.util.Objects.requireNonNull(evalStarts, "evalStarts");
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /** Layer sizes of the network for dO observations and dU actions. */
    public int[] layerSizes(int dO, int dU) {
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = dO;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = dU;
        return sizes;
    }

    public static DynamicsOptions defaultPrior(long seed) {
        DynamicsOptions d = DynamicsOptions.defaults(seed);
        return new DynamicsOptions(false, 50, 20, 20, 1.0, 0.0, d.initialStateVar(), d.em());
    }

    public static PolicyOptions defaults(long seed, int evalHorizon) {
        return new PolicyOptions(new int[] {64, 64}, 200, 1e-9, 0.0, 0.01, false, defaultPrior(seed), 100,
                evalHorizon, Badmm.defaults(), 0, Training.AUTO, EvalStarts.EVEN);
    }

    /**
     * Where the starts of the episodes that score the policy after each S-step lie in the
     * environment's start distribution. {@code even} (the default): points spread evenly over it
     * ({@link org.gps.core.random.KroneckerPoints}, shifted by the iteration's seed), so the score
     * estimates the policy's expected return with far less noise than as many independent starts,
     * and the published policy is chosen on its merit rather than on the luck of its starts.
     * {@code random}: independent draws. Environments without a start distribution start the
     * episodes from the conditions either way.
     */
    public enum EvalStarts {
        EVEN, RANDOM;

        public String configName() {
            return org.gps.core.ConfigNames.of(this);
        }

        public static String[] configNames() {
            return org.gps.core.ConfigNames.all(EvalStarts.class);
        }

        /** The value named {@code name} ({@link #configName()}); IllegalArgumentException for any other. */
        public static EvalStarts fromConfigName(String name) {
            return org.gps.core.ConfigNames.parse(EvalStarts.class, name);
        }
    }

    /**
     * Where the S-step's L-BFGS evaluates the loss and gradient over its targets: {@code local} in
     * the driver, over targets gathered there once, with no Spark job per evaluation;
     * {@code distributed} on the executors, one Spark job per evaluation (MLlib's
     * {@code LBFGS.runLBFGS}); {@code auto} (the default) local when the S-step is small, targets x
     * parameters below {@link #AUTO_LOCAL_BELOW}, and its targets fit {@link #LOCAL_CAP_DOUBLES}.
     * Both minimise the same objective with the same L-BFGS; {@code local} is refused above the cap.
     */
    public enum Training {
        AUTO, LOCAL, DISTRIBUTED;

        /**
         * Targets x network parameters below which {@code auto} trains in the driver. One evaluation
         * costs about 0.8 ns per target and parameter on one core (docs/benchmarks.md), so at the limit
         * about 0.08 s, where a Spark job per evaluation still adds about a third; above it the job's
         * overhead matters less than keeping the driver free and the targets where they are.
         */
        public static final long AUTO_LOCAL_BELOW = 100_000_000L;

        /**
         * Numbers (2^24 doubles, 128 MiB) the driver gathers at most for local training: a bound
         * that stays well inside the driver's heap and Spark's 1 GiB {@code spark.driver.maxResultSize}.
         */
        public static final long LOCAL_CAP_DOUBLES = 1L << 24;

        public String configName() {
            return org.gps.core.ConfigNames.of(this);
        }

        /** Every {@link #configName()}, in declaration order. */
        public static String[] configNames() {
            return org.gps.core.ConfigNames.all(Training.class);
        }

        /** The value named {@code name} ({@link #configName()}); IllegalArgumentException for any other. */
        public static Training fromConfigName(String name) {
            return org.gps.core.ConfigNames.parse(Training.class, name);
        }

        /** Numbers one target holds once gathered: observation, mean, precision (dU x dU) and weight. */
        public static long doublesPerTarget(int observationDim, int actionDim) {
            return (long) observationDim + actionDim + (long) actionDim * actionDim + 1;
        }

        /** Whether {@code targets} targets of {@code doublesPerTarget} numbers exceed {@link #LOCAL_CAP_DOUBLES}. */
        public static boolean exceedsCap(long targets, long doublesPerTarget) {
            return (double) targets * doublesPerTarget > LOCAL_CAP_DOUBLES;
        }

        /**
         * Whether an S-step of {@code targets} targets and a network of {@code parameters} trains in
         * the driver. {@code local} above the cap is the caller's to refuse ({@link #exceedsCap}):
         * this answers only where training would run.
         */
        public boolean runsLocally(long targets, long parameters, long doublesPerTarget) {
            return switch (this) {
                case LOCAL -> true;
                case DISTRIBUTED -> false;
                case AUTO -> (double) targets * parameters < AUTO_LOCAL_BELOW && !exceedsCap(targets, doublesPerTarget);
            };
        }
    }

    /**
     * BADMM (docs/algorithm.md section 10, the original's AlgorithmBADMM defaults).
     *
     * @param innerIterations      C-step / S-step alternations per iteration
     * @param policyDualRate       step of the mean dual variables lambda_k
     * @param policyDualRateCovar  step of the gain dual variables lambda_K
     * @param lgStep               step of the weight update on the KL (the original's lg_step_schedule)
     * @param weightRule           how the policy weights adapt: "exp" (times exp_step_increase /
     *                             decrease against the KLs' spread, from the second iteration on; the
     *                             default) or "kl" (w_t += lg_step KL_t)
     */
    public record Badmm(int innerIterations, double policyDualRate, double policyDualRateCovar, double lgStep,
                        String weightRule, double expStepIncrease, double expStepDecrease, double expStepUpper,
                        double expStepLower) implements Serializable {
        /**
         * The original's constants, with the multiplicative weight rule its BADMM examples all use
         * rather than its additive default: the C-step's KL step puts the controller-policy KL at
         * about kl_step per time step, so w_t += 10 KL_t lifts weights from 0.01 to tens or
         * thousands in one iteration, after which the policy term outweighs the cost and the
         * controllers copy the policy instead of improving (seen on Pendulum).
         */
        public static Badmm defaults() {
            return new Badmm(4, 0.1, 0.0, 10.0, "exp", 2.0, 0.5, 0.5, 1.0);
        }
    }
}
