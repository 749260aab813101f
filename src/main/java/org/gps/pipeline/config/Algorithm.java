package org.gps.pipeline.config;

import java.util.Arrays;
import java.util.List;

/**
 * The algorithm a run follows ({@code algorithm:} in the config): which trajectory optimiser makes
 * the C-step, what it stays close to, and whether a neural policy is trained. One place answers
 * these questions; the steps ask it instead of comparing names.
 */
public enum Algorithm {
    /** Linear-Gaussian controllers only, each optimised by LQR against the one that sampled. */
    TRAJOPT("trajopt", CStep.LQR, false),
    /** Mirror-descent GPS: LQR steps towards the linearized policy, then supervised learning. */
    MDGPS("mdgps", CStep.LQR, true),
    /** Bregman-ADMM GPS: LQR steps with Lagrange multipliers tying controllers and policy. */
    BADMM("badmm", CStep.LQR, true),
    /** Controllers only, each updated by the model-free path-integral step from its samples. */
    TRAJOPT_PI2("trajopt_pi2", CStep.PI2, false),
    /** Controllers only, each updated by LQR on the fitted models plus PI2 on what they miss. */
    TRAJOPT_PILQR("trajopt_pilqr", CStep.PILQR, false),
    /** Mirror-descent GPS with the PILQR C-step towards the linearized policy. */
    MDGPS_PILQR("mdgps_pilqr", CStep.PILQR, true),
    /** Mirror-descent GPS whose C-step is PI2 from the linearized policy, with no models (PIGPS). */
    MDGPS_PI2("mdgps_pi2", CStep.PI2, true);

    /** How the C-step turns samples (and models) into new controllers. */
    public enum CStep {
        /** KL-constrained LQR on the fitted models. */
        LQR,
        /** Path-integral reweighting of the samples; needs no models. */
        PI2,
        /** LQR with one KL bound per step, corrected by PI2 on the residual cost. */
        PILQR
    }

    private final String configName;
    private final CStep cStep;
    private final boolean trainsPolicy;

    Algorithm(String configName, CStep cStep, boolean trainsPolicy) {
        this.configName = configName;
        this.cStep = cStep;
        this.trainsPolicy = trainsPolicy;
    }

    /** The name in configs, run directories and logs. */
    public String configName() {
        return configName;
    }

    public CStep cStep() {
        return cStep;
    }

    /** Whether the run trains a neural policy (S-step, scoring, published policy). */
    public boolean trainsPolicy() {
        return trainsPolicy;
    }

    /**
     * Whether the C-step stays close to the policy linearized around the samples (mirror descent)
     * rather than to the controller that drew them.
     */
    public boolean followsPolicy() {
        return this == MDGPS || this == MDGPS_PILQR || this == MDGPS_PI2;
    }

    /** The config names, in declaration order. */
    public static List<String> names() {
        return Arrays.stream(values()).map(Algorithm::configName).toList();
    }

    /** The algorithm of a config name; IllegalArgumentException naming the choices otherwise. */
    public static Algorithm of(String configName) {
        for (Algorithm a : values()) {
            if (a.configName.equals(configName)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown algorithm '" + configName + "'; expected one of "
                + String.join(", ", names()));
    }

    @Override
    public String toString() {
        return configName;
    }
}
