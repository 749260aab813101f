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
import org.gps.io.AtomicOutput;
import org.gps.io.HadoopFiles;
import org.gps.io.RolloutReader;
import org.gps.pipeline.IterationState;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.spark.CostEvaluation;
import org.gps.spark.DistributedTrajOpt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code gps trajopt}: the C-step of TrajOpt (ALGORITHM.md sections 2, 6, 7) for iteration I. Reads
 * the iteration's rollouts (for costs), dynamics and controllers; from I = 1 on also iteration
 * I-1's, for the step-size rule. Writes the controllers of iteration I+1 and {@code iter=I/state.json}.
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
            Map<Integer, LinearGaussianController> previous = ControllerOutputs.read(spark, run, prev);
            DynamicsOutputs.Models prevDyn = DynamicsOutputs.read(spark, run, prev);
            CostEvaluation.Result prevCost = costs(spark, run, config, prev);
            for (int c = 0; c < config.conditionCount(); c++) {
                IterationState.ConditionState ps = prevState.condition(c);
                StepSizeUpdate u = StepSizeRule.update(previous.get(c), model(prevDyn, prevCost, c), current.get(c),
                        model(currentDyn, currentCost, c), ps.stepMult(), options);
                updates.put(c, u);
                etas.put(c, ps.eta());
                stepMults.put(c, u.stepMult());
            }
        }

        Map<Integer, DistributedTrajOpt.Problem> problems = new TreeMap<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            // TrajOpt stays close to the controller that generated the samples (ALGORITHM.md section 6).
            problems.put(c, new DistributedTrajOpt.Problem(model(currentDyn, currentCost, c), current.get(c), etas.get(c),
                    stepMults.get(c)));
        }
        Map<Integer, TrajOptResult> results = DistributedTrajOpt.optimize(spark, problems, options);

        Map<Integer, LinearGaussianController> next = new TreeMap<>();
        List<IterationState.ConditionState> states = new ArrayList<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            TrajOptResult r = results.get(c);
            next.put(c, r.controller());
            double[] sc = currentCost.sampleCosts().get(c);
            StepSizeUpdate u = updates.get(c);
            states.add(new IterationState.ConditionState(c, mean(sc), std(sc), stepMults.get(c), r.eta(), r.kl(),
                    r.klTarget(), r.rounds(), r.converged(), u == null ? null : u.predictedImprovement(),
                    u == null ? null : u.actualImprovement()));
        }
        IterationState state = new IterationState(iteration, config.algorithm(), states);
        // The state file is what marks this step complete: withdrawn before the controllers are
        // replaced, written after them, so a kill in between leaves no state vouching for them.
        AtomicOutput.withdraw(run.hadoopConf(), run.state(iteration).toString());
        ControllerOutputs.write(spark, run, iteration + 1, next, "trajopt");
        AtomicOutput.writeFile(run.hadoopConf(), run.state(iteration).toString(),
                state.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        LOG.info("iteration {}: C-step for {} conditions in {} ms", iteration, config.conditionCount(),
                (System.nanoTime() - start) / 1_000_000);
        return state;
    }

    public static IterationState readState(RunDirectory run, int iteration) {
        String p = run.state(iteration).toString();
        if (!HadoopFiles.exists(run.hadoopConf(), p)) {
            throw new BadInputException(p + ": missing; run 'gps trajopt --iteration " + iteration + "' first");
        }
        return IterationState.fromJson(HadoopFiles.readUtf8(run.hadoopConf(), run.state(iteration)), p);
    }

    static CostEvaluation.Result costs(SparkSession spark, RunDirectory run, ExperimentConfig config, int iteration) {
        Dataset<Row> rollouts = RolloutReader.readComplete(spark, run.rollouts(iteration).toString());
        return CostEvaluation.evaluate(rollouts, config.costs());
    }

    private static TrajectoryModel model(DynamicsOutputs.Models dyn, CostEvaluation.Result cost, int c) {
        return new TrajectoryModel(dyn.dynamics().get(c), dyn.initialStates().get(c), cost.models().get(c));
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }
}
