package org.gps.pipeline.steps;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.control.BadmmDuals;
import org.gps.core.control.LinearGaussianController;
import org.gps.io.BadmmDualsStore;
import org.gps.core.policy.Policy;
import org.gps.core.random.Seeds;
import org.gps.core.sample.Trajectory;
import org.gps.io.AtomicOutput;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.Algorithm;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.io.PhaseProfile;
import org.gps.spark.PolicyUpdate;
import org.gps.spark.TrajectoryGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code gps train-policy}: the S-step of iteration I (docs/algorithm.md section 8), the last job of an
 * MDGPS or BADMM iteration. Trains the neural policy on iteration I's samples (with
 * {@code policy.replay_iterations}, those of earlier iterations too) towards the controllers its
 * C-step produced (iteration I+1's), continuing from the previous policy, publishes
 * {@code iter=I/policy.json}, then scores it from the start distribution into {@code iter=I/policy_eval.json}
 * and updates the run's published policy ({@link BestPolicy}, {@code R/best_policy.json}).
 */
public final class TrainPolicyStep {
    private static final Logger LOG = LoggerFactory.getLogger(TrainPolicyStep.class);

    private TrainPolicyStep() {
    }

    public static EvaluateStep.PolicyScore run(SparkSession spark, String runDirUri, int iteration) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        ExperimentConfig config = run.config();
        run.requireIteration(iteration, config);
        if (!config.trainsPolicy()) {
            throw new BadInputException(run.configResolved() + ": algorithm " + config.algorithm()
                    + " trains no neural policy; train-policy needs an algorithm that does (mdgps, badmm, mdgps_pilqr, mdgps_pi2)");
        }
        long start = System.nanoTime();
        if (!ControllerOutputs.isComplete(run, iteration + 1)) {
            throw new BadInputException(run.controllers(iteration + 1) + ": incomplete or missing; run 'gps trajopt "
                    + "--iteration " + iteration + "' first (the S-step trains towards its controllers)");
        }
        Map<Integer, LinearGaussianController> next = ControllerOutputs.read(spark, run, iteration + 1);
        Policy policy;
        if (config.algorithm() == Algorithm.BADMM) {
            // BADMM: the targets carry the C-step's multipliers and adapted weights.
            Map<Integer, BadmmDuals> duals;
            try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
                duals = BadmmDualsStore.read(spark, run.badmmDuals(iteration).toString());
            }
            Map<Integer, double[]> weights = new TreeMap<>();
            duals.forEach((c, d) -> weights.put(c, d.policyWeights()));
            JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples = RolloutTrajectories.of(spark, run,
                    List.of(iteration), config, run.rollouts(iteration).toString());
            policy = PolicyUpdate.train(samples, next, weights, duals, BadmmSteps.policyForSStep(run, iteration),
                    config.policy(), Seeds.derive(config.seed(), "policy", iteration)).policy();
        } else if (config.policy().replayIterations() > 0 && iteration > 0) {
            policy = trainWithReplay(spark, run, config, iteration, next);
        } else {
            policy = train(spark, run, config, iteration, next, uniformWeights(config),
                    PolicyOutputs.policyBefore(run, iteration), Seeds.derive(config.seed(), "policy", iteration));
        }
        // policy_eval.json vouches for policy.json (the run loop's completion test): withdraw it first,
        // write it last, so a step killed in between leaves the S-step visibly incomplete.
        // best_policy.json follows the score files both times, so it never names a policy being replaced.
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            AtomicOutput.withdraw(run.hadoopConf(), run.policyEval(iteration).toString());
            BestPolicy.publish(run);
            PolicyOutputs.writePolicy(run, run.policy(iteration), policy);
        }
        EvaluateStep.PolicyScore score = EvaluateStep.scorePolicy(spark, config, policy, config.policy().evalEpisodes(),
                config.policy().evalStarts(), EvaluateStep.ownScoringSeed(config, iteration),
                trainingSteps(config, iteration));
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            AtomicOutput.writeFile(run.hadoopConf(), run.policyEval(iteration).toString(),
                    score.toJson().getBytes(StandardCharsets.UTF_8));
            BestPolicy.publish(run);
        }
        LOG.info("iteration {}: S-step in {} ms; policy mean return {} over {} starts", iteration,
                (System.nanoTime() - start) / 1_000_000, String.format(Locale.ROOT, "%.1f", score.meanReturn()),
                score.episodes());
        return score;
    }

    /** Trains on {@code iteration}'s samples towards {@code controllers}; {@code previous} null for a fresh network. */
    static Policy train(SparkSession spark, RunDirectory run, ExperimentConfig config, int iteration,
                        Map<Integer, LinearGaussianController> controllers, Map<Integer, double[]> weights,
                        Policy previous, long seed) {
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples = RolloutTrajectories.of(spark, run, List.of(iteration),
                config, run.rollouts(iteration).toString());
        return PolicyUpdate.train(samples, controllers, weights, previous, config.policy(), seed).policy();
    }

    /**
     * The S-step on iteration I's samples and those of up to {@code replay_iterations} before it,
     * each iteration's samples towards the controllers its own C-step produced (iteration j's
     * samples towards iteration j+1's controllers), so that states the policy handled in earlier
     * iterations stay in its training set while it follows the new controllers.
     */
    private static Policy trainWithReplay(SparkSession spark, RunDirectory run, ExperimentConfig config, int iteration,
                                          Map<Integer, LinearGaussianController> next) {
        Map<Integer, Map<Integer, LinearGaussianController>> controllers = new TreeMap<>();
        List<Integer> iterations = new ArrayList<>();
        List<String> read = new ArrayList<>();
        for (int j = Math.max(0, iteration - config.policy().replayIterations()); j <= iteration; j++) {
            if (j < iteration && !ControllerOutputs.isComplete(run, j + 1)) {
                throw new BadInputException(run.controllers(j + 1) + ": incomplete or missing; the S-step of "
                        + "iteration " + iteration + " replays iteration " + j + "'s samples towards them "
                        + "(policy.replay_iterations: " + config.policy().replayIterations() + ")");
            }
            controllers.put(j, j == iteration ? next : ControllerOutputs.read(spark, run, j + 1));
            iterations.add(j);
            read.add(run.rollouts(j).toString());
        }
        // Under gps run the dynamics' census has kept these datasets' trajectories: read and regrouped
        // from Parquet again, each pass of the S-step over its samples paid a Parquet scan and a shuffle.
        // A dataset read here names every dataset a bad trajectory may have come from.
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples = RolloutTrajectories.of(spark, run, iterations, config,
                String.join(", ", read));
        return PolicyUpdate.trainOnIterations(samples, controllers, uniformWeights(config),
                PolicyOutputs.policyBefore(run, iteration), config.policy(),
                Seeds.derive(config.seed(), "policy", iteration)).policy();
    }

    /** MDGPS: every target weighs init_pol_wt. */
    static Map<Integer, double[]> uniformWeights(ExperimentConfig config) {
        Map<Integer, double[]> w = new TreeMap<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            double[] row = new double[config.horizon()];
            Arrays.fill(row, config.policy().initPolWt());
            w.put(c, row);
        }
        return w;
    }

    /** Environment steps the policy has been trained from after iteration I: M x N x T x (I + 1). */
    static long trainingSteps(ExperimentConfig config, int iteration) {
        return (long) config.conditionCount() * config.samples() * config.horizon() * (iteration + 1);
    }
}
