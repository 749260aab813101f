package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * The C-step of one condition: LQR under a KL constraint towards a reference controller, with a
 * dual search on eta (docs/algorithm.md section 6).
 *
 * <p>Scalar mode: epsilon = kl_step * step_mult * T; starting at the previous eta inside the
 * bracket [min_eta, max_eta], each round runs the backward pass (which may raise eta), the
 * forward pass and the KL; it stops when |KL - epsilon| < 0.1 epsilon, else moves the bracket:
 * KL too small (eta too big) -> max_eta = eta, eta = max(sqrt(min_eta max_eta), 0.1 max_eta);
 * KL too big -> min_eta = eta, eta = min(sqrt(min_eta max_eta), 10 min_eta). At most
 * {@code maxRounds} rounds; a warning if it ends with the KL too high.
 *
 * <p>Per-step mode ({@code cons_per_step}): one constraint kl_t ~ epsilon_t per step, each with
 * its own eta_t; epsilon_t = kl_step * step_mult at every step, or per-step targets given by the
 * caller (PILQR's ramps, {@link #optimizePerStep}). First {@code perStepBracketRounds} rounds of
 * the same bracketing per step; the steps interact through the marginals, so a bracket can close
 * around a stale value, and if not all steps are within 10% the search continues with Adam on the
 * relative violations (kl_t - epsilon_t) / epsilon_t of every step, the last one included (the
 * original leaves the last step's eta out, so a miss there can never be repaired). Unlike the
 * original, which steps eta_t itself by 0.005 per round (a step that is negligible when eta is in
 * the hundreds and huge when it is 1e-6), the Adam step here is on log(eta_t), so it is a relative
 * change whatever the cost scale. Whether converged or not, the result pairs the controller of the
 * last pass with the etas that pass used.
 */
public final class TrajectoryOptimizer {
    private static final Logger LOG = LoggerFactory.getLogger(TrajectoryOptimizer.class);
    private static final double ADAM_BETA1 = 0.9;
    private static final double ADAM_BETA2 = 0.999;
    private static final double ADAM_EPS = 1e-8;

    private TrajectoryOptimizer() {
    }

    /**
     * One C-step. In per-step mode every eta_t starts at {@code previousEta}.
     *
     * @param previousEta the eta the last C-step ended with (the original starts at 1.0)
     * @param stepMult    the current step multiplier (section 7)
     */
    public static TrajOptResult optimize(LinearGaussianDynamics dynamics, InitialStateDistribution x0,
                                         QuadraticCostModel cost, LinearGaussianController reference,
                                         double previousEta, double stepMult, TrajOptOptions options) {
        return optimize(new TrajectoryModel(dynamics, x0, cost), reference, previousEta, stepMult, options);
    }

    public static TrajOptResult optimize(TrajectoryModel model, LinearGaussianController reference,
                                         double previousEta, double stepMult, TrajOptOptions options) {
        if (options.consPerStep()) {
            double[] etas = new double[model.horizon()];
            Arrays.fill(etas, previousEta);
            return optimize(model, reference, etas, stepMult, options);
        }
        model.requireFits(reference, "reference");
        checkStepMult(stepMult);
        LqrBackwardPass.Box box = box(model, reference);
        return scalarSearch(model, KlTerms.of(applied(reference, box)), previousEta, stepMult, options, null, box);
    }

    /**
     * BADMM's C-step (scalar mode only): the model's cost already holds the Lagrangian and the
     * weighted policy KL ({@link BadmmDuals#augment}), and {@code policyWeights} add to the entropy
     * weight per step; the KL constraint is against {@code reference}, the previous controller.
     */
    public static TrajOptResult optimize(TrajectoryModel model, LinearGaussianController reference,
                                         double previousEta, double stepMult, TrajOptOptions options,
                                         double[] policyWeights) {
        if (options.consPerStep()) {
            throw new IllegalArgumentException("cons_per_step is not supported with BADMM's policy weights");
        }
        model.requireFits(reference, "reference");
        checkStepMult(stepMult);
        if (policyWeights.length != model.horizon()) {
            throw new IllegalArgumentException(policyWeights.length + " policy weights for T=" + model.horizon());
        }
        LqrBackwardPass.Box box = box(model, reference);
        return scalarSearch(model, KlTerms.of(applied(reference, box)), previousEta, stepMult, options, policyWeights,
                box);
    }

    /**
     * Per-step mode ({@code options.consPerStep()} must be set), starting from the etas of the last
     * C-step, with the same target kl_step * step_mult at every step.
     */
    public static TrajOptResult optimize(TrajectoryModel model, LinearGaussianController reference,
                                         double[] previousEtas, double stepMult, TrajOptOptions options) {
        checkStepMult(stepMult);
        double eps = options.klStep() * stepMult;
        double[] targets = new double[model.horizon()];
        Arrays.fill(targets, eps);
        // The reported target stays eps * T, computed as before, rather than the sum of the T
        // equal entries, which may differ from it in the last bits.
        return perStep(model, reference, previousEtas, targets, eps * model.horizon(), options);
    }

    /**
     * Per-step mode with its own KL target epsilon_t at every step (PILQR's kl_step_t *
     * step_mult_t); {@code options.klStep()} is not used. Converged when |kl_t - epsilon_t| <
     * 0.1 epsilon_t at every t. The result's eta per step are the ones its controller was computed
     * with, and its KL target is sum_t epsilon_t.
     *
     * @param previousEtas eta_t the last C-step ended with (the original starts at 1.0 everywhere)
     * @param klTargets    epsilon_t, positive and finite, one per step
     */
    public static TrajOptResult optimizePerStep(TrajectoryModel model, LinearGaussianController reference,
                                                double[] previousEtas, double[] klTargets, TrajOptOptions options) {
        if (klTargets.length != model.horizon()) {
            throw new IllegalArgumentException(klTargets.length + " per-step KL targets for T=" + model.horizon());
        }
        double total = 0;
        for (int t = 0; t < klTargets.length; t++) {
            if (!(klTargets[t] > 0) || !Double.isFinite(klTargets[t])) {
                throw new IllegalArgumentException("KL target of step " + t + " must be positive and finite, got "
                        + klTargets[t]);
            }
            total += klTargets[t];
        }
        return perStep(model, reference, previousEtas, klTargets.clone(), total, options);
    }

    private static TrajOptResult perStep(TrajectoryModel model, LinearGaussianController reference,
                                         double[] previousEtas, double[] targets, double target, TrajOptOptions o) {
        if (!o.consPerStep()) {
            throw new IllegalArgumentException("per-step etas given but cons_per_step is off");
        }
        model.requireFits(reference, "reference");
        LqrBackwardPass.Box box = box(model, reference);
        LinearGaussianController base = applied(reference, box);
        StateActionMarginals referenceStates = o.usePrevDistr() ? StateActionMarginals.forward(model, base) : null;
        return perStepSearch(model, KlTerms.of(base), referenceStates, previousEtas, targets, target, o, box);
    }

    /**
     * The C-step that takes no step: the reference itself (KL 0), with the eta it was given. What a
     * run keeps for a condition whose backward pass finds no positive definite Qtt_uu for any eta
     * below the threshold ({@link LqrFailedException}): fitted dynamics that are that badly
     * conditioned say nothing reliable about a better controller, and one condition's bad fit then
     * costs that condition one iteration instead of stopping the run.
     */
    public static TrajOptResult noStep(TrajectoryModel model, LinearGaussianController reference, double eta,
                                       double stepMult, TrajOptOptions options) {
        model.requireFits(reference, "reference");
        int horizon = model.horizon();
        double[] etas = new double[horizon];
        Arrays.fill(etas, eta);
        double target = options.klStep() * stepMult * horizon;
        return new TrajOptResult(reference, eta, etas, 0.0, target, new double[horizon], 0, false);
    }

    private static TrajOptResult scalarSearch(TrajectoryModel model, KlTerms ref, double previousEta, double stepMult,
                                              TrajOptOptions o, double[] extraOmega, LqrBackwardPass.Box box) {
        int horizon = model.horizon();
        double target = o.klStep() * stepMult * horizon;
        double minEta = o.minEta();
        double maxEta = o.maxEta();
        double eta = previousEta;
        LqrSolution solution = null;
        double[] klSteps = null;
        double kl = Double.NaN;
        boolean converged = false;
        int rounds = 0;
        while (rounds < o.maxRounds()) {
            solution = LqrBackwardPass.solve(model.dynamics(), model.cost(), ref, eta, o, extraOmega, box);
            rounds++;
            eta = solution.eta();
            klSteps = klOf(model, solution.controller(), ref);
            kl = ControllerKL.sum(klSteps);
            double con = kl - target;
            if (Math.abs(con) < 0.1 * target) {
                converged = true;
                LOG.debug("KL {} / {}, converged in round {} at eta {}", kl, target, rounds, eta);
                break;
            }
            double next;
            if (con < 0) {
                maxEta = eta;
                next = Math.max(Math.sqrt(minEta * maxEta), 0.1 * maxEta);
            } else {
                minEta = eta;
                next = Math.min(Math.sqrt(minEta * maxEta), 10.0 * minEta);
            }
            LOG.debug("round {}: bracket ({}, {}), KL {} / {}, eta {} -> {}", rounds, minEta, maxEta, kl, target, eta,
                    next);
            eta = next;
        }
        if (!converged && kl > target) {
            LOG.warn("final KL divergence after the dual search is too high: {} > target {} (eta {}, {} rounds)", kl,
                    target, solution.eta(), rounds);
        }
        return new TrajOptResult(solution.controller(), solution.eta(), solution.stepEtas(), kl, target, klSteps, rounds,
                converged);
    }

    /**
     * @param referenceStates the reference's marginals to measure kl_t under (use_prev_distr), or
     *                        null to measure it under the new controller's own
     * @param eps             epsilon_t per step
     * @param target          the total target the result reports
     */
    private static TrajOptResult perStepSearch(TrajectoryModel model, KlTerms ref, StateActionMarginals referenceStates,
                                               double[] previousEtas, double[] eps, double target, TrajOptOptions o,
                                               LqrBackwardPass.Box box) {
        int horizon = model.horizon();
        if (previousEtas.length != horizon) {
            throw new IllegalArgumentException("per-step mode needs " + horizon + " etas, got " + previousEtas.length);
        }
        double[] etas = previousEtas.clone();
        double[] minEta = new double[horizon];
        double[] maxEta = new double[horizon];
        Arrays.fill(minEta, o.minEta());
        Arrays.fill(maxEta, o.maxEta());
        LqrSolution solution = null;
        double[] kl = null;
        boolean converged = false;
        int rounds = 0;
        for (int i = 0; i < o.perStepBracketRounds() && !converged; i++) {
            solution = LqrBackwardPass.solvePerStep(model.dynamics(), model.cost(), ref, etas, o, box);
            rounds++;
            etas = solution.stepEtas();
            kl = klOf(model, solution.controller(), ref, referenceStates);
            converged = allWithin(kl, eps);
            if (converged) {
                break;
            }
            for (int t = 0; t < horizon; t++) {
                if (kl[t] < eps[t]) {
                    maxEta[t] = etas[t];
                    etas[t] = Math.max(Math.sqrt(minEta[t] * maxEta[t]), 0.1 * maxEta[t]);
                } else {
                    minEta[t] = etas[t];
                    etas[t] = Math.min(Math.sqrt(minEta[t] * maxEta[t]), 10.0 * minEta[t]);
                }
            }
            LOG.debug("per-step bracketing round {}: mean KL {} / {}", rounds, ControllerKL.sum(kl) / horizon,
                    target / horizon);
        }
        if (!converged) {
            double[] m = new double[horizon];
            double[] v = new double[horizon];
            for (int i = 0; i < o.perStepAdamRounds(); i++) {
                solution = LqrBackwardPass.solvePerStep(model.dynamics(), model.cost(), ref, etas, o, box);
                rounds++;
                etas = solution.stepEtas();
                kl = klOf(model, solution.controller(), ref, referenceStates);
                converged = allWithin(kl, eps);
                if (converged) {
                    break;
                }
                double c1 = 1 - Math.pow(ADAM_BETA1, i + 1);
                double c2 = 1 - Math.pow(ADAM_BETA2, i + 1);
                for (int t = 0; t < horizon; t++) {
                    // KL above target -> raise eta_t (a stronger pull towards the reference).
                    double g = (kl[t] - eps[t]) / eps[t];
                    m[t] = ADAM_BETA1 * m[t] + (1 - ADAM_BETA1) * g;
                    v[t] = ADAM_BETA2 * v[t] + (1 - ADAM_BETA2) * g * g;
                    double step = o.perStepAdamRate() * (m[t] / c1) / (Math.sqrt(v[t] / c2) + ADAM_EPS);
                    etas[t] = Math.min(Math.max(etas[t] * Math.exp(step), o.minEta()), o.maxEta());
                }
                if (i % 10 == 0) {
                    LOG.debug("per-step Adam round {}: mean KL {} / {}", rounds, ControllerKL.sum(kl) / horizon,
                            target / horizon);
                }
            }
        }
        double total = ControllerKL.sum(kl);
        if (!converged && total > target) {
            LOG.warn("final KL divergence after the per-step dual search is too high: mean {} > mean target {} ({} "
                    + "rounds)", total / horizon, target / horizon, rounds);
        }
        return new TrajOptResult(solution.controller(), solution.eta(), solution.stepEtas(), total, target, kl, rounds,
                converged);
    }

    /**
     * The model's action limits, enforced at the state means of the reference controller under the
     * fitted dynamics: the trajectory the KL constraint keeps the new controller close to.
     */
    private static LqrBackwardPass.Box box(TrajectoryModel model, LinearGaussianController reference) {
        if (model.actionBounds() == null) {
            return null;
        }
        StateActionMarginals m = StateActionMarginals.forward(model, reference);
        double[][] nominal = new double[model.horizon()][];
        for (int t = 0; t < nominal.length; t++) {
            nominal[t] = Arrays.copyOf(m.mean(t), model.stateDim());
        }
        return new LqrBackwardPass.Box(model.actionBounds(), nominal);
    }

    /**
     * The reference as the plant ran it: where its mean action at the nominal state lies outside the
     * box, the plant applied the bound, so that dimension becomes the bound with no feedback. The KL
     * constraint then measures the step from what was applied, which a controller within the box can
     * approach; against the raw reference it could not, and the dual search would find no eta.
     */
    static LinearGaussianController applied(LinearGaussianController reference, LqrBackwardPass.Box box) {
        if (box == null) {
            return reference;
        }
        int horizon = reference.horizon();
        int dX = reference.stateDim();
        int dU = reference.actionDim();
        Mat[] gains = new Mat[horizon];
        double[][] offsets = new double[horizon][];
        Mat[] covs = new Mat[horizon];
        ActionBounds b = box.bounds();
        for (int t = 0; t < horizon; t++) {
            double[] u = reference.meanAction(t, box.nominal()[t]);
            double[][] k = reference.gain(t).toRowArrays();
            double[] o = reference.offset(t);
            for (int i = 0; i < dU; i++) {
                double c = Math.min(Math.max(u[i], b.lower(i)), b.upper(i));
                if (c != u[i]) {
                    k[i] = new double[dX];
                    o[i] = c;
                }
            }
            gains[t] = Mat.of(k);
            offsets[t] = o;
            covs[t] = reference.covariance(t);
        }
        return LinearGaussianController.of(gains, offsets, covs);
    }

    private static boolean allWithin(double[] kl, double[] eps) {
        for (int t = 0; t < kl.length; t++) {
            if (Math.abs(kl[t] - eps[t]) >= 0.1 * eps[t]) {
                return false;
            }
        }
        return true;
    }

    private static double[] klOf(TrajectoryModel model, LinearGaussianController controller, KlTerms ref) {
        return klOf(model, controller, ref, null);
    }

    /**
     * kl_t of {@code controller} against the reference. Under the reference's states (x_t ~
     * N(mu_x, Sigma_x) of its forward pass) this is E_x KL(p_t(.|x) || pb_t(.|x)) = 0.5 [logdet Sb -
     * logdet S - dU + tr(Pb S) + (dk + dK mu_x)^T Pb (dk + dK mu_x) + tr(dK^T Pb dK Sigma_x)] with dK =
     * Kb - K, dk = kb - k: the expectation of log p - log pb with the actions drawn from p.
     */
    private static double[] klOf(TrajectoryModel model, LinearGaussianController controller, KlTerms ref,
                                 StateActionMarginals referenceStates) {
        StateActionMarginals marginals = referenceStates == null
                ? StateActionMarginals.forward(model.dynamics(), model.initialState(), controller)
                : referenceStates.withActionsOf(controller);
        return ControllerKL.perStep(marginals, KlTerms.of(controller), ref);
    }

    private static void checkStepMult(double stepMult) {
        if (!(stepMult > 0) || !Double.isFinite(stepMult)) {
            throw new IllegalArgumentException("step multiplier must be positive and finite, got " + stepMult);
        }
    }
}
