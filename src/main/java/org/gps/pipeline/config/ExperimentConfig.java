package org.gps.pipeline.config;

import org.gps.core.policy.PolicyOptions;

import org.gps.core.control.TrajOptOptions;
import org.gps.core.cost.CostFunction;
import org.gps.core.env.EnvironmentSpec;

import org.gps.core.dynamics.DynamicsOptions;

import java.io.Serializable;
import java.util.List;

/**
 * A validated experiment: everything a run needs, with every default filled in (docs/algorithm.md).
 * Keys in the YAML/JSON file are the snake_case names of these components; the run directory
 * keeps the resolved form so that later steps need no config (docs/architecture.md, job contract).
 *
 * @param noise        how each rollout's exploration noise is drawn ({@code noise_smoothing})
 * @param conditions   initial states x0, one per condition, already in the environment's state form
 * @param costs        the cost of each condition (docs/algorithm.md section 2)
 * @param trajopt      C-step and step-size options (sections 6, 7)
 * @param stepSize     MDGPS: whether one step multiplier serves every condition ({@code trajopt.step_size})
 * @param dynamics     GMM prior and per-step fit options (sections 3-5); its EM seed is the run's
 * @param policy       the neural policy's options (sections 8-10); null for trajopt
 * @param pi2          the PI2 update's options; null unless the C-step is PI2 or PILQR
 * @param pilqr        PILQR's step rule and replay options; null unless the C-step is PILQR
 * @param resolvedJson the config as read, with every default filled in: what a run directory freezes
 */
public record ExperimentConfig(
        String name,
        long seed,
        Algorithm algorithm,
        int iterations,
        int horizon,
        int samples,
        org.gps.core.sample.ExplorationNoise noise,
        EnvironmentSpec environment,
        List<double[]> conditions,
        InitialControllerSpec initialController,
        List<CostFunction> costs,
        TrajOptOptions trajopt,
        org.gps.core.control.ActionBounds actionLimits,
        StepSizeScope stepSize,
        DynamicsOptions dynamics,
        PolicyOptions policy,
        org.gps.core.control.Pi2Options pi2,
        org.gps.core.control.PilqrOptions pilqr,
        String resolvedJson) implements Serializable {

    public boolean trainsPolicy() {
        return policy != null;
    }

    public int conditionCount() {
        return conditions.size();
    }
}
