package org.gps.pipeline.steps;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.control.BadmmDuals;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.control.StepSizeRule;
import org.gps.core.control.StepSizeUpdate;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.control.TrajOptResult;
import org.gps.core.control.TrajectoryModel;
import org.gps.core.linalg.Vec;
import org.gps.io.AtomicOutput;
import org.gps.io.FolderCache;
import org.gps.io.HadoopFiles;
import org.gps.io.RolloutReader;
import org.gps.io.RolloutRules;
import org.gps.pipeline.IterationState;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.Algorithm;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.io.PhaseProfile;
import org.gps.spark.CostEvaluation;
import org.gps.spark.DistributedTrajOpt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code gps trajopt}: the C-step (docs/algorithm.md sections 2, 6, 7) for iteration I. Reads the
 * iteration's rollouts (for costs), dynamics and controllers; from I = 1 on also iteration I-1's,
 * for the step-size rule. For MDGPS it first linearizes the policy (section 9; {@link MdgpsSteps})
 * and stays close to that instead of the sampling controllers; for BADMM it linearizes the policy
 * too and runs the inner loop of C-, S- and dual steps (section 10; {@link BadmmSteps}). Writes
 * the controllers of iteration I+1 and {@code iter=I/state.json}.
 */
public final class TrajOptStep {
    private static final Logger LOG = LoggerFactory.getLogger(TrajOptStep.class);
    /** The original's initial dual variable and step multiplier. */
    static final double INITIAL_ETA = 1.0;
    static final double INITIAL_STEP_MULT = 1.0;

    private TrajOptStep() {
    }

    public static IterationState run(SparkSession spark, String runDirUri, int iteration) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        ExperimentConfig config = run.config();
        run.requireIteration(iteration, config);
        TrajOptOptions options = config.trajopt();
        long start = System.nanoTime();

        Map<Integer, LinearGaussianController> current = ControllerOutputs.read(spark, run, iteration);
        DynamicsOutputs.Models currentDyn = DynamicsOutputs.read(spark, run, iteration);
        CostEvaluation.Result currentCost = costs(spark, run, config, iteration);
        Map<Integer, LinearGaussianController> linearization = config.trainsPolicy()
                ? MdgpsSteps.linearization(spark, run, config, iteration) : null;
        if (config.algorithm().cStep() != Algorithm.CStep.LQR) {
            SampleBasedTrajOpt.Outcome o = SampleBasedTrajOpt.run(spark, run, config, iteration, current, currentDyn,
                    currentCost, linearization);
            return publish(spark, run, config, iteration, o.controllers(), o.states(), start);
        }
        Map<Integer, ConditionStart> starts = conditionStarts(spark, run, config, iteration, current,
                models(currentDyn, currentCost, config), linearization);
        Map<Integer, TrajOptResult> results;
        if (config.algorithm() == Algorithm.BADMM) {
            results = BadmmSteps.innerLoop(spark, run, config, iteration, starts, options);
        } else {
            Map<Integer, DistributedTrajOpt.Problem> problems = new TreeMap<>();
            starts.forEach((c, s) -> problems.put(c, new DistributedTrajOpt.Problem(s.model(), s.reference(),
                    s.eta(), s.stepMult())));
            results = DistributedTrajOpt.optimize(spark, problems, options);
        }

        Map<Integer, LinearGaussianController> next = new TreeMap<>();
        List<IterationState.ConditionState> states = new ArrayList<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            TrajOptResult r = results.get(c);
            next.put(c, r.controller());
            double[] sc = currentCost.sampleCosts().get(c);
            StepSizeUpdate u = starts.get(c).update();
            states.add(new IterationState.ConditionState(c, Vec.mean(sc), Vec.std(sc), starts.get(c).stepMult(),
                    r.eta(), r.kl(), r.klTarget(), r.rounds(), r.converged(),
                    u == null ? null : u.predictedImprovement(), u == null ? null : u.actualImprovement()));
        }
        return publish(spark, run, config, iteration, next, states, start);
    }

    /**
     * One condition's input to the LQR C-step: the controllers that generated its samples, what the
     * new ones must stay close to (those controllers for TrajOpt and BADMM, the policy linearized
     * around them for MDGPS), its model, the policy's linearization and BADMM's duals (null where
     * the algorithm has none), the dual variable to start from, and the step size with the update
     * that set it (null at iteration 0).
     */
    record ConditionStart(LinearGaussianController current, LinearGaussianController reference, TrajectoryModel model,
                          LinearGaussianController linearization, BadmmDuals duals, double eta, double stepMult,
                          StepSizeUpdate update) {
    }

    private static Map<Integer, TrajectoryModel> models(DynamicsOutputs.Models dyn, CostEvaluation.Result cost,
                                                        ExperimentConfig config) {
        Map<Integer, TrajectoryModel> models = new TreeMap<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            models.put(c, model(dyn, cost, c, config.actionLimits()));
        }
        return models;
    }

    private static Map<Integer, ConditionStart> conditionStarts(SparkSession spark, RunDirectory run,
                                                                ExperimentConfig config, int iteration,
                                                                Map<Integer, LinearGaussianController> current,
                                                                Map<Integer, TrajectoryModel> models,
                                                                Map<Integer, LinearGaussianController> linearization) {
        Map<Integer, LinearGaussianController> references = config.algorithm() == Algorithm.MDGPS
                ? linearization : current;
        Map<Integer, BadmmDuals> duals = null;
        if (config.algorithm() == Algorithm.BADMM) {
            LinearGaussianController any = current.values().iterator().next();
            duals = BadmmSteps.startingDuals(spark, run, config, iteration, any.stateDim(), any.actionDim());
        }
        IterationState previous = iteration == 0 ? null : readState(run, iteration - 1);
        Map<Integer, StepSizeUpdate> updates = iteration == 0 ? Map.of()
                : stepSizes(spark, run, config, iteration, previous, current, references, models, linearization, duals);
        Map<Integer, ConditionStart> starts = new TreeMap<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            StepSizeUpdate u = updates.get(c);
            starts.put(c, new ConditionStart(current.get(c), references.get(c), models.get(c),
                    linearization == null ? null : linearization.get(c), duals == null ? null : duals.get(c),
                    previous == null ? INITIAL_ETA : previous.condition(c).eta(),
                    u == null ? INITIAL_STEP_MULT : u.stepMult(), u));
        }
        return starts;
    }

    /**
     * The step-size rule from iteration I-1 to I for every condition: MDGPS's rule over the conditions
     * (one update for all, or each its own: {@code trajopt.step_size}), else each condition's own.
     */
    private static Map<Integer, StepSizeUpdate> stepSizes(SparkSession spark, RunDirectory run, ExperimentConfig config,
                                                          int iteration, IterationState prevState,
                                                          Map<Integer, LinearGaussianController> current,
                                                          Map<Integer, LinearGaussianController> references,
                                                          Map<Integer, TrajectoryModel> models,
                                                          Map<Integer, LinearGaussianController> linearization,
                                                          Map<Integer, BadmmDuals> duals) {
        int prev = iteration - 1;
        TrajOptOptions options = config.trajopt();
        Map<Integer, TrajectoryModel> prevModels = models(DynamicsOutputs.read(spark, run, prev),
                costs(spark, run, config, prev), config);
        Map<Integer, StepSizeUpdate> updates = new TreeMap<>();
        if (config.algorithm() == Algorithm.MDGPS) {
            Map<Integer, Double> stepMults = new TreeMap<>();
            for (int c = 0; c < config.conditionCount(); c++) {
                stepMults.put(c, prevState.condition(c).stepMult());
            }
            return MdgpsSteps.stepSizes(PolicyOutputs.readLinearization(spark, run, prev), prevModels, current,
                    references, models, stepMults, config.stepSize(), options);
        }
        boolean badmm = config.algorithm() == Algorithm.BADMM;
        Map<Integer, LinearGaussianController> previous = ControllerOutputs.read(spark, run, prev);
        Map<Integer, LinearGaussianController> prevLin = badmm ? PolicyOutputs.readLinearization(spark, run, prev) : null;
        for (int c = 0; c < config.conditionCount(); c++) {
            double stepMult = prevState.condition(c).stepMult();
            updates.put(c, badmm
                    ? BadmmSteps.stepSize(previous.get(c), prevModels.get(c), prevLin.get(c), current.get(c),
                            models.get(c), linearization.get(c), duals.get(c).policyWeights(), stepMult, options)
                    : StepSizeRule.update(previous.get(c), prevModels.get(c), current.get(c), models.get(c), stepMult,
                            options));
        }
        return updates;
    }

    /** Writes the controllers of iteration I+1 and then {@code iter=I/state.json}, which vouches for them. */
    private static IterationState publish(SparkSession spark, RunDirectory run, ExperimentConfig config, int iteration,
                                          Map<Integer, LinearGaussianController> next,
                                          List<IterationState.ConditionState> states, long start) {
        IterationState state = new IterationState(iteration, config.algorithm().configName(), states);
        // The state file is what marks this step complete: withdrawn before the controllers are
        // replaced, written after them, so a kill in between leaves no state vouching for them.
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            AtomicOutput.withdraw(run.hadoopConf(), run.state(iteration).toString());
            ControllerOutputs.write(spark, run, iteration + 1, next, "trajopt");
            AtomicOutput.writeFile(run.hadoopConf(), run.state(iteration).toString(),
                    state.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        LOG.info("iteration {}: C-step for {} conditions in {} ms", iteration, config.conditionCount(),
                (System.nanoTime() - start) / 1_000_000);
        return state;
    }

    public static IterationState readState(RunDirectory run, int iteration) {
        String p = run.state(iteration).toString();
        if (!HadoopFiles.exists(run.hadoopConf(), p)) {
            throw new BadInputException(p + ": missing; run 'gps trajopt --iteration " + iteration + "' first");
        }
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            return IterationState.fromJson(HadoopFiles.readUtf8(run.hadoopConf(), run.state(iteration)), p);
        }
    }

    /**
     * Cost expansions this process computed, by rollout dataset and config: trajopt of iteration I
     * needs iteration I-1's again for the step size, which trajopt of I-1 computed in the same
     * process when {@code gps run} drives the loop. Two iterations' worth are all that is reused.
     */
    private static final FolderCache<CostEvaluation.Result> EXPANSIONS = new FolderCache<>(4);

    static CostEvaluation.Result costs(SparkSession spark, RunDirectory run, ExperimentConfig config, int iteration) {
        String path = run.rollouts(iteration).toString();
        // The rollouts' read is part of it: the expansion is the pass that reads them.
        try (PhaseProfile.Scope phase = PhaseProfile.enter("cost_expansion")) {
            String listing = HadoopFiles.listing(run.hadoopConf(), path);
            long marked = RolloutReader.markedRows(spark, path);
            CostEvaluation.Result result = EXPANSIONS.get(expansionKey(path, config), listing);
            if (result == null) {
                Dataset<Row> rollouts = RolloutReader.readComplete(spark, path);
                result = CostEvaluation.evaluate(rollouts, marked, config.costs(), RunRollouts.check(path, config));
                EXPANSIONS.put(expansionKey(path, config), listing, result);
            }
            RolloutRules.requireMarkerRows(path, result.rows(), marked);
            return result.copy();
        }
    }

    /**
     * Keeps the expansion of iteration {@code iteration}'s rollouts that the sample step made as it
     * wrote them ({@link org.gps.spark.SampledCosts}), for this process's trajopt step: under the
     * folder's listing taken now, just after the rows were published, so any later change to the
     * folder makes the trajopt step read the rows again.
     */
    static void keepSampledCosts(RunDirectory run, ExperimentConfig config, int iteration,
                                 CostEvaluation.Result result) {
        String path = run.rollouts(iteration).toString();
        EXPANSIONS.put(expansionKey(path, config), HadoopFiles.listing(run.hadoopConf(), path), result);
    }

    private static String expansionKey(String path, ExperimentConfig config) {
        return path + "\n" + config.resolvedJson();
    }

    static TrajectoryModel model(DynamicsOutputs.Models dyn, CostEvaluation.Result cost, int c,
                                 org.gps.core.control.ActionBounds actionLimits) {
        return new TrajectoryModel(dyn.dynamics().get(c), dyn.initialStates().get(c), cost.models().get(c),
                actionLimits);
    }
}
