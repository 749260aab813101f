package org.gps.core.dynamics;

import org.gps.core.linalg.Mat;

/** The initial-state distribution of a condition and its prior (docs/algorithm.md sections 3 and 5). */
public final class InitialStateFit {
    private InitialStateFit() {
    }

    /**
     * The initial-state prior over the x0 of every trajectory in the prior's window: mu0 = mean,
     * Phi = diag(var) * m, m = n0 = dX * strength (variances divided by the count, as numpy's).
     */
    public static NiwPrior prior(double[][] windowX0, double strength) {
        int dx = windowX0[0].length;
        double[] mean = mean(windowX0);
        double[] var = variance(windowX0, mean);
        double m = dx * strength;
        double[] phi = new double[dx];
        for (int i = 0; i < dx; i++) {
            phi[i] = var[i] * m;
        }
        return new NiwPrior(mean, Mat.diag(phi), m, m);
    }

    /**
     * x0mu = mean of the samples' x0; x0sigma = diag(max(var x0, initialStateVar)) + Phi0 +
     * (N m / (N + m)) (x0mu - mu0)(x0mu - mu0)^T / (N + n0), as the original computes it (Phi0 is
     * added undivided). With no prior, only the first term.
     */
    public static InitialStateDistribution fit(double[][] x0, NiwPrior prior, double initialStateVar) {
        int n = x0.length;
        int dx = x0[0].length;
        double[] mean = mean(x0);
        double[] var = variance(x0, mean);
        for (int i = 0; i < dx; i++) {
            var[i] = Math.max(var[i], initialStateVar);
        }
        Mat sigma = Mat.diag(var);
        if (prior != null) {
            double[] d = new double[dx];
            double[] mu0 = prior.mu0();
            for (int i = 0; i < dx; i++) {
                d[i] = mean[i] - mu0[i];
            }
            double m = prior.m();
            sigma = sigma.plus(prior.phi()).plusScaled(n * m / (n + m) / (n + prior.n0()), Mat.outer(d, d));
        }
        return new InitialStateDistribution(mean, sigma.symmetrize());
    }

    static double[] mean(double[][] rows) {
        double[] m = new double[rows[0].length];
        for (double[] r : rows) {
            for (int i = 0; i < m.length; i++) {
                m[i] += r[i] / rows.length;
            }
        }
        return m;
    }

    static double[] variance(double[][] rows, double[] mean) {
        double[] v = new double[mean.length];
        for (double[] r : rows) {
            for (int i = 0; i < v.length; i++) {
                double d = r[i] - mean[i];
                v[i] += d * d / rows.length;
            }
        }
        return v;
    }
}
