package org.gps.pipeline.config;

import org.gps.core.ConfigNames;

/**
 * Which conditions one MDGPS step multiplier serves ({@code trajopt.step_size}). The rule is the
 * same (docs/algorithm.md section 7); what differs is over what its estimates are taken. TrajOpt
 * and BADMM always adjust each condition's multiplier on its own.
 */
public enum StepSizeScope {
    /**
     * One multiplier for every condition, from the predicted and actual improvements averaged over
     * the conditions: the original's MDGPS rule.
     */
    SHARED,
    /**
     * Each condition's multiplier from its own predicted and actual improvement: a condition whose
     * controllers the policy follows keeps a large step while one whose policy fails to follow shrinks
     * its own, instead of all moving with the average.
     */
    PER_CONDITION;

    /** The value's name in configs. */
    public String configName() {
        return ConfigNames.of(this);
    }

    public static String[] configNames() {
        return ConfigNames.all(StepSizeScope.class);
    }
}
