package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * The LQR backward pass under a KL penalty towards a reference controller (docs/algorithm.md
 * section 6).
 *
 * <p>Scalar mode: surrogate cost fCm_t = Cm_t/(eta+omega) + eta/(eta+omega) PKL_t,
 * fcv_t = cv_t/(eta+omega) + eta/(eta+omega) pkl_t; then from V_T = 0,
 * Qtt = fCm_t + F^T Vxx' F, Qt = fcv_t + F^T (Vx' + Vxx' f), S_t = Qtt_uu^{-1},
 * K_t = -Qtt_uu^{-1} Qtt_ux, k_t = -Qtt_uu^{-1} Qt_u, Vxx = Qtt_xx + Qtt_xu K, Vx = Qt_x + Qtt_xu k.
 * If some Qtt_uu is not positive definite, eta becomes eta0 + del with del doubling from del0,
 * and the pass restarts.
 *
 * <p>Per-step mode (`cons_per_step`): Q is built from the raw cost, and each step's controller
 * minimises E[Q]/eta_t + KL(p || pb) at that step alone: precision Qtt_uu/eta_t + Pb,
 * K = -S (Qtt_ux/eta_t - Pb Kb), k = -S (Qt_u/eta_t - Pb kb). V is then the raw cost-to-go of
 * that controller: Vxx = Qxx + K^T Quu K + Qxu K + K^T Qux, Vx = Qx + K^T Qu + K^T Quu k + Qxu k
 * (as in the original, the KL terms are not carried into V). A failure at step t raises eta_t
 * alone.
 */
public final class LqrBackwardPass {
    private static final Logger LOG = LoggerFactory.getLogger(LqrBackwardPass.class);

    private LqrBackwardPass() {
    }

    /** Scalar-eta backward pass towards {@code reference}. */
    public static LqrSolution solve(LinearGaussianDynamics dynamics, QuadraticCostModel cost,
                                    LinearGaussianController reference, double eta, TrajOptOptions options) {
        checkShapes(dynamics, cost, reference);
        return solve(dynamics, cost, KlTerms.of(reference), eta, options);
    }

    /** Per-step backward pass ({@code cons_per_step}) with one eta per step. */
    public static LqrSolution solvePerStep(LinearGaussianDynamics dynamics, QuadraticCostModel cost,
                                           LinearGaussianController reference, double[] etas, TrajOptOptions options) {
        checkShapes(dynamics, cost, reference);
        return solvePerStep(dynamics, cost, KlTerms.of(reference), etas, options);
    }

    static LqrSolution solve(LinearGaussianDynamics dynamics, QuadraticCostModel cost, KlTerms ref, double eta0,
                             TrajOptOptions options) {
        return solve(dynamics, cost, ref, eta0, options, null, null);
    }

    /**
     * @param extraOmega per-step addition to the entropy weight max_ent_traj (BADMM's policy weights
     *                   w_t; see {@link BadmmDuals#augment}), or null for none
     * @param box        the action limits to plan within, or null for none
     */
    static LqrSolution solve(LinearGaussianDynamics dynamics, QuadraticCostModel cost, KlTerms ref, double eta0,
                             TrajOptOptions options, double[] extraOmega, Box box) {
        if (!(eta0 > 0) || !Double.isFinite(eta0)) {
            throw new IllegalArgumentException("eta must be positive and finite, got " + eta0);
        }
        requireFinite(dynamics);
        double eta = eta0;
        double del = options.del0();
        while (true) {
            int horizon = cost.horizon();
            Mat[] fCm = new Mat[horizon];
            double[][] fcv = new double[horizon][];
            for (int t = 0; t < horizon; t++) {
                double omega = options.maxEntTraj() + (extraOmega == null ? 0.0 : extraOmega[t]);
                double costScale = 1.0 / (eta + omega);
                double klScale = eta / (eta + omega);
                fCm[t] = cost.quadratic(t).scaledPlusScaled(costScale, klScale, ref.m[t]);
                fcv[t] = axpy(costScale, cost.linear(t), klScale, ref.v[t]);
            }
            Pass pass = riccati(dynamics, cost.stateDim(), cost.actionDim(), fCm, fcv, box);
            if (pass.failedAt < 0) {
                double[] etas = new double[horizon];
                Arrays.fill(etas, eta);
                return new LqrSolution(pass.controller(), eta, etas);
            }
            double old = eta;
            eta = eta0 + del;
            del *= 2;
            LOG.debug("Qtt_uu not positive definite at t={}: eta {} -> {}", pass.failedAt, old, eta);
            if (eta >= options.etaErrorThreshold()) {
                throw failure(dynamics, eta);
            }
        }
    }

    static LqrSolution solvePerStep(LinearGaussianDynamics dynamics, QuadraticCostModel cost, KlTerms ref,
                                    double[] etas0, TrajOptOptions options) {
        return solvePerStep(dynamics, cost, ref, etas0, options, null);
    }

    static LqrSolution solvePerStep(LinearGaussianDynamics dynamics, QuadraticCostModel cost, KlTerms ref,
                                    double[] etas0, TrajOptOptions options, Box box) {
        int horizon = cost.horizon();
        if (etas0.length != horizon) {
            throw new IllegalArgumentException("per-step mode needs " + horizon + " etas, got " + etas0.length);
        }
        for (int t = 0; t < horizon; t++) {
            if (!(etas0[t] > 0) || !Double.isFinite(etas0[t])) {
                throw new IllegalArgumentException("eta[" + t + "] must be positive and finite, got " + etas0[t]);
            }
        }
        requireFinite(dynamics);
        double[] etas = etas0.clone();
        double[] del = new double[horizon];
        Arrays.fill(del, options.del0());
        while (true) {
            Pass pass = perStepPass(dynamics, cost, ref, etas, options.maxEntTraj(), box);
            if (pass.failedAt < 0) {
                double mean = 0;
                for (double e : etas) {
                    mean += e / horizon;
                }
                return new LqrSolution(pass.controller(), mean, etas);
            }
            int t = pass.failedAt;
            double old = etas[t];
            // Each restart offsets from the eta this call started with (as the scalar mode does);
            // the original aliases eta0 to eta here and so accumulates the increments instead.
            etas[t] = etas0[t] + del[t];
            del[t] *= 2;
            LOG.debug("per-step Qtt_uu not positive definite at t={}: eta {} -> {}", t, old, etas[t]);
            if (etas[t] >= options.etaErrorThreshold()) {
                throw failure(dynamics, etas[t]);
            }
        }
    }

    /** Plain LQR on a given quadratic cost (no KL term): used by init_lqr. */
    static LinearGaussianController plain(LinearGaussianDynamics dynamics, int dX, int dU, Mat[] cm, double[][] cv) {
        return plain(dynamics, dX, dU, cm, cv, null);
    }

    /** Plain LQR within action limits ({@code box} null: none). */
    static LinearGaussianController plain(LinearGaussianDynamics dynamics, int dX, int dU, Mat[] cm, double[][] cv,
                                          Box box) {
        Pass pass = riccati(dynamics, dX, dU, cm, cv, box);
        if (pass.failedAt >= 0) {
            throw new LqrFailedException("Qtt_uu is not positive definite at t=" + pass.failedAt
                    + " (check that the action weights are positive)");
        }
        return pass.controller();
    }

    private static Pass riccati(LinearGaussianDynamics dynamics, int dX, int dU, Mat[] fCm, double[][] fcv, Box box) {
        int horizon = fCm.length;
        int n = dX + dU;
        Mat[] gains = new Mat[horizon];
        double[][] offsets = new double[horizon][];
        Mat[] covs = new Mat[horizon];
        Mat vxx = null;
        double[] vx = null;
        for (int t = horizon - 1; t >= 0; t--) {
            Q q = backup(dynamics, t, horizon, dX, fCm[t], fcv[t], vxx, vx);
            Mat qtt = q.qtt();
            double[] qt = q.qt();
            Mat quu = qtt.block(dX, n, dX, n);
            Cholesky chol = Cholesky.tryOf(quu);
            if (chol == null) {
                return Pass.failed(t);
            }
            Mat cov = chol.inverse();
            if (Cholesky.tryOf(cov) == null) {
                // Qtt_uu so ill-conditioned that its inverse does not factor: treat it as not PD.
                return Pass.failed(t);
            }
            Mat qux = qtt.block(dX, n, 0, dX);
            Mat qxu = qtt.block(0, dX, dX, n);
            gains[t] = chol.solve(qux).negate();
            double[] qu = slice(qt, dX, n);
            offsets[t] = negate(chol.solve(qu));
            covs[t] = cov;
            if (!gains[t].isFinite() || !org.gps.core.linalg.Vec.isFinite(offsets[t])) {
                return Pass.failed(t);
            }
            Step boxed = box == null ? null : box.step(t, quu, qux, qu, gains[t], offsets[t]);
            if (boxed == null) {
                // At the unconstrained minimiser the cross terms cancel: the short form of V.
                vxx = qtt.block(0, dX, 0, dX).plus(qxu.times(gains[t])).symmetrize();
                vx = plus(slice(qt, 0, dX), qxu.times(offsets[t]));
            } else {
                gains[t] = boxed.gain();
                offsets[t] = boxed.offset();
                Mat[] v = new Mat[1];
                vx = costToGo(qtt, qt, dX, gains[t], offsets[t], v);
                vxx = v[0];
            }
        }
        return Pass.done(gains, offsets, covs);
    }

    /**
     * One backward pass with one eta_t per step: each step's controller is the Gaussian
     * proportional to pb_t(u|x)^(eta_t / (eta_t + omega)) exp(-Q_t(x, u) / (eta_t + omega)), which for
     * omega = 0 minimises E[Q_t] + eta_t KL(p_t || pb_t) and for omega > 0 also rewards entropy
     * (omega H(p_t)), keeping the covariance from shrinking below omega Q_uu^-1; the value passed
     * back is the new controller's cost alone.
     */
    private static Pass perStepPass(LinearGaussianDynamics dynamics, QuadraticCostModel cost, KlTerms ref,
                                    double[] etas, double omega, Box box) {
        int horizon = cost.horizon();
        int dX = cost.stateDim();
        int n = dX + cost.actionDim();
        Mat[] gains = new Mat[horizon];
        double[][] offsets = new double[horizon][];
        Mat[] covs = new Mat[horizon];
        Mat vxx = null;
        double[] vx = null;
        for (int t = horizon - 1; t >= 0; t--) {
            Q q = backup(dynamics, t, horizon, dX, cost.quadratic(t), cost.linear(t), vxx, vx);
            Mat qtt = q.qtt();
            double[] qt = q.qt();
            double inv = 1.0 / (etas[t] + omega);
            Mat quu = qtt.block(dX, n, dX, n);
            Mat qux = qtt.block(dX, n, 0, dX);
            double[] qu = slice(qt, dX, n);
            // Without the entropy weight the reference enters with weight 1, as the same bits as always.
            boolean entropy = omega != 0;
            double refWeight = entropy ? etas[t] / (etas[t] + omega) : 1.0;
            Mat refPrecision = entropy ? ref.precision[t].scale(refWeight) : ref.precision[t];
            Mat precision = quu.scale(inv).plus(refPrecision).symmetrize();
            Cholesky chol = Cholesky.tryOf(precision);
            if (chol == null) {
                return Pass.failed(t);
            }
            Mat cov = chol.inverse();
            if (Cholesky.tryOf(cov) == null) {
                return Pass.failed(t);
            }
            Mat gainTerm = qux.scale(inv).minus(entropy ? ref.precisionGain[t].scale(refWeight) : ref.precisionGain[t]);
            double[] offsetTerm = axpy(inv, qu, -refWeight, ref.precisionOffset[t]);
            Mat gain = chol.solve(gainTerm).negate();
            double[] offset = negate(chol.solve(offsetTerm));
            if (!gain.isFinite() || !org.gps.core.linalg.Vec.isFinite(offset)) {
                return Pass.failed(t);
            }
            Step boxed = box == null ? null : box.step(t, precision, gainTerm, offsetTerm, gain, offset);
            if (boxed != null) {
                gain = boxed.gain();
                offset = boxed.offset();
            }
            gains[t] = gain;
            offsets[t] = offset;
            covs[t] = cov;
            Mat[] v = new Mat[1];
            vx = costToGo(qtt, qt, dX, gain, offset, v);
            vxx = v[0];
        }
        return Pass.done(gains, offsets, covs);
    }

    /** Q_t over [x; u]: its quadratic (symmetrized) and linear terms. */
    private record Q(Mat qtt, double[] qt) {
    }

    /**
     * The Riccati backup of both passes: step t's cost (ctt, ct) plus the cost-to-go (vxx, vx) of
     * step t+1 carried back through the dynamics x_{t+1} = F_t [x; u] + f_t (none at the last step).
     */
    private static Q backup(LinearGaussianDynamics dynamics, int t, int horizon, int dX, Mat ctt, double[] ct,
                            Mat vxx, double[] vx) {
        Mat qtt = ctt;
        double[] qt = ct;
        if (t < horizon - 1) {
            Mat f = dynamics.transition(t);
            qtt = qtt.plus(f.transposeTimes(vxx.times(f)));
            double[] next = vxx.times(dynamics.offset(t));
            for (int i = 0; i < dX; i++) {
                next[i] += vx[i];
            }
            qt = plus(qt, f.transposeTimes(next));
        }
        return new Q(qtt.symmetrize(), qt);
    }

    /**
     * The cost-to-go of Q under u = K x + k whatever K and k are: Vxx = Qxx + K^T Quu K + Qxu K +
     * K^T Qux (into {@code vxxOut[0]}), returned Vx = Qx + K^T (Qu + Quu k) + Qxu k.
     */
    private static double[] costToGo(Mat qtt, double[] qt, int dX, Mat gain, double[] offset, Mat[] vxxOut) {
        int n = qt.length;
        Mat quu = qtt.block(dX, n, dX, n);
        Mat qxu = qtt.block(0, dX, dX, n);
        Mat qxuK = qxu.times(gain);
        vxxOut[0] = qtt.block(0, dX, 0, dX).plus(gain.transposeTimes(quu.times(gain))).plus(qxuK)
                .plus(qxuK.transpose()).symmetrize();
        double[] quuk = quu.times(offset);
        return plus(plus(slice(qt, 0, dX), gain.transposeTimes(plus(slice(qt, dX, n), quuk))), qxu.times(offset));
    }

    /** One step's controller u = K x + k. */
    record Step(Mat gain, double[] offset) {
    }

    /**
     * Action limits for the backward pass (control-limited LQR): at each step the mean action at the
     * nominal state, K xbar_t + k, must lie in the box. Where the unconstrained controller leaves it,
     * the step's quadratic in u is minimised over the box at xbar_t; a dimension held at a bound
     * gets that bound as its action and no feedback, the free ones the minimiser of the quadratic
     * given the held ones. The covariance is left as it is: the plant clips what the noise adds.
     *
     * @param nominal the state means xbar_t the box is enforced at (e.g. those of the reference
     *                controller under the fitted dynamics)
     */
    record Box(ActionBounds bounds, double[][] nominal) {
        /**
         * The step's controller within the box, for the quadratic 0.5 u^T H u + u^T (G x + g); null
         * when the unconstrained one ({@code k0}, {@code gain0}) already keeps the mean action inside.
         */
        Step step(int t, Mat h, Mat g, double[] gOffset, Mat gain0, double[] k0) {
            double[] xbar = nominal[t];
            double[] u0 = gain0.times(xbar);
            boolean inside = true;
            for (int i = 0; i < u0.length; i++) {
                u0[i] += k0[i];
                inside &= u0[i] >= bounds.lower(i) && u0[i] <= bounds.upper(i);
            }
            if (inside) {
                return null;
            }
            double[] linear = g.times(xbar);
            for (int i = 0; i < linear.length; i++) {
                linear[i] += gOffset[i];
            }
            BoxQp.Solution sol = BoxQp.solve(h, linear, bounds, u0);
            int dU = u0.length;
            int dX = xbar.length;
            int[] free = BoxQp.free(sol.clamped());
            int[] held = new int[dU - free.length];
            int j = 0;
            for (int i = 0; i < dU; i++) {
                if (sol.clamped()[i]) {
                    held[j++] = i;
                }
            }
            double[][] gain = new double[dU][dX];
            double[] offset = new double[dU];
            for (int i : held) {
                offset[i] = sol.u()[i];
            }
            if (free.length > 0) {
                int[] all = new int[dX];
                for (int c = 0; c < dX; c++) {
                    all[c] = c;
                }
                Cholesky hFree = Cholesky.of(BoxQp.sub(h, free, free));
                Mat gainFree = hFree.solve(BoxQp.sub(g, free, all)).negate();
                double[] rhs = BoxQp.pick(gOffset, free);
                if (held.length > 0) {
                    double[] hHeld = BoxQp.sub(h, free, held).times(BoxQp.pick(sol.u(), held));
                    for (int i = 0; i < rhs.length; i++) {
                        rhs[i] += hHeld[i];
                    }
                }
                double[] offsetFree = negate(hFree.solve(rhs));
                for (int a = 0; a < free.length; a++) {
                    for (int c = 0; c < dX; c++) {
                        gain[free[a]][c] = gainFree.get(a, c);
                    }
                    offset[free[a]] = offsetFree[a];
                }
            }
            return new Step(Mat.of(gain), offset);
        }
    }

    /**
     * NaNs in F or f would pass straight into K and k (Qtt_uu may stay PD), so they are refused
     * before any pass rather than discovered after eta has climbed to its limit.
     */
    private static void requireFinite(LinearGaussianDynamics dynamics) {
        if (dynamics == null || dynamics.isFinite()) {
            return;
        }
        for (int t = 0; t < dynamics.steps(); t++) {
            if (!dynamics.transition(t).isFinite() || !org.gps.core.linalg.Vec.isFinite(dynamics.offset(t))
                    || !dynamics.covariance(t).isFinite()) {
                throw new LqrFailedException("NaNs (or infinite values) encountered in the dynamics at t=" + t
                        + ": no LQR solution");
            }
        }
    }

    private static LqrFailedException failure(LinearGaussianDynamics dynamics, double eta) {
        if (!dynamics.isFinite()) {
            return new LqrFailedException("NaNs (or infinite values) encountered in the dynamics: no positive definite "
                    + "Qtt_uu even for eta=" + eta);
        }
        return new LqrFailedException("failed to find a positive definite Qtt_uu even for eta=" + eta
                + " (check that the dynamics and the cost are reasonably well conditioned)");
    }

    private static void checkShapes(LinearGaussianDynamics dynamics, QuadraticCostModel cost,
                                    LinearGaussianController reference) {
        if (dynamics.horizon() != cost.horizon() || dynamics.stateDim() != cost.stateDim()
                || dynamics.actionDim() != cost.actionDim()) {
            throw new IllegalArgumentException("dynamics (T=" + dynamics.horizon() + ", dX=" + dynamics.stateDim()
                    + ", dU=" + dynamics.actionDim() + ") and cost (T=" + cost.horizon() + ", dX=" + cost.stateDim()
                    + ", dU=" + cost.actionDim() + ") disagree");
        }
        if (reference.horizon() != cost.horizon() || reference.stateDim() != cost.stateDim()
                || reference.actionDim() != cost.actionDim()) {
            throw new IllegalArgumentException("reference " + reference + " does not match the cost " + cost);
        }
    }

    static double[] axpy(double a, double[] x, double b, double[] y) {
        double[] z = new double[x.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = a * x[i] + b * y[i];
        }
        return z;
    }

    private static double[] plus(double[] x, double[] y) {
        double[] z = x.clone();
        for (int i = 0; i < z.length; i++) {
            z[i] += y[i];
        }
        return z;
    }

    private static double[] negate(double[] x) {
        double[] z = new double[x.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = -x[i];
        }
        return z;
    }

    private static double[] slice(double[] x, int from, int to) {
        return Arrays.copyOfRange(x, from, to);
    }

    /** One pass: either every step's controller, or the step at which Qtt_uu was not PD. */
    private record Pass(Mat[] gains, double[][] offsets, Mat[] covariances, int failedAt) {
        static Pass failed(int t) {
            return new Pass(null, null, null, t);
        }

        static Pass done(Mat[] gains, double[][] offsets, Mat[] covariances) {
            return new Pass(gains, offsets, covariances, -1);
        }

        LinearGaussianController controller() {
            return LinearGaussianController.of(gains, offsets, covariances);
        }
    }
}
