package org.gps.pipeline.steps;

import org.apache.spark.sql.SparkSession;
import org.gps.core.control.LaplaceCost;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.control.StepSizeRule;
import org.gps.core.control.StepSizeUpdate;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.control.TrajectoryModel;
import org.gps.core.policy.Policy;
import org.gps.core.random.Seeds;
import org.gps.io.AtomicOutput;
import org.gps.io.FiniteNumbers;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.pipeline.config.StepSizeScope;
import org.gps.spark.DynamicsFitting;
import org.gps.spark.PolicyLinearization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;

/**
 * The MDGPS parts of the C-step job (docs/algorithm.md sections 7 and 9): the policy linearization
 * that the C-step stays close to (BADMM's C-step job uses it too), and the step-size rule over the
 * conditions.
 */
final class MdgpsSteps {
    private static final Logger LOG = LoggerFactory.getLogger(MdgpsSteps.class);

    private MdgpsSteps() {
    }

    /**
     * Iteration I's policy linearization, computed and published unless already complete. At I = 0
     * the policy is first caught up to the initial controllers (an S-step on iteration 0's samples),
     * as the original does, so the first C-step has a linearization to stay close to.
     */
    static Map<Integer, LinearGaussianController> linearization(SparkSession spark, RunDirectory run,
                                                               ExperimentConfig config, int iteration) {
        if (AtomicOutput.isComplete(run.hadoopConf(), run.policyLinearization(iteration).toString())) {
            return PolicyOutputs.readLinearization(spark, run, iteration);
        }
        if (iteration == 0 && !PolicyOutputs.exists(run, run.policyInitial())) {
            Policy initial = TrainPolicyStep.train(spark, run, config, 0, ControllerOutputs.read(spark, run, 0),
                    TrainPolicyStep.uniformWeights(config), null, Seeds.derive(config.seed(), "policy-initial"));
            PolicyOutputs.writePolicy(run, run.policyInitial(), initial);
        }
        Policy policy = PolicyOutputs.policyBefore(run, iteration);
        long start = System.nanoTime();
        PolicyLinearization.Result lin = PolicyLinearization.fit(
                RolloutTrajectories.of(spark, run, DynamicsOutputs.windowIterations(iteration,
                        config.policy().prior().maxSamples(), config.samples()), config,
                        run.rollouts(iteration).toString()),
                DynamicsFitting.CurrentSet.iteration(iteration), policy, config.policy().prior(),
                Seeds.derive(config.seed(), "policy-prior", iteration));
        PolicyOutputs.writeLinearization(spark, run, iteration, lin.controllers());
        LOG.info("iteration {}: policy linearized in {} ms (relative rmse by condition {})", iteration,
                (System.nanoTime() - start) / 1_000_000, relativeByCondition(lin.relativeRmse()));
        return lin.controllers();
    }

    /**
     * MDGPS's 'laplace' rule (docs/algorithm.md section 7): with prev = the linearization that generated
     * the previous samples, new = the controllers of the last C-step, cur = the current
     * linearization, predicted = L(prev, prev model) - L(new, prev model) and actual =
     * L(prev, prev model) - L(cur, cur model). {@code shared}: each averaged over the conditions, one
     * step size from {@code stepMults}' first entry serves every condition; {@code per_condition}:
     * each condition's own estimates update its own multiplier.
     */
    static Map<Integer, StepSizeUpdate> stepSizes(Map<Integer, LinearGaussianController> prevLinearization,
                                                  Map<Integer, TrajectoryModel> prevModels,
                                                  Map<Integer, LinearGaussianController> lastControllers,
                                                  Map<Integer, LinearGaussianController> curLinearization,
                                                  Map<Integer, TrajectoryModel> curModels,
                                                  Map<Integer, Double> stepMults, StepSizeScope scope,
                                                  TrajOptOptions options) {
        Map<Integer, StepSizeUpdate> updates = new TreeMap<>();
        if (scope == StepSizeScope.PER_CONDITION) {
            for (int c : prevModels.keySet()) {
                double prev = LaplaceCost.estimate(prevModels.get(c), prevLinearization.get(c));
                double predicted = LaplaceCost.estimate(prevModels.get(c), lastControllers.get(c));
                double cur = LaplaceCost.estimate(curModels.get(c), curLinearization.get(c));
                updates.put(c, StepSizeRule.update(prev - predicted, prev - cur, stepMults.get(c), options));
            }
            return updates;
        }
        double prevLaplace = 0;
        double prevPredicted = 0;
        double curLaplace = 0;
        int m = prevModels.size();
        for (int c : prevModels.keySet()) {
            prevLaplace += LaplaceCost.estimate(prevModels.get(c), prevLinearization.get(c)) / m;
            prevPredicted += LaplaceCost.estimate(prevModels.get(c), lastControllers.get(c)) / m;
            curLaplace += LaplaceCost.estimate(curModels.get(c), curLinearization.get(c)) / m;
        }
        StepSizeUpdate shared = StepSizeRule.update(prevLaplace - prevPredicted, prevLaplace - curLaplace,
                stepMults.values().iterator().next(), options);
        for (int c : prevModels.keySet()) {
            updates.put(c, shared);
        }
        return updates;
    }

    private static String relativeByCondition(Map<Integer, Double> relative) {
        return new java.util.TreeMap<>(relative).entrySet().stream()
                .map(e -> e.getKey() + "=" + FiniteNumbers.text("%.4g", e.getValue()))
                .collect(java.util.stream.Collectors.joining(", ", "{", "}"));
    }
}
