package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.linalg.Mat;

import java.io.Serializable;

/**
 * BADMM's per-condition dual state (docs/algorithm.md section 10, arXiv:1504.00702 appendix): Lagrange
 * multipliers lambda_K_t (dU x dX) and lambda_k_t (dU) on the constraint that the controller's
 * action equals the policy's, and the policy weights w_t that scale the KL term pulling the
 * controller towards the policy. Immutable; every update returns a new value.
 */
public record BadmmDuals(Mat[] lambdaK, double[][] lambdak, double[] policyWeights) implements Serializable {
    public BadmmDuals {
        int horizon = policyWeights.length;
        if (lambdaK.length != horizon || lambdak.length != horizon) {
            throw new IllegalArgumentException("BADMM duals need one lambda_K, lambda_k and weight per step");
        }
        lambdaK = lambdaK.clone();
        lambdak = deepCopy(lambdak);
        policyWeights = policyWeights.clone();
    }

    /** Zero multipliers and every weight at init_pol_wt. */
    public static BadmmDuals initial(int horizon, int dX, int dU, double initPolWt) {
        Mat[] lk = new Mat[horizon];
        double[][] lo = new double[horizon][dU];
        double[] w = new double[horizon];
        for (int t = 0; t < horizon; t++) {
            lk[t] = Mat.zeros(dU, dX);
            w[t] = initPolWt;
        }
        return new BadmmDuals(lk, lo, w);
    }

    public int horizon() {
        return policyWeights.length;
    }

    @Override
    public Mat[] lambdaK() {
        return lambdaK.clone();
    }

    @Override
    public double[][] lambdak() {
        return deepCopy(lambdak);
    }

    @Override
    public double[] policyWeights() {
        return policyWeights.clone();
    }

    /**
     * The C-step's cost with the Lagrangian and the weighted policy KL folded in: the original
     * divides (Cm - Lambda + eta TKL + w PKL) by (eta + w + omega); written as a cost
     * Cm - Lambda + w PKL (here) and an extra entropy weight w_t per step (the backward pass's
     * {@code extraOmega}), the surrogate is the same. Lambda puts -lambda_K in the u-x blocks and
     * -lambda_k in the u part of the linear term; PKL, pkl are the policy linearization's KL terms.
     */
    public QuadraticCostModel augment(QuadraticCostModel cost, LinearGaussianController policy) {
        int horizon = cost.horizon();
        int dX = cost.stateDim();
        int dU = cost.actionDim();
        KlTerms pol = KlTerms.of(policy);
        double[] cc = new double[horizon];
        double[][] cv = new double[horizon][];
        Mat[] cm = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            double w = policyWeights[t];
            Mat lag = Mat.zeros(dX + dU, dX + dU).withBlock(dX, 0, lambdaK[t]).withBlock(0, dX, lambdaK[t].transpose());
            cm[t] = cost.quadratic(t).minus(lag).plusScaled(w, pol.m[t]);
            double[] v = cost.linear(t).clone();
            for (int i = 0; i < dX + dU; i++) {
                v[i] += w * pol.v[t][i];
            }
            for (int i = 0; i < dU; i++) {
                v[dX + i] -= lambdak[t][i];
            }
            cv[t] = v;
            cc[t] = cost.constant(t) + w * pol.c[t];
        }
        return QuadraticCostModel.of(dX, cc, cv, cm);
    }

    /**
     * The dual ascent step after an S-step: lambda_k_t -= rate w_t P_t mean(traj action - policy
     * action) over the samples, lambda_K_t -= rateCovar w_t P_t (K_t - Kb_t), with P_t the
     * controller's precision and Kb_t the policy linearization's gain.
     *
     * @param meanActionGap per t, the mean over the condition's samples of (K_t x + k_t) - f(o)
     */
    public BadmmDuals dualStep(LinearGaussianController controller, LinearGaussianController policy,
                               double[][] meanActionGap, double rate, double rateCovar) {
        int horizon = horizon();
        Mat[] lk = new Mat[horizon];
        double[][] lo = new double[horizon][];
        for (int t = 0; t < horizon; t++) {
            Mat p = controller.precision(t);
            double[] step = p.times(meanActionGap[t]);
            lo[t] = lambdak[t].clone();
            for (int i = 0; i < lo[t].length; i++) {
                lo[t][i] -= rate * policyWeights[t] * step[i];
            }
            lk[t] = lambdaK[t].plusScaled(-rateCovar * policyWeights[t],
                    p.times(controller.gain(t).minus(policy.gain(t))));
        }
        return new BadmmDuals(lk, lo, policyWeights);
    }

    /**
     * The weight update at the end of an iteration's inner loop from the per-step KL between the
     * controller and the policy: rule "kl", w_t = max(0, w_t + lgStep kl_t); rule "exp", w_t times
     * {@code increase} where kl_t is at least mean + upper std, times {@code decrease} where it is
     * below mean - lower std.
     */
    public BadmmDuals weightStep(double[] kl, String rule, double lgStep, double increase, double decrease,
                                 double upper, double lower) {
        double[] w = policyWeights.clone();
        if (rule.equals("kl")) {
            for (int t = 0; t < w.length; t++) {
                w[t] = Math.max(0.0, w[t] + lgStep * kl[t]);
            }
        } else {
            double mean = 0;
            for (double k : kl) {
                mean += k / kl.length;
            }
            double var = 0;
            for (double k : kl) {
                var += (k - mean) * (k - mean) / kl.length;
            }
            double std = Math.sqrt(var);
            for (int t = 0; t < w.length; t++) {
                if (kl[t] < mean - lower * std) {
                    w[t] *= decrease;
                } else if (kl[t] >= mean + upper * std) {
                    w[t] *= increase;
                }
            }
        }
        return new BadmmDuals(lambdaK, lambdak, w);
    }

    /**
     * The S-step target mean under the multipliers: K x + k - S (lambda_K x + lambda_k) / w_t, S = P^{-1}.
     * The S-step minimises the same Lagrangian as the C-step, whose policy part at a state is
     * lambda^T f + w_t KL(f || controller); its mean term w_t/2 (f - mu)^T P (f - mu) + lambda^T f
     * is smallest at f = mu - S lambda / w_t. The multipliers carry w_t (the dual step adds
     * rate w_t P gap), so the shift is rate times the accumulated gaps whatever the weight;
     * without the division it would be w_t times that, and with weights of a few tens a policy that
     * follows its targets moves away from the controller further each round. (The original's code
     * shifts by w_t S lambda, which at its weights of about 0.01 all but ignores the multipliers.)
     */
    public double[] targetMean(LinearGaussianController controller, int t, double[] x) {
        double[] mu = controller.meanAction(t, x);
        double w = policyWeights[t];
        if (w == 0.0) {
            // A step of weight 0 has no policy term in the Lagrangian, and its target no weight in the S-step.
            return mu;
        }
        double[] l = lambdaK[t].times(x);
        for (int i = 0; i < l.length; i++) {
            l[i] += lambdak[t][i];
        }
        double[] shift = controller.covariance(t).times(l);
        for (int i = 0; i < mu.length; i++) {
            mu[i] -= shift[i] / w;
        }
        return mu;
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }
}
