package org.gps.pipeline.steps;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.SparkSession;
import org.gps.core.control.ConditionSamples;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.control.Pi2FailedException;
import org.gps.core.control.Pi2Options;
import org.gps.core.control.Pi2Result;
import org.gps.core.control.Pi2Update;
import org.gps.core.control.PilqrOptions;
import org.gps.core.control.PilqrUpdate;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.control.TrajOptResult;
import org.gps.core.control.TrajectoryModel;
import org.gps.core.linalg.Mat;
import org.gps.core.linalg.Vec;
import org.gps.core.policy.Policy;
import org.gps.core.sample.RolloutPolicy;
import org.gps.core.sample.Trajectory;
import org.gps.io.RolloutReader;
import org.gps.pipeline.IterationState;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.Algorithm;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.spark.CostEvaluation;
import org.gps.io.PhaseProfile;
import org.gps.spark.SampleBasedCStep;
import org.gps.spark.TrajectoryGroups;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The C-step of the PI2 and PILQR algorithms for iteration I: each condition's update reads that
 * condition's samples of I (one Spark task per condition, {@link SampleBasedCStep}). PI2 reweights
 * the samples around the controller that drew them (for {@code mdgps_pi2}, the linearized policy);
 * PILQR runs LQR on the fitted models towards the reference (the sampling controller, or for
 * {@code mdgps_pilqr} the linearized policy) and lets PI2 correct it on the cost the models did
 * not predict. PILQR's per-step multipliers and etas
 * carry over in {@code iter=I/state.json}.
 */
final class SampleBasedTrajOpt {
    private static final Logger LOG = LoggerFactory.getLogger(SampleBasedTrajOpt.class);

    /** The profile's name of the C-step, as the LQR C-step's ({@code DistributedTrajOpt}). */
    private static final String C_STEP = "c_step";

    private SampleBasedTrajOpt() {
    }

    /** The new controllers and the per-condition state of the step. */
    record Outcome(Map<Integer, LinearGaussianController> controllers, List<IterationState.ConditionState> states) {
    }

    /** PILQR's input for one condition (everything but the samples). */
    private record PilqrInput(TrajectoryModel model, LinearGaussianController reference,
                              LinearGaussianController sampler, double[] etas, double[] stepMult, boolean adjustStep,
                              TrajOptOptions lqr, PilqrOptions pilqr, Pi2Options pi2) implements Serializable {
    }

    /** PI2's input for one condition. */
    private record Pi2Input(LinearGaussianController base, Pi2Options pi2) implements Serializable {
    }

    static Outcome run(SparkSession spark, RunDirectory run, ExperimentConfig config, int iteration,
                       Map<Integer, LinearGaussianController> current, DynamicsOutputs.Models dynamics,
                       CostEvaluation.Result costs, Map<Integer, LinearGaussianController> linearization) {
        String path = run.rollouts(iteration).toString();
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories = TrajectoryGroups.trajectories(
                RolloutReader.readComplete(spark, path), RunRollouts.check(path, config));
        Policy policySampler = sampledByPolicy(config, iteration) ? PolicyOutputs.policyBefore(run, iteration) : null;
        Samplers samplers = new Samplers(config, current, linearization, policySampler);
        if (config.algorithm().cStep() == Algorithm.CStep.PI2) {
            return pi2Step(trajectories, path, config, iteration, samplers, costs);
        }
        IterationState previous = iteration == 0 ? null : TrajOptStep.readState(run, iteration - 1);
        return pilqrStep(trajectories, path, config, iteration, samplers, dynamics, costs, previous);
    }

    /**
     * Who drew each condition's samples (the controllers, or the policy when it samples on-policy)
     * and what the sample-based step moves from: the controllers, or in mirror descent the policy
     * linearized around them.
     */
    private record Samplers(ExperimentConfig config, Map<Integer, LinearGaussianController> current,
                            Map<Integer, LinearGaussianController> linearization, Policy policy) {
        RolloutPolicy drew(int c) {
            return policy != null ? policy : current.get(c);
        }

        LinearGaussianController base(int c) {
            return config.algorithm().followsPolicy() ? linearization.get(c) : current.get(c);
        }
    }

    private static Outcome pi2Step(JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories, String path,
                                   ExperimentConfig config, int iteration, Samplers samplers,
                                   CostEvaluation.Result costs) {
        Map<Integer, SampleBasedCStep.Problem<Pi2Input>> problems = new TreeMap<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            // PI2 reweights the samples' feedforward actions u - K x around its base.
            problems.put(c, new SampleBasedCStep.Problem<>(samplers.drew(c), config.costs().get(c),
                    new Pi2Input(samplers.base(c), config.pi2())));
        }
        Map<Integer, Pi2Result> results;
        try (PhaseProfile.Scope phase = PhaseProfile.enter(C_STEP)) {
            results = SampleBasedCStep.run(trajectories, problems, SampleBasedTrajOpt::pi2, path);
        }
        Map<Integer, LinearGaussianController> next = new TreeMap<>();
        List<IterationState.ConditionState> states = new ArrayList<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            Pi2Result r = results.get(c);
            if (r.controller().equals(problems.get(c).input().base())) {
                LOG.warn("iteration {}, condition {}: at some step PI2's weights left no usable action covariance "
                        + "even at the highest temperature (too few samples, or their noise collapsed to the same "
                        + "values); the condition keeps its controller this iteration", iteration, c);
            }
            next.put(c, r.controller());
            double[] sc = costs.sampleCosts().get(c);
            states.add(new IterationState.ConditionState(c, Vec.mean(sc), Vec.std(sc), 1.0, Vec.mean(r.temperatures()),
                    Vec.sum(r.weightKl()), config.pi2().klThreshold() * config.horizon(), 1, true, null, null, null,
                    null, r.temperatures(), null));
        }
        return new Outcome(next, states);
    }

    private static Outcome pilqrStep(JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories, String path,
                                     ExperimentConfig config, int iteration, Samplers samplers,
                                     DynamicsOutputs.Models dynamics, CostEvaluation.Result costs,
                                     IterationState previous) {
        Map<Integer, SampleBasedCStep.Problem<PilqrInput>> problems = new TreeMap<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            double[][] start = perStepStart(previous, c, config.horizon());
            LinearGaussianController replay = samplers.policy() != null
                    ? withPolicyNoise(samplers.linearization().get(c), samplers.policy()) : samplers.current().get(c);
            problems.put(c, new SampleBasedCStep.Problem<>(samplers.drew(c), config.costs().get(c), new PilqrInput(
                    TrajOptStep.model(dynamics, costs, c, config.actionLimits()), samplers.base(c), replay, start[0],
                    start[1], iteration > 0, config.trajopt(), config.pilqr(), config.pi2())));
        }
        Map<Integer, PilqrUpdate.Result> results;
        try (PhaseProfile.Scope phase = PhaseProfile.enter(C_STEP)) {
            results = SampleBasedCStep.run(trajectories, problems, SampleBasedTrajOpt::pilqr, path);
            phase.count("dual_search_rounds", results.values().stream().mapToLong(r -> r.lqr().rounds()).sum());
        }
        Map<Integer, LinearGaussianController> next = new TreeMap<>();
        List<IterationState.ConditionState> states = new ArrayList<>();
        List<Integer> uncorrected = new ArrayList<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            PilqrUpdate.Result r = results.get(c);
            TrajOptResult lqr = r.lqr();
            if (!r.corrected()) {
                uncorrected.add(c);
            }
            next.put(c, r.controller());
            double[] sc = costs.sampleCosts().get(c);
            double rho0 = r.rho()[0];
            states.add(new IterationState.ConditionState(c, Vec.mean(sc), Vec.std(sc), Vec.mean(r.stepMult()), lqr.eta(),
                    lqr.kl(), lqr.klTarget(), lqr.rounds(), lqr.converged(), null, null, lqr.stepEtas(), r.stepMult(),
                    r.temperatures(), Double.isFinite(rho0) ? rho0 : null));
        }
        if (!uncorrected.isEmpty()) {
            LOG.warn("iteration {}: {} of {} conditions keep the LQR step without PI2's correction (conditions {}): "
                    + "at some step PI2's weights left no usable action covariance even at the highest temperature "
                    + "(too few samples, or their noise collapsed to the same values)", iteration, uncorrected.size(),
                    config.conditionCount(), uncorrected);
        }
        return new Outcome(next, states);
    }

    /**
     * Condition c's per-step dual variables and step multipliers to start from: the previous
     * iteration's when it recorded them for this horizon, else the initial ones.
     */
    private static double[][] perStepStart(IterationState previous, int c, int horizon) {
        double[] etas = new double[horizon];
        double[] mult = new double[horizon];
        Arrays.fill(etas, TrajOptStep.INITIAL_ETA);
        Arrays.fill(mult, TrajOptStep.INITIAL_STEP_MULT);
        if (previous != null) {
            IterationState.ConditionState ps = previous.condition(c);
            if (ps.stepEtas() != null && ps.stepEtas().length == horizon) {
                etas = ps.stepEtas();
            }
            if (ps.stepMults() != null && ps.stepMults().length == horizon) {
                mult = ps.stepMults();
            }
        }
        return new double[][] {etas, mult};
    }

    /** Whether iteration I's samples were drawn by the neural policy (on-policy sampling) rather than the controllers. */
    static boolean sampledByPolicy(ExperimentConfig config, int iteration) {
        return config.trainsPolicy() && config.policy().sampleOnPolicy() && iteration > 0;
    }

    /** PI2 on the samples; null when no temperature gives a usable covariance at some step (no step is taken). */
    private static Pi2Result pi2(Pi2Input in, ConditionSamples samples) {
        try {
            return Pi2Update.update(in.base(), samples, samples.costs(), Pi2Update.Mode.SAMPLED, null, in.pi2());
        } catch (Pi2FailedException e) {
            return new Pi2Result(in.base(), Pi2Update.temperatures(samples.costs(), in.pi2()),
                    new double[samples.horizon()]);
        }
    }

    private static PilqrUpdate.Result pilqr(PilqrInput in, ConditionSamples samples) {
        return PilqrUpdate.update(in.model(), in.reference(), in.sampler(), samples, in.etas(), in.stepMult(),
                in.adjustStep(), in.lqr(), in.pilqr(), in.pi2());
    }

    /**
     * The policy's linearization as the controller that drew its samples: the linearization's gains and
     * offsets with the policy's own noise, so that replaying a sample's recovered unit noise adds what
     * the policy added (the linearization's covariance also holds the fit's spread).
     */
    static LinearGaussianController withPolicyNoise(LinearGaussianController linearization, Policy policy) {
        int horizon = linearization.horizon();
        double[] variance = policy.variance();
        Mat[] gains = new Mat[horizon];
        double[][] offsets = new double[horizon][];
        Mat[] covs = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            gains[t] = linearization.gain(t);
            offsets[t] = linearization.offset(t);
            covs[t] = Mat.diag(variance);
        }
        return LinearGaussianController.of(gains, offsets, covs);
    }
}
