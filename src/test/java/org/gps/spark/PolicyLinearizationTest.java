package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.policy.Mlp;
import org.gps.core.policy.ObservationNormalizer;
import org.gps.core.policy.Policy;
import org.gps.core.policy.PolicyOptions;
import org.gps.core.sample.Trajectory;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PolicyLinearizationTest {
    private static final int DX = 3;
    private static final int DU = 2;
    private static final int T = 6;

    /** A network without hidden layers is the affine map W (scale o + bias) + b. */
    private static final double[] W = {0.5, -1.0, 2.0, 1.5, 0.25, -0.75};
    private static final double[] B = {0.3, -0.2};
    private static final double[] SCALE = {2.0, 0.5, 1.0};
    private static final double[] BIAS = {0.1, -0.4, 0.0};

    /** The rows [x_t, f(o_t)] of a stretch of a trajectory, taken at once, are those taken one by one. */
    @Test
    void rowsTakenTogetherAreTheRowsTakenOneByOne() {
        Random r = new Random(3);
        int[] sizes = {DX, 16, DU};
        double[] params = new double[Mlp.parameterCount(sizes)];
        for (int i = 0; i < params.length; i++) {
            params[i] = r.nextGaussian();
        }
        Policy policy = new Policy(Mlp.of(sizes, params), new ObservationNormalizer(SCALE, BIAS), new double[] {0.1, 0.2});
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        org.apache.spark.broadcast.Broadcast<Policy> b = jsc.broadcast(policy);
        try {
            DynamicsFitting.JointRows layout = PolicyLinearization.rows(b);
            int horizon = 11;
            double[][] x = new double[horizon][DX];
            for (double[] row : x) {
                for (int i = 0; i < DX; i++) {
                    row[i] = 2 * r.nextGaussian();
                }
            }
            Trajectory t = new Trajectory(x, new double[horizon][DU], x);
            for (int[] range : new int[][] {{0, horizon}, {3, 8}, {10, 11}, {4, 4}}) {
                double[][] together = layout.rows(t, range[0], range[1]);
                assertEquals(range[1] - range[0], together.length);
                for (int s = range[0]; s < range[1]; s++) {
                    double[] alone = layout.row(t, s);
                    double[] got = together[s - range[0]];
                    assertEquals(alone.length, got.length);
                    for (int i = 0; i < alone.length; i++) {
                        assertEquals(Double.doubleToRawLongBits(alone[i]), Double.doubleToRawLongBits(got[i]),
                                "rows " + range[0] + "-" + range[1] + ", t=" + s + ", entry " + i);
                    }
                }
            }
        } finally {
            b.destroy();
        }
    }

    @Test
    void theLinearizationOfALinearPolicyRecoversItsGainsAndVariance() {
        double[] params = new double[DU * DX + DU];
        System.arraycopy(W, 0, params, 0, W.length);
        System.arraycopy(B, 0, params, W.length, DU);
        Policy policy = new Policy(Mlp.of(new int[] {DX, DU}, params), new ObservationNormalizer(SCALE, BIAS),
                new double[] {0.1, 0.2});
        // Two conditions, 8 samples each, states spread at every t (o = x, as for Pendulum).
        Random r = new Random(5);
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> data = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            for (int n = 0; n < 8; n++) {
                double[][] x = new double[T][DX];
                double[][] u = new double[T][DU];
                for (int t = 0; t < T; t++) {
                    for (int i = 0; i < DX; i++) {
                        x[t][i] = c + r.nextGaussian();
                    }
                }
                data.add(new Tuple2<>(new TrajectoryGroups.Key(0, c, n), new Trajectory(x, u, x)));
            }
        }
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> rdd = JavaSparkContext.fromSparkContext(
                SparkTestSession.get().sparkContext()).parallelizePairs(data, 3);

        PolicyLinearization.Result res = PolicyLinearization.fit(rdd, DynamicsFitting.CurrentSet.all(), policy,
                PolicyOptions.defaultPrior(11), 11);

        // Expected: K = W diag(scale), k = W bias + b.
        double[][] k = new double[DU][DX];
        double[] off = B.clone();
        for (int a = 0; a < DU; a++) {
            for (int i = 0; i < DX; i++) {
                k[a][i] = W[a * DX + i] * SCALE[i];
                off[a] += W[a * DX + i] * BIAS[i];
            }
        }
        assertEquals(2, res.controllers().size());
        for (LinearGaussianController lin : res.controllers().values()) {
            assertEquals(T, lin.horizon());
            for (int t = 0; t < T; t++) {
                // The rows lie exactly on the policy's affine map and so do the prior's cluster means
                // and scatter, so the MAP fit's conditional is the map except for the ridges: EM's 1e-6
                // on every cluster covariance (it reaches Phi, weight n0 / (N + n0) < 1) and 1e-8 on
                // the x block at t = 0, each a relative change of order 1e-6 for states of spread ~1;
                // gains up to 3 give errors up to ~3e-6. A wrong gain or offset is off by order 1.
                for (int a = 0; a < DU; a++) {
                    for (int i = 0; i < DX; i++) {
                        assertEquals(k[a][i], lin.gain(t).get(a, i), 1e-5, "K[" + t + "](" + a + "," + i + ")");
                    }
                    assertEquals(off[a], lin.offset(t)[a], 1e-5, "k[" + t + "][" + a + "]");
                }
                // No residual: Sb is the policy's own covariance, plus what EM's 1e-6 ridge on the
                // prior's cluster covariances leaves in the output block (of order 1e-6).
                assertEquals(0.1, lin.covariance(t).get(0, 0), 1e-5);
                assertEquals(0.2, lin.covariance(t).get(1, 1), 1e-5);
                assertEquals(0.0, lin.covariance(t).get(0, 1), 1e-5);
            }
        }
    }
}
