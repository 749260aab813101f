package org.gps.pipeline.steps;

import org.gps.core.control.LaplaceCost;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.control.StepSizeRule;
import org.gps.core.control.StepSizeUpdate;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.control.TrajectoryModel;
import org.gps.core.cost.ActionCost;
import org.gps.core.cost.CostSum;
import org.gps.core.cost.QuadraticCostAccumulator;
import org.gps.core.cost.StateCost;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;
import org.gps.pipeline.config.StepSizeScope;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** MDGPS's step-size rule over the conditions: one multiplier for all, or each condition its own. */
class MdgpsStepSizeTest {
    private static final int T = 5;
    private static final TrajOptOptions OPTIONS = TrajOptOptions.defaults();

    /** Two conditions whose policies follow their controllers differently: the estimates differ per condition. */
    private record Inputs(Map<Integer, LinearGaussianController> prevLin, Map<Integer, TrajectoryModel> prevModels,
                          Map<Integer, LinearGaussianController> last, Map<Integer, LinearGaussianController> curLin,
                          Map<Integer, TrajectoryModel> curModels, Map<Integer, Double> stepMults) {
    }

    private static Inputs inputs() {
        Random rnd = new Random(7);
        Inputs in = new Inputs(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(),
                new TreeMap<>());
        for (int c = 0; c < 2; c++) {
            in.prevModels().put(c, model(rnd));
            in.curModels().put(c, model(rnd));
            in.prevLin().put(c, controller(rnd));
            in.last().put(c, controller(rnd));
            in.curLin().put(c, controller(rnd));
            in.stepMults().put(c, c == 0 ? 1.0 : 2.0);
        }
        return in;
    }

    @Test
    void perConditionGivesEachConditionTheRuleOnItsOwnEstimates() {
        Inputs in = inputs();
        Map<Integer, StepSizeUpdate> u = MdgpsSteps.stepSizes(in.prevLin(), in.prevModels(), in.last(), in.curLin(),
                in.curModels(), in.stepMults(), StepSizeScope.PER_CONDITION, OPTIONS);
        for (int c = 0; c < 2; c++) {
            double prev = LaplaceCost.estimate(in.prevModels().get(c), in.prevLin().get(c));
            double predicted = prev - LaplaceCost.estimate(in.prevModels().get(c), in.last().get(c));
            double actual = prev - LaplaceCost.estimate(in.curModels().get(c), in.curLin().get(c));
            StepSizeUpdate own = StepSizeRule.update(predicted, actual, in.stepMults().get(c), OPTIONS);
            // The same three estimates in the same order: the same doubles.
            assertEquals(own.stepMult(), u.get(c).stepMult(), 0.0);
            assertEquals(own.predictedImprovement(), u.get(c).predictedImprovement(), 0.0);
        }
        assertNotEquals(u.get(0).stepMult(), u.get(1).stepMult(), "the fixture's conditions must differ");
    }

    @Test
    void sharedGivesEveryConditionTheRuleOnTheAveragedEstimates() {
        Inputs in = inputs();
        Map<Integer, StepSizeUpdate> u = MdgpsSteps.stepSizes(in.prevLin(), in.prevModels(), in.last(), in.curLin(),
                in.curModels(), in.stepMults(), StepSizeScope.SHARED, OPTIONS);
        double prev = 0;
        double predictedCost = 0;
        double cur = 0;
        for (int c = 0; c < 2; c++) {
            prev += LaplaceCost.estimate(in.prevModels().get(c), in.prevLin().get(c)) / 2;
            predictedCost += LaplaceCost.estimate(in.prevModels().get(c), in.last().get(c)) / 2;
            cur += LaplaceCost.estimate(in.curModels().get(c), in.curLin().get(c)) / 2;
        }
        // The shared multiplier carries condition 0's (every condition holds the same one in a shared run).
        StepSizeUpdate shared = StepSizeRule.update(prev - predictedCost, prev - cur, 1.0, OPTIONS);
        for (int c = 0; c < 2; c++) {
            assertEquals(shared.stepMult(), u.get(c).stepMult(), 0.0);
            assertEquals(shared.actualImprovement(), u.get(c).actualImprovement(), 0.0);
        }
    }

    private static TrajectoryModel model(Random rnd) {
        Mat[] f = new Mat[T - 1];
        double[][] off = new double[T - 1][];
        Mat[] q = new Mat[T - 1];
        for (int t = 0; t < T - 1; t++) {
            f[t] = Mat.of(new double[][] {{0.9 + 0.1 * rnd.nextGaussian(), 0.3 + 0.1 * rnd.nextGaussian()}});
            off[t] = new double[] {0.1 * rnd.nextGaussian()};
            q[t] = Mat.eye(1, 0.01);
        }
        QuadraticCostAccumulator acc = new QuadraticCostAccumulator(T, 1, 1);
        for (int n = 0; n < 2; n++) {
            double[][] x = new double[T][];
            double[][] u = new double[T][];
            for (int t = 0; t < T; t++) {
                x[t] = new double[] {rnd.nextGaussian()};
                u[t] = new double[] {rnd.nextGaussian()};
            }
            acc.add(CostSum.of(StateCost.of(new double[] {0.0}, new double[] {1.0}), new ActionCost(new double[] {0.1})),
                    x, u);
        }
        return new TrajectoryModel(LinearGaussianDynamics.of(f, off, q),
                new InitialStateDistribution(new double[] {1.0 + rnd.nextGaussian()}, Mat.eye(1, 0.1)), acc.result());
    }

    private static LinearGaussianController controller(Random rnd) {
        Mat[] k = new Mat[T];
        double[][] o = new double[T][];
        Mat[] s = new Mat[T];
        for (int t = 0; t < T; t++) {
            k[t] = Mat.of(new double[][] {{-0.5 + 0.3 * rnd.nextGaussian()}});
            o[t] = new double[] {0.3 * rnd.nextGaussian()};
            s[t] = Mat.eye(1, 0.2 + 0.1 * rnd.nextDouble());
        }
        return LinearGaussianController.of(k, o, s);
    }
}
