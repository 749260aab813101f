package org.gps.core.control;

import org.gps.core.linalg.Mat;

/**
 * KL divergence between a new controller p and a reference pb, in expectation over the new
 * state-action marginals (docs/algorithm.md section 6): per step
 * kl_t = max(0, -0.5 mu^T (Mn - Mp) mu - mu^T (vn - vp) - cn + cp - 0.5 tr(Sigma (Mn - Mp))
 * - 0.5 logdet Sn + 0.5 logdet Sp), which is E_{y ~ N(mu, Sigma)}[log p(u|x) - log pb(u|x)] when
 * (mu, Sigma) are the marginals under p.
 */
public final class ControllerKL {
    private ControllerKL() {
    }

    /** kl_t for every t, each clipped at 0. */
    public static double[] perStep(StateActionMarginals marginals, LinearGaussianController newController,
                                   LinearGaussianController reference) {
        requireSameShape(newController, reference);
        if (marginals.horizon() != newController.horizon() || marginals.stateDim() != newController.stateDim()) {
            throw new IllegalArgumentException("marginals of T=" + marginals.horizon() + ", dX=" + marginals.stateDim()
                    + " for controllers of T=" + newController.horizon() + ", dX=" + newController.stateDim());
        }
        return perStep(marginals, KlTerms.of(newController), KlTerms.of(reference));
    }

    /** sum_t kl_t. */
    public static double total(StateActionMarginals marginals, LinearGaussianController newController,
                               LinearGaussianController reference) {
        return sum(perStep(marginals, newController, reference));
    }

    static double[] perStep(StateActionMarginals marginals, KlTerms n, KlTerms p) {
        int horizon = marginals.horizon();
        double[] kl = new double[horizon];
        for (int t = 0; t < horizon; t++) {
            double[] mu = marginals.rawMean(t);
            Mat dm = n.m[t].minus(p.m[t]);
            double[] dmMu = dm.times(mu);
            double quad = 0;
            double lin = 0;
            for (int i = 0; i < mu.length; i++) {
                quad += mu[i] * dmMu[i];
                lin += mu[i] * (n.v[t][i] - p.v[t][i]);
            }
            double value = -0.5 * quad - lin - n.c[t] + p.c[t] - 0.5 * marginals.covariance(t).traceOfProduct(dm)
                    - 0.5 * n.logDetCov[t] + 0.5 * p.logDetCov[t];
            kl[t] = Math.max(0.0, value);
        }
        return kl;
    }

    static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    private static void requireSameShape(LinearGaussianController a, LinearGaussianController b) {
        if (a.horizon() != b.horizon() || a.stateDim() != b.stateDim() || a.actionDim() != b.actionDim()) {
            throw new IllegalArgumentException("KL between controllers of different shapes: " + a + " and " + b);
        }
    }
}
