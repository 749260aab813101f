package org.gps.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.env.EnvironmentSpec;
import org.gps.core.env.Pendulum;
import org.gps.core.sample.RolloutPolicy;
import org.gps.io.HadoopFiles;
import org.gps.io.RolloutReader;
import org.gps.io.RolloutSchema;
import org.gps.io.RolloutWriter;
import org.gps.io.SchemaVersionFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The applied action (u_applied) from the simulator through the rollout files into the dynamics
 * fits: on the Pendulum, whose plant clips the torque to max_torque = 2, a command beyond the
 * limit is recorded as commanded in u and as clipped in u_applied; the fits on the applied action
 * differ from those on the commanded one exactly when something was clipped.
 */
class AppliedActionsTest {
    private static final double MAX_TORQUE = 2.0;
    private static final List<double[]> STARTS = List.of(Pendulum.stateOf(Math.PI, 0), Pendulum.stateOf(0.5, 0));

    /** u_t = amplitude cos(0.3 t) + scale eps_t: open loop, so the commanded action is known exactly. */
    private record OpenLoop(double amplitude, double scale) implements RolloutPolicy, Serializable {
        @Override
        public double[] act(int t, double[] x, double[] o, double[] eps) {
            return new double[] {amplitude * Math.cos(0.3 * t) + scale * eps[0]};
        }
    }

    private static Dataset<Row> pendulumRollouts(OpenLoop policy, int samples, int horizon) {
        RolloutSampling.Request req = new RolloutSampling.Request(new EnvironmentSpec(Pendulum.TYPE, Map.of()), STARTS,
                Map.of(0, policy, 1, policy), samples, horizon, 17, 0, RolloutSchema.SOURCE_CONTROLLER);
        return RolloutSampling.sample(SparkTestSession.get(), req);
    }

    @Test
    void sampledRolloutsKeepTheCommandedActionInUAndTheClippedOneInUAppliedThroughAWriteAndRead(@TempDir Path dir) {
        SparkSession spark = SparkTestSession.get();
        String path = dir.resolve("rollouts").toString();
        // Amplitude 4: half of each period lies beyond the limit of 2.
        RolloutWriter.write(pendulumRollouts(new OpenLoop(4.0, 0.0), 2, 25), path);

        assertEquals(OptionalInt.of(2), SchemaVersionFile.read(HadoopFiles.conf(spark), path));
        assertTrue(RolloutReader.storesAppliedActions(spark, path));
        List<Row> rows = RolloutReader.readComplete(spark, path).collectAsList();
        assertEquals(2 * 2 * 25, rows.size());
        int clipped = 0;
        for (Row r : rows) {
            int t = r.getInt(r.fieldIndex(RolloutSchema.T));
            double commanded = 4.0 * Math.cos(0.3 * t);
            List<Double> u = r.getList(r.fieldIndex(RolloutSchema.U));
            List<Double> applied = r.getList(r.fieldIndex(RolloutSchema.U_APPLIED));
            // Exact: the stored doubles are the policy's and the plant's own, not recomputed.
            assertEquals(List.of(commanded), u, "u at t=" + t);
            assertEquals(List.of(Math.max(-MAX_TORQUE, Math.min(MAX_TORQUE, commanded))), applied, "u_applied at t=" + t);
            clipped += Math.abs(commanded) > MAX_TORQUE ? 1 : 0;
        }
        assertTrue(clipped > 0 && clipped < rows.size(), clipped + " rows beyond the limit");
    }

    @Test
    void appliedFitsDifferFromCommandedOnesWhenTheTorqueWasClippedAndFindThePlantsGain() {
        // Commands of std 3 against the limit 2: about half of them are clipped.
        Fits f = fitBoth(pendulumRollouts(new OpenLoop(0.0, 3.0), 20, 15));
        try {
            assertFalse(sameBits(f.commanded, f.applied), "the fits must differ when actions were clipped");
            // The plant adds 3/(m l^2) u dt = 0.15 u to thdot (Gym's Pendulum, m = l = 1, dt = 0.05), linearly
            // in the applied torque, so the applied fit's gain of thdot on u is that number up to the fit's
            // error from the pendulum's nonlinearity in x over 20 samples (measured within 2e-5; 1e-3 allowed).
            // On the command the slope is attenuated by about P(|u| < 2) = 0.5 for u ~ N(0, 9): near 0.075
            // (measured 0.064 to 0.103 over t).
            double[] appliedGain = thdotOnU(f.applied);
            double[] commandedGain = thdotOnU(f.commanded);
            for (int t = 0; t < appliedGain.length; t++) {
                assertEquals(0.15, appliedGain[t], 1e-3, "applied gain at t=" + t);
                assertTrue(commandedGain[t] < 0.12, "commanded gain at t=" + t + ": " + commandedGain[t]);
            }
        } finally {
            f.release();
        }
    }

    @Test
    void appliedFitsEqualCommandedOnesBitForBitWhenNothingWasClipped() {
        // Commands of std 0.3: the limit 2 is more than 6 standard deviations away.
        Dataset<Row> rows = pendulumRollouts(new OpenLoop(0.0, 0.3), 20, 15);
        for (Row r : rows.collectAsList()) {
            assertEquals(r.getList(r.fieldIndex(RolloutSchema.U)), r.getList(r.fieldIndex(RolloutSchema.U_APPLIED)));
        }
        Fits f = fitBoth(rows);
        try {
            assertTrue(sameBits(f.commanded, f.applied), "nothing clipped: the same fits");
        } finally {
            f.release();
        }
    }

    @Test
    void fittingOnTheAppliedActionRefusesTrajectoriesThatDoNotRecordIt() {
        SparkSession spark = SparkTestSession.get();
        // Version-1 rows: u_applied null everywhere.
        Dataset<Row> v1 = DynamicsFittingTest.linearRollouts(spark, 1, 4, 6, 1);
        DynamicsOptions applied = DynamicsOptions.defaults(1).withAction(DynamicsOptions.Action.APPLIED);

        // Thrown in the census task: Spark wraps it, and the CLI finds it in the causes.
        Throwable thrown = assertThrows(Exception.class, () -> DynamicsFitting.fit(
                TrajectoryGroups.trajectories(v1, "logged-v1"), DynamicsFitting.CurrentSet.all(), applied, Map.of(), 1,
                DynamicsFitting.Source.rollouts("logged-v1", read -> { })));
        while (!(thrown instanceof BadInputException) && thrown.getCause() != null) {
            thrown = thrown.getCause();
        }
        BadInputException e = assertInstanceOf(BadInputException.class, thrown);
        assertTrue(e.getMessage().startsWith("logged-v1: trajectory (iteration=0, condition=0, sample="), e.getMessage());
        assertTrue(e.getMessage().contains("does not record u_applied"), e.getMessage());
    }

    private record Fits(DynamicsFitting.Result commanded, DynamicsFitting.Result applied) {
        void release() {
            commanded.steps().unpersist(false);
            applied.steps().unpersist(false);
        }
    }

    private static Fits fitBoth(Dataset<Row> rows) {
        DynamicsOptions options = DynamicsOptions.defaults(4);
        DynamicsFitting.Result commanded = DynamicsFitting.fit(TrajectoryGroups.trajectories(rows),
                DynamicsFitting.CurrentSet.all(), options, Map.of(), 4);
        DynamicsFitting.Result applied = DynamicsFitting.fit(TrajectoryGroups.trajectories(rows),
                DynamicsFitting.CurrentSet.all(), options.withAction(DynamicsOptions.Action.APPLIED), Map.of(), 4);
        return new Fits(commanded, applied);
    }

    /** Condition 0's gain of thdot_{t+1} (row 2) on u_t (column dX = 3), by t. */
    private static double[] thdotOnU(DynamicsFitting.Result fit) {
        return fit.steps().collect().stream().filter(s -> s.condition() == 0)
                .sorted(java.util.Comparator.comparingInt(DynamicsFitting.StepFit::t))
                .mapToDouble(s -> s.model().gain().get(2, 3)).toArray();
    }

    /** Every per-step model, every GMM and every x0 fit equal to the bit. */
    private static boolean sameBits(DynamicsFitting.Result a, DynamicsFitting.Result b) {
        List<DynamicsFitting.StepFit> sa = sorted(a);
        List<DynamicsFitting.StepFit> sb = sorted(b);
        if (sa.size() != sb.size()) {
            return false;
        }
        for (int i = 0; i < sa.size(); i++) {
            DynamicsFitting.StepFit x = sa.get(i);
            DynamicsFitting.StepFit y = sb.get(i);
            if (x.condition() != y.condition() || x.t() != y.t()
                    || !Arrays.equals(x.model().gain().toRowMajor(), y.model().gain().toRowMajor())
                    || !Arrays.equals(x.model().offset(), y.model().offset())
                    || !Arrays.equals(x.model().covariance().toRowMajor(), y.model().covariance().toRowMajor())) {
                return false;
            }
        }
        for (int g : a.gmms().keySet()) {
            var ga = a.gmms().get(g).model();
            var gb = b.gmms().get(g).model();
            if (ga.clusters() != gb.clusters()) {
                return false;
            }
            for (int k = 0; k < ga.clusters(); k++) {
                if (!Arrays.equals(ga.mean(k), gb.mean(k)) || ga.logMass(k) != gb.logMass(k)
                        || !Arrays.equals(ga.covariance(k).toRowMajor(), gb.covariance(k).toRowMajor())) {
                    return false;
                }
            }
        }
        for (int c : a.initialStates().keySet()) {
            assertArrayEquals(a.initialStates().get(c).mean(), b.initialStates().get(c).mean(), 0.0,
                    "the x0 fit reads states only");
        }
        return true;
    }

    private static List<DynamicsFitting.StepFit> sorted(DynamicsFitting.Result r) {
        return r.steps().collect().stream().sorted(java.util.Comparator.comparingInt(DynamicsFitting.StepFit::condition)
                .thenComparingInt(DynamicsFitting.StepFit::t)).toList();
    }
}
