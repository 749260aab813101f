package org.gps.core.gmm;

import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GmmDensityTest {

    /**
     * The E-step's panelled whitening (PointKernels.Whitening: row panels of 16, chunks of 256
     * points) against one triangular solve per point and cluster, for dimensions below, at and
     * across panel edges and a block longer than one chunk.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 5, 16, 17, 59})
    void logJointMatchesADirectSolvePerPointAndCluster(int d) {
        Random r = new Random(d);
        int kk = 3;
        double[] logMass = {Math.log(0.2), Math.log(0.3), Math.log(0.5)};
        double[][] means = new double[kk][d];
        Mat[] covs = new Mat[kk];
        for (int k = 0; k < kk; k++) {
            double[][] a = new double[d][d];
            for (int i = 0; i < d; i++) {
                means[k][i] = r.nextGaussian();
                for (int j = 0; j < d; j++) {
                    a[i][j] = r.nextGaussian();
                }
            }
            Mat m = Mat.of(a);
            covs[k] = m.times(m.transpose()).scale(1.0 / d).plusDiagonal(0.1);
        }
        Gmm g = new Gmm(logMass, means, covs, 1000);
        List<double[]> pts = new ArrayList<>();
        for (int j = 0; j < 600; j++) {
            double[] p = new double[d];
            for (int i = 0; i < d; i++) {
                p[i] = 2 * r.nextGaussian();
            }
            pts.add(p);
        }
        double[] lj = g.logJoint(PointBlock.of(0, pts, 0));
        for (int j = 0; j < pts.size(); j++) {
            for (int k = 0; k < kk; k++) {
                Cholesky c = Cholesky.of(covs[k]);
                double[] diff = new double[d];
                for (int i = 0; i < d; i++) {
                    diff[i] = pts.get(j)[i] - means[k][i];
                }
                double[] z = c.solveLower(diff);
                double s = 0;
                for (double v : z) {
                    s += v * v;
                }
                double expected = logMass[k] - 0.5 * (d * Math.log(2 * Math.PI) + c.logDet()) - 0.5 * s;
                // Both are sums of O(d^2) products of order-one numbers with condition numbers of
                // at most a few hundred: agreement to 1e-9 relative is rounding.
                assertEquals(expected, lj[j * kk + k], 1e-9 * Math.max(1, Math.abs(expected)),
                        "point " + j + ", cluster " + k);
            }
        }
    }

    /**
     * The prior leaves out clusters whose averaged posterior is exactly 0 (far from every query
     * point, each point's term there underflows); their share would be zeros, so the result must
     * be the same to the bit as the full sum over clusters, computed here the long way.
     */
    @Test
    void priorIgnoringClustersWithoutWeightEqualsTheFullSumToTheBit() {
        Random r = new Random(5);
        int d = 11;
        int kk = 4;
        double[][] means = new double[kk][d];
        Mat[] covs = new Mat[kk];
        for (int k = 0; k < kk; k++) {
            double[][] a = new double[d][d];
            for (int i = 0; i < d; i++) {
                // Clusters 2 and 3 sit 1,000 standard deviations away from the query points.
                means[k][i] = r.nextGaussian() + (k >= 2 ? 1000 : 0);
                for (int j = 0; j < d; j++) {
                    a[i][j] = r.nextGaussian();
                }
            }
            Mat m = Mat.of(a);
            covs[k] = m.times(m.transpose()).scale(1.0 / d).plusDiagonal(0.5);
        }
        Gmm g = new Gmm(new double[] {Math.log(0.4), Math.log(0.3), Math.log(0.2), Math.log(0.1)}, means, covs, 500);
        List<double[]> pts = new ArrayList<>();
        for (int j = 0; j < 9; j++) {
            double[] p = new double[d];
            for (int i = 0; i < d; i++) {
                p[i] = r.nextGaussian();
            }
            pts.add(p);
        }
        PointBlock query = PointBlock.of(0, pts, 0);
        double strength = 1.5;
        org.gps.core.dynamics.NiwPrior prior = g.prior(query, strength);

        double[] post = g.posteriors(query, null);
        double[] w = new double[kk];
        for (int j = 0; j < pts.size(); j++) {
            for (int k = 0; k < kk; k++) {
                w[k] += post[j * kk + k];
            }
        }
        assertEquals(0.0, w[2], 0.0);
        assertEquals(0.0, w[3], 0.0);
        double[] mu0 = new double[d];
        for (int k = 0; k < kk; k++) {
            w[k] /= pts.size();
            for (int i = 0; i < d; i++) {
                mu0[i] += w[k] * means[k][i];
            }
        }
        double[] phi = new double[d * d];
        for (int k = 0; k < kk; k++) {
            double[] cov = covs[k].toColumnMajor();
            for (int c = 0; c < d; c++) {
                for (int row = 0; row < d; row++) {
                    phi[c * d + row] += w[k] * cov[c * d + row] + w[k] * (means[k][c] - mu0[c]) * (means[k][row] - mu0[row]);
                }
            }
        }
        for (int c = 0; c < d; c++) {
            for (int row = c + 1; row < d; row++) {
                double v = 0.5 * (phi[c * d + row] + phi[row * d + c]) * strength;
                phi[c * d + row] = v;
                phi[row * d + c] = v;
            }
            phi[c * d + c] *= strength;
        }
        double[] got = prior.phi().toColumnMajor();
        for (int i = 0; i < d; i++) {
            assertEquals(Double.doubleToLongBits(mu0[i]), Double.doubleToLongBits(prior.mu0()[i]), "mu0 " + i);
        }
        for (int i = 0; i < d * d; i++) {
            assertEquals(Double.doubleToLongBits(phi[i]), Double.doubleToLongBits(got[i]), "phi " + i);
        }
    }
}
