package org.gps.pipeline.steps;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.gps.core.control.BadmmDuals;
import org.gps.core.control.ControllerKL;
import org.gps.core.control.LaplaceCost;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.control.StateActionMarginals;
import org.gps.core.control.StepSizeRule;
import org.gps.core.control.StepSizeUpdate;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.control.TrajOptResult;
import org.gps.core.control.TrajectoryModel;
import org.gps.core.policy.Policy;
import org.gps.core.policy.PolicyOptions;
import org.gps.core.random.Seeds;
import org.gps.core.sample.Trajectory;
import org.gps.io.AtomicOutput;
import org.gps.io.BadmmDualsStore;
import org.gps.io.RolloutReader;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.io.PhaseProfile;
import org.gps.spark.DistributedTrajOpt;
import org.gps.spark.PolicyLinearization;
import org.gps.spark.PolicyUpdate;
import org.gps.spark.TrajectoryGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;

/**
 * The BADMM parts of the C-step job (docs/algorithm.md section 10, after the original's AlgorithmBADMM):
 * the step size with the policy's KL terms, and the inner loop of C-steps, S-steps and dual steps.
 *
 * <p>Where this differs from the original, on purpose: the S-step that opens each of the
 * original's iterations (inner loop 0) is the previous iteration's {@code train-policy} job here,
 * so it trains on the samples that were current when those controllers were made rather than on
 * the next iteration's; iteration 0 starts from the policy caught up to the initial controllers
 * (as MDGPS does) rather than an untrained network; and the KL that adapts the policy weights is
 * the C-step's Laplace KL between controller and policy linearization under the fitted model
 * rather than a sample estimate.
 */
final class BadmmSteps {
    private static final Logger LOG = LoggerFactory.getLogger(BadmmSteps.class);

    private BadmmSteps() {
    }

    /** The duals the iteration starts from: the last iteration's, or zeros and init_pol_wt. */
    static Map<Integer, BadmmDuals> startingDuals(SparkSession spark, RunDirectory run, ExperimentConfig config,
                                                  int iteration, int dX, int dU) {
        if (iteration > 0) {
            try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
                return BadmmDualsStore.read(spark, run.badmmDuals(iteration - 1).toString());
            }
        }
        Map<Integer, BadmmDuals> d = new TreeMap<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            d.put(c, BadmmDuals.initial(config.horizon(), dX, dU, config.policy().initPolWt()));
        }
        return d;
    }

    /**
     * The TrajOpt rule per condition on the objective cost + sum_t w_t KL_t(controller || policy
     * linearization), as the original's BADMM step adjustment does.
     */
    static StepSizeUpdate stepSize(LinearGaussianController previous, TrajectoryModel previousModel,
                                   LinearGaussianController prevLinearization, LinearGaussianController current,
                                   TrajectoryModel currentModel, LinearGaussianController curLinearization,
                                   double[] weights, double stepMult, TrajOptOptions options) {
        double before = objective(previousModel, previous, prevLinearization, weights);
        double predicted = before - objective(previousModel, current, prevLinearization, weights);
        double actual = before - objective(currentModel, current, curLinearization, weights);
        return StepSizeRule.update(predicted, actual, stepMult, options);
    }

    static double objective(TrajectoryModel model, LinearGaussianController controller,
                            LinearGaussianController policy, double[] weights) {
        double[] kl = policyKl(model, controller, policy);
        double sum = LaplaceCost.estimate(model, controller);
        for (int t = 0; t < kl.length; t++) {
            sum += weights[t] * kl[t];
        }
        return sum;
    }

    static double[] policyKl(TrajectoryModel model, LinearGaussianController controller,
                             LinearGaussianController policy) {
        return ControllerKL.perStep(StateActionMarginals.forward(model, controller), controller, policy);
    }

    /**
     * The inner loop: for each of inner_iterations rounds, (from the second round, or any round after
     * iteration 0) an S-step towards the last C-step's controllers, the policy re-linearized, a dual
     * step (the weights too in the last round; with rule exp from iteration 1 on), then the C-step
     * against {@code current} with the Lagrangian and the weighted policy KL in its cost. Publishes
     * the duals and the inner policy.
     */
    static Map<Integer, TrajOptResult> innerLoop(SparkSession spark, RunDirectory run, ExperimentConfig config,
                                                 int iteration, Map<Integer, TrajOptStep.ConditionStart> starts,
                                                 TrajOptOptions options) {
        Map<Integer, LinearGaussianController> current = new TreeMap<>();
        Map<Integer, LinearGaussianController> lin = new TreeMap<>();
        Map<Integer, BadmmDuals> duals = new TreeMap<>();
        Map<Integer, Double> etas = new TreeMap<>();
        for (Map.Entry<Integer, TrajOptStep.ConditionStart> e : starts.entrySet()) {
            current.put(e.getKey(), e.getValue().current());
            lin.put(e.getKey(), e.getValue().linearization());
            duals.put(e.getKey(), e.getValue().duals());
            etas.put(e.getKey(), e.getValue().eta());
        }
        PolicyOptions po = config.policy();
        PolicyOptions.Badmm b = po.badmm();
        String rollouts = run.rollouts(iteration).toString();
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples = cached(RolloutReader.readComplete(spark, rollouts),
                rollouts, config);
        // The policy prior's window, assembled once for the inner rounds' linearizations.
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> window = cached(
                DynamicsOutputs.windowRollouts(spark, run, iteration, po.prior().maxSamples(), config.samples()),
                rollouts, config);
        try {
            Policy policy = PolicyOutputs.policyBefore(run, iteration);
            Map<Integer, LinearGaussianController> latest = null;
            Map<Integer, TrajOptResult> results = null;
            boolean trained = false;
            for (int inner = 0; inner < b.innerIterations(); inner++) {
                if (inner > 0) {
                    policy = innerSStep(samples, latest, duals, policy, config, iteration, inner);
                    trained = true;
                    lin = PolicyLinearization.fit(window,
                            org.gps.spark.DynamicsFitting.CurrentSet.iteration(iteration), policy, po.prior(),
                            Seeds.derive(config.seed(), "policy-prior", iteration, inner)).controllers();
                }
                if (iteration > 0 || inner > 0) {
                    Map<Integer, LinearGaussianController> traj = latest != null ? latest : current;
                    Map<Integer, double[][]> gaps = PolicyLinearization.meanActionGaps(samples, traj, policy);
                    duals = dualSteps(duals, traj, lin, gaps, starts, b, weightStep(b, iteration, inner));
                }
                results = DistributedTrajOpt.optimize(spark, augmentedProblems(starts, duals, lin, etas), options);
                latest = new TreeMap<>();
                for (Map.Entry<Integer, TrajOptResult> e : results.entrySet()) {
                    latest.put(e.getKey(), e.getValue().controller());
                }
                results.forEach((c, r) -> etas.put(c, r.eta()));
                LOG.info("iteration {}: BADMM inner round {} of {} done", iteration, inner + 1, b.innerIterations());
            }
            if (trained) {
                PolicyOutputs.writePolicy(run, run.policyInner(iteration), policy);
            }
            try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
                BadmmDualsStore.write(spark, run.badmmDuals(iteration).toString(), duals);
            }
            return results;
        } finally {
            samples.unpersist(false);
            window.unpersist(false);
        }
    }

    /**
     * Whether the round steps the policy's weights too: the last round, and with the exp rule only
     * once a previous iteration has set the KLs it compares, as the original's does (iteration 0
     * keeps init_pol_wt).
     */
    private static boolean weightStep(PolicyOptions.Badmm b, int iteration, int inner) {
        return inner == b.innerIterations() - 1 && (iteration > 0 || !b.weightRule().equals("exp"));
    }

    /** Rollouts as trajectories, checked against the run's config and cached for the inner rounds. */
    private static JavaPairRDD<TrajectoryGroups.Key, Trajectory> cached(
            org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> rows, String path, ExperimentConfig config) {
        return TrajectoryGroups.trajectories(rows, RunRollouts.check(path, config)).persist(StorageLevel.MEMORY_AND_DISK());
    }

    /** The inner round's S-step: the policy trained towards the round's controllers with the duals' weights. */
    private static Policy innerSStep(JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples,
                                     Map<Integer, LinearGaussianController> latest, Map<Integer, BadmmDuals> duals,
                                     Policy policy, ExperimentConfig config, int iteration, int inner) {
        Map<Integer, double[]> weights = new TreeMap<>();
        duals.forEach((c, d) -> weights.put(c, d.policyWeights()));
        return PolicyUpdate.train(samples, latest, weights, duals, policy, config.policy(),
                Seeds.derive(config.seed(), "badmm-policy", iteration, inner)).policy();
    }

    /**
     * Every condition's dual step towards agreement of its controllers {@code traj} with the policy's
     * linearization {@code lin}, and with {@code weightStep} the step of the policy's weight.
     */
    private static Map<Integer, BadmmDuals> dualSteps(Map<Integer, BadmmDuals> duals,
                                                      Map<Integer, LinearGaussianController> traj,
                                                      Map<Integer, LinearGaussianController> lin,
                                                      Map<Integer, double[][]> gaps,
                                                      Map<Integer, TrajOptStep.ConditionStart> starts,
                                                      PolicyOptions.Badmm b, boolean weightStep) {
        Map<Integer, BadmmDuals> next = new TreeMap<>();
        for (int c : duals.keySet()) {
            BadmmDuals d = duals.get(c).dualStep(traj.get(c), lin.get(c), gaps.get(c), b.policyDualRate(),
                    b.policyDualRateCovar());
            if (weightStep) {
                d = d.weightStep(policyKl(starts.get(c).model(), traj.get(c), lin.get(c)), b.weightRule(), b.lgStep(),
                        b.expStepIncrease(), b.expStepDecrease(), b.expStepUpper(), b.expStepLower());
            }
            next.put(c, d);
        }
        return next;
    }

    /**
     * The C-step's problems of one inner round: each condition's cost augmented with its duals'
     * Lagrangian terms against the policy's linearization, from the sampling controllers.
     */
    private static Map<Integer, DistributedTrajOpt.Problem> augmentedProblems(
            Map<Integer, TrajOptStep.ConditionStart> starts, Map<Integer, BadmmDuals> duals,
            Map<Integer, LinearGaussianController> lin, Map<Integer, Double> etas) {
        Map<Integer, DistributedTrajOpt.Problem> problems = new TreeMap<>();
        starts.forEach((c, s) -> {
            TrajectoryModel augmented = s.model().withCost(duals.get(c).augment(s.model().cost(), lin.get(c)));
            problems.put(c, new DistributedTrajOpt.Problem(augmented, s.current(), etas.get(c), s.stepMult(),
                    duals.get(c).policyWeights()));
        });
        return problems;
    }

    /** The policy train-policy continues from: the inner loop's last, else the one before the iteration. */
    static Policy policyForSStep(RunDirectory run, int iteration) {
        return PolicyOutputs.exists(run, run.policyInner(iteration))
                ? PolicyOutputs.readPolicy(run, run.policyInner(iteration), "gps trajopt --iteration " + iteration)
                : PolicyOutputs.policyBefore(run, iteration);
    }

    static boolean dualsComplete(RunDirectory run, int iteration) {
        return AtomicOutput.isComplete(run.hadoopConf(), run.badmmDuals(iteration).toString());
    }
}
