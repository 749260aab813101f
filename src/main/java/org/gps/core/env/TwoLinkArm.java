package org.gps.core.env;

import org.gps.core.BadInputException;
import org.gps.core.linalg.Mat;

import java.util.List;

/**
 * A two-link planar arm that reaches for a target: the analytic counterpart of the original
 * implementation's Box2D arm example (docs/architecture.md "Environments"), with rigid-body dynamics written
 * out instead of a physics engine.
 *
 * <p>Links are uniform rods of lengths l1, l2 and masses m1, m2 (centre of mass at mid-length,
 * inertia m l^2 / 12 about it). q1 is the angle of link 1 from the +x axis, q2 that of link 2
 * relative to link 1. With lc_i = l_i / 2, I_i = m_i l_i^2 / 12 and h = m2 l1 lc2 sin q2:
 * <pre>
 *   M11 = m1 lc1^2 + I1 + m2 (l1^2 + lc2^2 + 2 l1 lc2 cos q2) + I2
 *   M12 = M21 = m2 (lc2^2 + l1 lc2 cos q2) + I2,   M22 = m2 lc2^2 + I2
 *   c   = [-h (2 dq1 dq2 + dq2^2),  h dq1^2]                       (Coriolis and centrifugal)
 *   G   = g [(m1 lc1 + m2 l1) cos q1 + m2 lc2 cos(q1 + q2),  m2 lc2 cos(q1 + q2)]   (gravity along -y)
 *   M ddq = tau - c - G - damping dq
 *   dq' = dq + dt ddq,  q' = q + dt dq'                             (semi-implicit Euler)
 *   x' += noise_std .* eps                                          (optional process noise)
 * </pre>
 * Gravity is off by default, as in the top-down Box2D arm; joint angles are not wrapped.
 *
 * <p>State x = [q1, q2, dq1, dq2] (dX = 4, positions then velocities as init_lqr assumes, docs/algorithm.md
 * section 11); action u = [tau1, tau2] (dU = 2); observation
 * o = [q1, q2, dq1, dq2, ee_x - target_x, ee_y - target_y] (dO = 6), ee being the end effector
 * (l1 cos q1 + l2 cos(q1 + q2), l1 sin q1 + l2 sin(q1 + q2)).
 * reward(x, u) = -|ee - target|^2 - action_penalty |u|^2. A state cost for GPS can target the
 * joint angles from {@link #inverseKinematics}.
 */
public final class TwoLinkArm implements Environment {
    private static final long serialVersionUID = 1L;

    public static final String TYPE = "two_link_arm";

    static final EnvParam LINK_LENGTHS = EnvParam.vector("link_lengths", List.of(1.0, 1.0), "list of 2 numbers",
            "lengths [l1, l2] of the links, m");
    static final EnvParam LINK_MASSES = EnvParam.vector("link_masses", List.of(1.0, 1.0), "list of 2 numbers",
            "masses [m1, m2] of the links (uniform rods), kg");
    static final EnvParam GRAVITY = EnvParam.number("gravity", 0.0,
            "gravity along -y, m/s^2 (0: a top-down arm, as the Box2D example)");
    static final EnvParam DAMPING = EnvParam.number("damping", 0.0, "viscous joint damping, N m s/rad");
    static final EnvParam DT = EnvParam.number("dt", 0.05, "time step, s");
    static final EnvParam TARGET = EnvParam.vector("target", List.of(1.0, 1.0), "list of 2 numbers",
            "target position [x, y] of the end effector, m");
    static final EnvParam ACTION_PENALTY = EnvParam.number("action_penalty", 1e-3,
            "weight of |u|^2 in the reward");
    static final EnvParam NOISE_STD = new EnvParam("noise_std", 0.0, "number or list of 4 numbers",
            "standard deviation of the additive Gaussian process noise on [q1, q2, dq1, dq2]");
    static final List<EnvParam> PARAMS = List.of(LINK_LENGTHS, LINK_MASSES, GRAVITY, DAMPING, DT, TARGET,
            ACTION_PENALTY, NOISE_STD);

    private final double l1;
    private final double l2;
    private final double m1;
    private final double m2;
    private final double gravity;
    private final double damping;
    private final double dt;
    private final double[] target;
    private final double actionPenalty;
    private final NoisyEpisode episode;

    /** Defaults: unit links and masses, no gravity or damping, dt = 0.05, target (1, 1), penalty 1e-3, no noise. */
    public TwoLinkArm() {
        this(LINK_LENGTHS.defaultVector(), LINK_MASSES.defaultVector(), GRAVITY.defaultNumber(),
                DAMPING.defaultNumber(), DT.defaultNumber(), TARGET.defaultVector(), ACTION_PENALTY.defaultNumber(),
                new double[4]);
    }

    public TwoLinkArm(double[] linkLengths, double[] linkMasses, double gravity, double damping, double dt,
                      double[] target, double actionPenalty, double[] noiseStd) {
        Check.length("link_lengths", linkLengths, 2);
        Check.length("link_masses", linkMasses, 2);
        Check.positive("l1", linkLengths[0]);
        Check.positive("l2", linkLengths[1]);
        Check.positive("m1", linkMasses[0]);
        Check.positive("m2", linkMasses[1]);
        Check.nonNegative("gravity", gravity);
        Check.nonNegative("damping", damping);
        Check.positive("dt", dt);
        Check.length("target", target, 2);
        Check.nonNegative("action_penalty", actionPenalty);
        Check.length("noise_std", noiseStd, 4);
        this.l1 = linkLengths[0];
        this.l2 = linkLengths[1];
        this.m1 = linkMasses[0];
        this.m2 = linkMasses[1];
        this.gravity = gravity;
        this.damping = damping;
        this.dt = dt;
        this.target = target.clone();
        this.actionPenalty = actionPenalty;
        this.episode = new NoisyEpisode("two-link arm", 4, new ProcessNoise(noiseStd));
    }

    static TwoLinkArm fromParams(ParamReader r) {
        double[] lengths = r.vector(LINK_LENGTHS, 2);
        double[] masses = r.vector(LINK_MASSES, 2);
        for (int i = 0; i < 2; i++) {
            if (!(lengths[i] > 0)) {
                throw r.error(LINK_LENGTHS.name(), "expected lengths > 0, got " + lengths[i] + " at index " + i);
            }
            if (!(masses[i] > 0)) {
                throw r.error(LINK_MASSES.name(), "expected masses > 0, got " + masses[i] + " at index " + i);
            }
        }
        return new TwoLinkArm(lengths, masses, r.nonNegative(GRAVITY), r.nonNegative(DAMPING), r.positive(DT),
                r.vector(TARGET, 2), r.nonNegative(ACTION_PENALTY), r.nonNegativeNumberOrVector(NOISE_STD, 4));
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public int stateDim() {
        return 4;
    }

    @Override
    public int actionDim() {
        return 2;
    }

    @Override
    public int observationDim() {
        return 6;
    }

    public double dt() {
        return dt;
    }

    public double[] target() {
        return target.clone();
    }

    /** Accepts [q1, q2, dq1, dq2], or [q1, q2] starting at rest (radians). */
    @Override
    public double[] initialState(double[] configured, String key) {
        Check.configured(key, configured);
        if (configured.length == 4) {
            return configured.clone();
        }
        if (configured.length == 2) {
            return new double[] {configured[0], configured[1], 0, 0};
        }
        throw new BadInputException(key + ": expected 4 values [q1, q2, dq1, dq2] or 2 values [q1, q2] for the"
                + " two-link arm, got " + configured.length);
    }

    @Override
    public void reset(double[] x0, long seed) {
        episode.reset(x0, seed);
    }

    @Override
    public void step(double[] u) {
        Check.length("u", u, 2);
        double[] x = episode.current();
        double[] ddq = acceleration(x, u);
        double dq1 = x[2] + dt * ddq[0];
        double dq2 = x[3] + dt * ddq[1];
        double[] next = {x[0] + dt * dq1, x[1] + dt * dq2, dq1, dq2};
        episode.advance(next);
    }

    /** The joint accelerations ddq = M^-1 (tau - c - G - damping dq) at state x under torques u. */
    public double[] acceleration(double[] x, double[] u) {
        double q1 = x[0];
        double q2 = x[1];
        double dq1 = x[2];
        double dq2 = x[3];
        double[] mm = massMatrixEntries(q2);
        double h = m2 * l1 * (l2 / 2) * Math.sin(q2);
        double c1 = -h * (2 * dq1 * dq2 + dq2 * dq2);
        double c2 = h * dq1 * dq1;
        double cos12 = Math.cos(q1 + q2);
        double g1 = gravity * ((m1 * l1 / 2 + m2 * l1) * Math.cos(q1) + m2 * (l2 / 2) * cos12);
        double g2 = gravity * m2 * (l2 / 2) * cos12;
        double r1 = u[0] - c1 - g1 - damping * dq1;
        double r2 = u[1] - c2 - g2 - damping * dq2;
        // 2x2 solve by Cramer's rule; M is symmetric positive definite (det >= I1 * ... > 0).
        double det = mm[0] * mm[2] - mm[1] * mm[1];
        return new double[] {(mm[2] * r1 - mm[1] * r2) / det, (mm[0] * r2 - mm[1] * r1) / det};
    }

    /** The joint-space mass matrix M(q2). */
    public Mat massMatrix(double q2) {
        double[] mm = massMatrixEntries(q2);
        return Mat.of(new double[][] {{mm[0], mm[1]}, {mm[1], mm[2]}});
    }

    /** [M11, M12, M22]. */
    private double[] massMatrixEntries(double q2) {
        double lc1 = l1 / 2;
        double lc2 = l2 / 2;
        double i1 = m1 * l1 * l1 / 12;
        double i2 = m2 * l2 * l2 / 12;
        double coupling = m2 * l1 * lc2 * Math.cos(q2);
        double m22 = m2 * lc2 * lc2 + i2;
        double m12 = m22 + coupling;
        double m11 = m1 * lc1 * lc1 + i1 + m2 * l1 * l1 + m22 + 2 * coupling;
        return new double[] {m11, m12, m22};
    }

    /** Kinetic energy 0.5 dq^T M(q2) dq of a state x. */
    public double kineticEnergy(double[] x) {
        Check.length("x", x, 4);
        double[] mm = massMatrixEntries(x[1]);
        return 0.5 * (mm[0] * x[2] * x[2] + 2 * mm[1] * x[2] * x[3] + mm[2] * x[3] * x[3]);
    }

    /** End-effector position (x, y) at joint angles q1, q2. */
    public double[] endEffector(double q1, double q2) {
        return new double[] {l1 * Math.cos(q1) + l2 * Math.cos(q1 + q2), l1 * Math.sin(q1) + l2 * Math.sin(q1 + q2)};
    }

    /**
     * Joint angles [q1, q2] that put the end effector at (px, py), taking the branch with q2 in
     * [0, pi].
     *
     * @throws IllegalArgumentException when the point is out of reach
     */
    public double[] inverseKinematics(double px, double py) {
        double r2 = px * px + py * py;
        double cosQ2 = (r2 - l1 * l1 - l2 * l2) / (2 * l1 * l2);
        if (cosQ2 > 1 + 1e-12 || cosQ2 < -1 - 1e-12) {
            throw new IllegalArgumentException("(" + px + ", " + py + ") is out of reach of links " + l1 + ", " + l2);
        }
        double q2 = Math.acos(Math.max(-1, Math.min(1, cosQ2)));
        double q1 = Math.atan2(py, px) - Math.atan2(l2 * Math.sin(q2), l1 + l2 * Math.cos(q2));
        return new double[] {q1, q2};
    }

    @Override
    public double[] state() {
        return episode.state();
    }

    /** [q1, q2, dq1, dq2, ee_x - target_x, ee_y - target_y]. */
    @Override
    public double[] observation() {
        double[] x = episode.current();
        double[] ee = endEffector(x[0], x[1]);
        return new double[] {x[0], x[1], x[2], x[3], ee[0] - target[0], ee[1] - target[1]};
    }

    /** -|ee - target|^2 - action_penalty |u|^2 on the state before the step. */
    @Override
    public double reward(double[] x, double[] u) {
        Check.length("x", x, 4);
        Check.length("u", u, 2);
        double[] ee = endEffector(x[0], x[1]);
        double dx = ee[0] - target[0];
        double dy = ee[1] - target[1];
        return -(dx * dx + dy * dy) - actionPenalty * (u[0] * u[0] + u[1] * u[1]);
    }
}
