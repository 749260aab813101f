package org.gps.pipeline.steps;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.control.StepSizeRule;
import org.gps.core.control.StepSizeUpdate;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.control.TrajOptResult;
import org.gps.core.control.TrajectoryModel;
import org.gps.core.linalg.Vec;
import org.gps.io.AtomicOutput;
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

        // What the new controllers must stay close to: the controllers that generated the samples
        // (TrajOpt), or the neural policy linearized around them (MDGPS, docs/algorithm.md sections 6, 9).
        Map<Integer, LinearGaussianController> references = current;
        Map<Integer, LinearGaussianController> linearization = null;
        boolean badmm = config.algorithm() == Algorithm.BADMM;
        if (config.trainsPolicy()) {
            linearization = MdgpsSteps.linearization(spark, run, config, iteration);
        }
        if (config.algorithm().cStep() != Algorithm.CStep.LQR) {
            SampleBasedTrajOpt.Outcome o = SampleBasedTrajOpt.run(spark, run, config, iteration, current, currentDyn,
                    currentCost, linearization);
            return publish(spark, run, config, iteration, o.controllers(), o.states(), start);
        }
        if (config.algorithm() == Algorithm.MDGPS) {
            references = linearization;
        }
        Map<Integer, org.gps.core.control.BadmmDuals> duals = null;
        if (badmm) {
            LinearGaussianController any = current.values().iterator().next();
            duals = BadmmSteps.startingDuals(spark, run, config, iteration, any.stateDim(), any.actionDim());
        }
        Map<Integer, Double> etas = new TreeMap<>();
        Map<Integer, Double> stepMults = new TreeMap<>();
        Map<Integer, StepSizeUpdate> updates = new TreeMap<>();
        if (iteration == 0) {
            for (int c = 0; c < config.conditionCount(); c++) {
                etas.put(c, INITIAL_ETA);
                stepMults.put(c, INITIAL_STEP_MULT);
            }
        } else {
            int prev = iteration - 1;
            IterationState prevState = readState(run, prev);
            DynamicsOutputs.Models prevDyn = DynamicsOutputs.read(spark, run, prev);
            CostEvaluation.Result prevCost = costs(spark, run, config, prev);
            if (config.algorithm() == Algorithm.MDGPS) {
                Map<Integer, TrajectoryModel> prevModels = new TreeMap<>();
                Map<Integer, TrajectoryModel> curModels = new TreeMap<>();
                for (int c = 0; c < config.conditionCount(); c++) {
                    prevModels.put(c, model(prevDyn, prevCost, c, config.actionLimits()));
                    curModels.put(c, model(currentDyn, currentCost, c, config.actionLimits()));
                }
                StepSizeUpdate u = MdgpsSteps.stepSize(PolicyOutputs.readLinearization(spark, run, prev), prevModels,
                        current, references, curModels, prevState.condition(0).stepMult(), options);
                for (int c = 0; c < config.conditionCount(); c++) {
                    updates.put(c, u);
                    etas.put(c, prevState.condition(c).eta());
                    stepMults.put(c, u.stepMult());
                }
            } else {
                Map<Integer, LinearGaussianController> previous = ControllerOutputs.read(spark, run, prev);
                Map<Integer, LinearGaussianController> prevLin = badmm
                        ? PolicyOutputs.readLinearization(spark, run, prev) : null;
                for (int c = 0; c < config.conditionCount(); c++) {
                    IterationState.ConditionState ps = prevState.condition(c);
                    StepSizeUpdate u = badmm
                            ? BadmmSteps.stepSize(previous.get(c), model(prevDyn, prevCost, c, config.actionLimits()), prevLin.get(c),
                                    current.get(c), model(currentDyn, currentCost, c, config.actionLimits()), linearization.get(c),
                                    duals.get(c).policyWeights(), ps.stepMult(), options)
                            : StepSizeRule.update(previous.get(c), model(prevDyn, prevCost, c, config.actionLimits()), current.get(c),
                                    model(currentDyn, currentCost, c, config.actionLimits()), ps.stepMult(), options);
                    updates.put(c, u);
                    etas.put(c, ps.eta());
                    stepMults.put(c, u.stepMult());
                }
            }
        }

        Map<Integer, TrajOptResult> results;
        if (badmm) {
            Map<Integer, TrajectoryModel> models = new TreeMap<>();
            for (int c = 0; c < config.conditionCount(); c++) {
                models.put(c, model(currentDyn, currentCost, c, config.actionLimits()));
            }
            results = BadmmSteps.innerLoop(spark, run, config, iteration, current, models, linearization, duals,
                    etas, stepMults, options);
        } else {
            Map<Integer, DistributedTrajOpt.Problem> problems = new TreeMap<>();
            for (int c = 0; c < config.conditionCount(); c++) {
                problems.put(c, new DistributedTrajOpt.Problem(model(currentDyn, currentCost, c, config.actionLimits()), references.get(c),
                        etas.get(c), stepMults.get(c)));
            }
            results = DistributedTrajOpt.optimize(spark, problems, options);
        }

        Map<Integer, LinearGaussianController> next = new TreeMap<>();
        List<IterationState.ConditionState> states = new ArrayList<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            TrajOptResult r = results.get(c);
            next.put(c, r.controller());
            double[] sc = currentCost.sampleCosts().get(c);
            StepSizeUpdate u = updates.get(c);
            states.add(new IterationState.ConditionState(c, Vec.mean(sc), Vec.std(sc), stepMults.get(c), r.eta(), r.kl(),
                    r.klTarget(), r.rounds(), r.converged(), u == null ? null : u.predictedImprovement(),
                    u == null ? null : u.actualImprovement()));
        }
        return publish(spark, run, config, iteration, next, states, start);
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

    static CostEvaluation.Result costs(SparkSession spark, RunDirectory run, ExperimentConfig config, int iteration) {
        String path = run.rollouts(iteration).toString();
        // The rollouts' read is part of it: the expansion is the pass that reads them.
        try (PhaseProfile.Scope phase = PhaseProfile.enter("cost_expansion")) {
            Dataset<Row> rollouts = RolloutReader.readComplete(spark, path);
            CostEvaluation.Result result = CostEvaluation.evaluate(rollouts, config.costs(),
                    RunRollouts.check(path, config));
            RolloutRules.requireMarkerRows(path, result.rows(), RolloutReader.markedRows(spark, path));
            return result;
        }
    }

    static TrajectoryModel model(DynamicsOutputs.Models dyn, CostEvaluation.Result cost, int c,
                                 org.gps.core.control.ActionBounds actionLimits) {
        return new TrajectoryModel(dyn.dynamics().get(c), dyn.initialStates().get(c), cost.models().get(c),
                actionLimits);
    }
}
