package org.gps.core.control;

import java.io.Serializable;

/**
 * Options of the C-step and the step-size rule (docs/algorithm.md sections 6 and 7). Defaults are the
 * original implementation's ({@link #defaults()}); the config keys named below take theirs from there
 * (the config reader declares each key's bound and description, and docs/formats.md lists them).
 *
 * @param klStep                base KL step per time step (`kl_step`); the target of the dual
 *                              search is kl_step * step_mult * T
 * @param minEta                lower end of the eta bracket (`min_eta`)
 * @param maxEta                upper end of the eta bracket (`max_eta`)
 * @param del0                  first eta increment when Qtt_uu is not positive definite (`del0`)
 * @param etaErrorThreshold     the backward pass gives up once eta reaches this (1e16)
 * @param maxEntTraj            entropy weight omega of the surrogate cost (`max_ent_traj`)
 * @param consPerStep           one KL constraint per time step with its own eta (`cons_per_step`)
 * @param minStepMult           lower clip of the step multiplier (`min_step_mult`)
 * @param maxStepMult           upper clip of the step multiplier (`max_step_mult`)
 * @param maxRounds             rounds of the scalar dual search (`max_rounds`; the original's DGD_MAX_ITER)
 * @param perStepBracketRounds  per-step mode: rounds of per-step bracketing (DGD_MAX_LS_ITER, 20)
 * @param perStepAdamRounds     per-step mode: further Adam rounds if bracketing did not converge
 *                              (DGD_MAX_GD_ITER, 200)
 * @param perStepAdamRate       per-step mode: Adam step on log(eta_t) (0.05; the original steps eta
 *                              itself by 0.005, which does not scale with the size of eta, see
 *                              {@link TrajectoryOptimizer})
 * @param usePrevDistr          per-step mode only: measure kl_t under the reference controller's
 *                              state marginals instead of the new controller's (`use_prev_distr`)
 */
public record TrajOptOptions(double klStep, double minEta, double maxEta, double del0, double etaErrorThreshold,
                             double maxEntTraj, boolean consPerStep, double minStepMult, double maxStepMult,
                             int maxRounds, int perStepBracketRounds, int perStepAdamRounds, double perStepAdamRate,
                             boolean usePrevDistr) implements Serializable {

    public TrajOptOptions {
        require(klStep > 0 && Double.isFinite(klStep), "kl_step must be > 0, got " + klStep);
        require(minEta > 0 && minEta < maxEta && Double.isFinite(maxEta),
                "need 0 < min_eta < max_eta < inf, got " + minEta + ", " + maxEta);
        require(del0 > 0 && Double.isFinite(del0), "del0 must be > 0, got " + del0);
        require(etaErrorThreshold > 0, "eta error threshold must be > 0, got " + etaErrorThreshold);
        require(maxEntTraj >= 0 && Double.isFinite(maxEntTraj), "max_ent_traj must be >= 0, got " + maxEntTraj);
        require(minStepMult > 0 && minStepMult <= maxStepMult && Double.isFinite(maxStepMult),
                "need 0 < min_step_mult <= max_step_mult, got " + minStepMult + ", " + maxStepMult);
        require(maxRounds >= 1 && perStepBracketRounds >= 1 && perStepAdamRounds >= 0,
                "dual search rounds must be >= 1 (Adam rounds >= 0), got " + maxRounds + ", " + perStepBracketRounds
                        + ", " + perStepAdamRounds);
        require(perStepAdamRate > 0 && Double.isFinite(perStepAdamRate), "Adam rate must be > 0, got "
                + perStepAdamRate);
        // The total-KL search has no per-step KL to measure elsewhere; the original ignores the key there.
        require(consPerStep || !usePrevDistr, "use_prev_distr needs cons_per_step");
    }

    /** Options with the KL measured under the new controller's marginals (use_prev_distr off). */
    public TrajOptOptions(double klStep, double minEta, double maxEta, double del0, double etaErrorThreshold,
                          double maxEntTraj, boolean consPerStep, double minStepMult, double maxStepMult,
                          int maxRounds, int perStepBracketRounds, int perStepAdamRounds, double perStepAdamRate) {
        this(klStep, minEta, maxEta, del0, etaErrorThreshold, maxEntTraj, consPerStep, minStepMult, maxStepMult,
                maxRounds, perStepBracketRounds, perStepAdamRounds, perStepAdamRate, false);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static TrajOptOptions defaults() {
        return new TrajOptOptions(0.2, 1e-8, 1e16, 1e-4, 1e16, 0.0, false, 0.01, 10.0, 50, 20, 200, 0.05);
    }

    public TrajOptOptions withKlStep(double v) {
        return new TrajOptOptions(v, minEta, maxEta, del0, etaErrorThreshold, maxEntTraj, consPerStep, minStepMult,
                maxStepMult, maxRounds, perStepBracketRounds, perStepAdamRounds, perStepAdamRate, usePrevDistr);
    }

    public TrajOptOptions withEtaBracket(double min, double max) {
        return new TrajOptOptions(klStep, min, max, del0, etaErrorThreshold, maxEntTraj, consPerStep, minStepMult,
                maxStepMult, maxRounds, perStepBracketRounds, perStepAdamRounds, perStepAdamRate, usePrevDistr);
    }

    public TrajOptOptions withMaxEntTraj(double v) {
        return new TrajOptOptions(klStep, minEta, maxEta, del0, etaErrorThreshold, v, consPerStep, minStepMult,
                maxStepMult, maxRounds, perStepBracketRounds, perStepAdamRounds, perStepAdamRate, usePrevDistr);
    }

    public TrajOptOptions withConsPerStep(boolean v) {
        return new TrajOptOptions(klStep, minEta, maxEta, del0, etaErrorThreshold, maxEntTraj, v, minStepMult,
                maxStepMult, maxRounds, perStepBracketRounds, perStepAdamRounds, perStepAdamRate, usePrevDistr);
    }

    public TrajOptOptions withStepMultBounds(double min, double max) {
        return new TrajOptOptions(klStep, minEta, maxEta, del0, etaErrorThreshold, maxEntTraj, consPerStep, min, max,
                maxRounds, perStepBracketRounds, perStepAdamRounds, perStepAdamRate, usePrevDistr);
    }

    public TrajOptOptions withMaxRounds(int v) {
        return new TrajOptOptions(klStep, minEta, maxEta, del0, etaErrorThreshold, maxEntTraj, consPerStep, minStepMult,
                maxStepMult, v, perStepBracketRounds, perStepAdamRounds, perStepAdamRate, usePrevDistr);
    }

    public TrajOptOptions withUsePrevDistr(boolean v) {
        return new TrajOptOptions(klStep, minEta, maxEta, del0, etaErrorThreshold, maxEntTraj, consPerStep, minStepMult,
                maxStepMult, maxRounds, perStepBracketRounds, perStepAdamRounds, perStepAdamRate, v);
    }

    public TrajOptOptions withPerStepSearch(int bracketRounds, int adamRounds, double adamRate) {
        return new TrajOptOptions(klStep, minEta, maxEta, del0, etaErrorThreshold, maxEntTraj, consPerStep, minStepMult,
                maxStepMult, maxRounds, bracketRounds, adamRounds, adamRate, usePrevDistr);
    }
}
