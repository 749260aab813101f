package org.gps.pipeline.steps;

import org.gps.core.env.Environment;
import org.gps.io.RolloutRules;
import org.gps.pipeline.config.ExperimentConfig;

/** The row check for a run's own rollouts: the rollout schema's rules, with dX, dU and dO fixed by the run's environment. */
final class RunRollouts {
    private RunRollouts() {
    }

    static RolloutRules.RowCheck check(String dataset, ExperimentConfig config) {
        Environment env = config.environment().create();
        return new RolloutRules.RowCheck(dataset, env.stateDim(), env.actionDim(), env.observationDim());
    }
}
