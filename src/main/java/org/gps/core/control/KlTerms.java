package org.gps.core.control;

import org.gps.core.linalg.Mat;

/**
 * Per-step pieces of -log p(u | x) of a linear-Gaussian controller written as a quadratic in
 * y = [x; u] (docs/algorithm.md section 6): with P = S^{-1},
 * M = [[K^T P K, -K^T P], [-P K, P]], v = [K^T P k; -P k], c = 0.5 k^T P k, plus log det S.
 * For the reference controller M and v are exactly PKL_t and pkl_t of the surrogate cost, so
 * the C-step computes them once per call rather than once per backward pass.
 */
final class KlTerms {
    final Mat[] m;
    final double[][] v;
    final double[] c;
    final double[] logDetCov;
    /** P_t, P_t K_t and P_t k_t, which the per-step backward pass needs on their own. */
    final Mat[] precision;
    final Mat[] precisionGain;
    final double[][] precisionOffset;

    private KlTerms(int horizon) {
        m = new Mat[horizon];
        v = new double[horizon][];
        c = new double[horizon];
        logDetCov = new double[horizon];
        precision = new Mat[horizon];
        precisionGain = new Mat[horizon];
        precisionOffset = new double[horizon][];
    }

    static KlTerms of(LinearGaussianController ctrl) {
        int horizon = ctrl.horizon();
        int dX = ctrl.stateDim();
        int dU = ctrl.actionDim();
        KlTerms terms = new KlTerms(horizon);
        for (int t = 0; t < horizon; t++) {
            Mat p = ctrl.precision(t);
            Mat gain = ctrl.gain(t);
            double[] k = ctrl.offset(t);
            Mat pk = p.times(gain);
            Mat kpk = gain.transposeTimes(pk).symmetrize();
            Mat negPk = pk.negate();
            terms.m[t] = Mat.blocks(kpk, negPk.transpose(), negPk, p);
            double[] pOff = p.times(k);
            double[] kTpOff = gain.transposeTimes(pOff);
            double[] vt = new double[dX + dU];
            System.arraycopy(kTpOff, 0, vt, 0, dX);
            for (int i = 0; i < dU; i++) {
                vt[dX + i] = -pOff[i];
            }
            terms.v[t] = vt;
            terms.c[t] = 0.5 * org.gps.core.linalg.Vec.dot(k, pOff);
            terms.logDetCov[t] = logDet(ctrl.choleskyFactor(t));
            terms.precision[t] = p;
            terms.precisionGain[t] = pk;
            terms.precisionOffset[t] = pOff;
        }
        return terms;
    }

    /** log det of L L^T from the lower factor L. */
    private static double logDet(Mat lower) {
        double s = 0;
        for (int i = 0; i < lower.rows(); i++) {
            s += Math.log(lower.get(i, i));
        }
        return 2 * s;
    }
}
