package org.gps.core.gmm;

import java.io.Serializable;

/**
 * The outcome of one EM fit: the model; the mean log-likelihood per point of every model the
 * E-step evaluated, in order, and the best of them ({@code logLikelihood}: the returned model's,
 * except after MAX_ITERATIONS, whose last M-step is not evaluated); the number of M-steps taken
 * and why EM stopped.
 */
public record EmResult(Gmm model, double[] logLikelihoods, double logLikelihood, int iterations, StopReason stopReason,
                       boolean warmStarted)
        implements Serializable {
    public enum StopReason {
        /** |LL - LL_prev| < tolerance |LL|. */
        CONVERGED,
        /** The likelihood went down (ridge, reboots); the previous, better model is kept. */
        LIKELIHOOD_DECREASED,
        MAX_ITERATIONS
    }

    public EmResult {
        logLikelihoods = logLikelihoods.clone();
    }

    @Override
    public double[] logLikelihoods() {
        return logLikelihoods.clone();
    }

}
