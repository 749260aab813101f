package org.gps.core.env;

import org.gps.core.BadInputException;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The inverted pendulum of OpenAI Gym's <b>Pendulum-v0</b>, the project's first test environment
 * (docs/algorithm.md section 12), step for step.
 *
 * <p>Internally the state is the angle th (0 = upright) and the angular velocity thdot, and th is
 * carried from step to step as Gym carries it, never re-derived from cos/sin, so a rollout matches
 * Gym's to rounding of {@code sin}. One step with torque u:
 * <pre>
 *   u       = clip(u, -max_torque, max_torque)
 *   thdot'  = thdot + (-3 g / (2 l) sin(th + pi) + 3 / (m l^2) u) dt
 *   th'     = th + thdot' dt            (v0: with the UNclipped thdot')
 *   thdot'  = clip(thdot', -max_speed, max_speed)
 * </pre>
 * <b>v0 versus v1:</b> Pendulum-v1 clips thdot' before integrating th. The two agree unless
 * |thdot'| &gt; max_speed; we implement v0, which the project's results use.
 *
 * <p>GPS sees a smooth state, x = o = [cos th, sin th, thdot] (dX = dO = 3, dU = 1).
 * The reward of a step is Gym's, on the state before the step and the clipped action:
 * -(angle_normalize(th)^2 + 0.1 thdot^2 + 0.001 u^2), angle_normalize into [-pi, pi).
 * Episodes are 200 steps in Gym; {@link #randomStart} draws Gym's start distribution.
 */
public final class Pendulum implements Environment {
    private static final long serialVersionUID = 1L;

    public static final String TYPE = "pendulum";

    static final EnvParam G = EnvParam.number("g", 10.0, "gravity, m/s^2");
    static final EnvParam M = EnvParam.number("m", 1.0, "mass, kg");
    static final EnvParam L = EnvParam.number("l", 1.0, "length, m");
    static final EnvParam DT = EnvParam.number("dt", 0.05, "time step, s");
    static final EnvParam MAX_SPEED = EnvParam.number("max_speed", 8.0,
            "clip of the angular velocity after each step, rad/s");
    static final EnvParam MAX_TORQUE = EnvParam.number("max_torque", 2.0,
            "clip of the action (torque) before each step");
    static final String TRIG = "trig";
    static final String ANGLE = "angle";
    static final EnvParam STATE = EnvParam.choice("state", TRIG, List.of(TRIG, ANGLE),
            "what GPS sees as the state x: trig = [cos th, sin th, thdot]; angle = [th, thdot] with th unwrapped"
                    + " (the observation o is [cos th, sin th, thdot] either way)");
    static final List<EnvParam> PARAMS = List.of(G, M, L, DT, MAX_SPEED, MAX_TORQUE, STATE);

    private final double g;
    private final double m;
    private final double l;
    private final double dt;
    private final double maxSpeed;
    private final double maxTorque;
    private final boolean angleState;

    private double th;
    private double thdot;
    private boolean started;

    /** Gym's constants: g = 10, m = 1, l = 1, dt = 0.05, max_speed = 8, max_torque = 2. */
    public Pendulum() {
        this(G.defaultNumber(), M.defaultNumber(), L.defaultNumber(), DT.defaultNumber(),
                MAX_SPEED.defaultNumber(), MAX_TORQUE.defaultNumber());
    }

    public Pendulum(double g, double m, double l, double dt, double maxSpeed, double maxTorque) {
        this(g, m, l, dt, maxSpeed, maxTorque, false);
    }

    /**
     * @param angleState x = [th, thdot] with th unwrapped, instead of [cos th, sin th, thdot]. Local
     *                   linear models see the angle directly: a quadratic cost on th has a non-zero
     *                   gradient at the hanging position, where a cost on cos th has none (there
     *                   d cos th / d th = 0), which is what lets LQR-based methods start a swing-up.
     */
    public Pendulum(double g, double m, double l, double dt, double maxSpeed, double maxTorque, boolean angleState) {
        Check.nonNegative("g", g);
        Check.positive("m", m);
        Check.positive("l", l);
        Check.positive("dt", dt);
        Check.positive("max_speed", maxSpeed);
        Check.positive("max_torque", maxTorque);
        this.g = g;
        this.m = m;
        this.l = l;
        this.dt = dt;
        this.maxSpeed = maxSpeed;
        this.maxTorque = maxTorque;
        this.angleState = angleState;
    }

    static Pendulum fromParams(ParamReader r) {
        return new Pendulum(r.nonNegative(G), r.positive(M), r.positive(L), r.positive(DT),
                r.positive(MAX_SPEED), r.positive(MAX_TORQUE), r.choice(STATE, TRIG, ANGLE).equals(ANGLE));
    }

    /** True when x = [th, thdot] (th unwrapped) rather than [cos th, sin th, thdot]. */
    public boolean angleState() {
        return angleState;
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public int stateDim() {
        return angleState ? 2 : 3;
    }

    @Override
    public int actionDim() {
        return 1;
    }

    @Override
    public int observationDim() {
        return 3;
    }

    public double dt() {
        return dt;
    }

    public double maxTorque() {
        return maxTorque;
    }

    public double maxSpeed() {
        return maxSpeed;
    }

    /**
     * Accepts [th, thdot] (radians, rad/s) or the form [cos th, sin th, thdot]; the latter must lie
     * on the unit circle to within 1e-6. Returns the state in this pendulum's form.
     */
    @Override
    public double[] initialState(double[] configured, String key) {
        Check.configured(key, configured);
        if (configured.length == 2) {
            return angleState ? configured.clone() : stateOf(configured[0], configured[1]);
        }
        if (configured.length == 3) {
            double c = configured[0];
            double s = configured[1];
            double norm2 = c * c + s * s;
            // 1e-6 lets a user write cos/sin rounded to 6 digits and still catches a swapped or
            // mistyped entry, which is off by far more.
            if (Math.abs(norm2 - 1) > 1e-6) {
                throw new BadInputException(key + ": as [cos th, sin th, thdot] the first two values must satisfy"
                        + " cos^2 + sin^2 = 1, got " + norm2);
            }
            double th0 = Math.atan2(s, c);
            return angleState ? new double[] {th0, configured[2]} : stateOf(th0, configured[2]);
        }
        throw new BadInputException(key + ": expected 2 values [th, thdot] or 3 values [cos th, sin th, thdot] for"
                + " the pendulum, got " + configured.length);
    }

    /**
     * Starts at x0 (in this pendulum's state form); from [cos th, sin th, thdot], th is recovered
     * with atan2, so it lies in (-pi, pi]. The pendulum has no process noise, so {@code seed} is
     * unused. To start from an angle exactly as given (for a bitwise comparison with Gym), use
     * {@link #resetToAngle}.
     */
    @Override
    public void reset(double[] x0, long seed) {
        Check.length("x0", x0, stateDim());
        if (angleState) {
            resetToAngle(x0[0], x0[1]);
        } else {
            resetToAngle(angle(x0), x0[2]);
        }
    }

    /** Starts at the angle {@code th} and angular velocity {@code thdot} as given, like Gym's {@code env.state = ...}. */
    public void resetToAngle(double th, double thdot) {
        if (!Double.isFinite(th) || !Double.isFinite(thdot)) {
            throw new IllegalArgumentException("non-finite pendulum state th=" + th + ", thdot=" + thdot);
        }
        this.th = th;
        this.thdot = thdot;
        this.started = true;
    }

    @Override
    public java.util.Optional<org.gps.core.control.ActionBounds> actionBounds() {
        return java.util.Optional.of(org.gps.core.control.ActionBounds.symmetric(1, maxTorque));
    }

    @Override
    public void step(double[] u) {
        Check.length("u", u, 1);
        requireStarted();
        double uc = clip(u[0], -maxTorque, maxTorque);
        // Same operation order as Gym's expression, so the rounding is the same too.
        double newThdot = thdot + (-3 * g / (2 * l) * Math.sin(th + Math.PI) + 3.0 / (m * (l * l)) * uc) * dt;
        double newTh = th + newThdot * dt;
        th = newTh;
        thdot = clip(newThdot, -maxSpeed, maxSpeed);
    }

    @Override
    public double[] state() {
        requireStarted();
        return angleState ? new double[] {th, thdot} : stateOf(th, thdot);
    }

    @Override
    public double[] observation() {
        requireStarted();
        return stateOf(th, thdot);
    }

    /** The internal angle th, unwrapped (it grows past pi as the pendulum spins, as in Gym). */
    public double angle() {
        requireStarted();
        return th;
    }

    public double angularVelocity() {
        requireStarted();
        return thdot;
    }

    /**
     * Gym's reward on the state x before the step and the action u; from [cos th, sin th, thdot]
     * th is recovered with atan2 (equal to Gym's angle_normalize(th) up to rounding).
     */
    @Override
    public double reward(double[] x, double[] u) {
        Check.length("x", x, stateDim());
        Check.length("u", u, 1);
        return reward(angle(x), x[x.length - 1], u[0]);
    }

    /** Gym's reward of a step from angle th, velocity thdot with torque u (clipped here). */
    public double reward(double th, double thdot, double u) {
        double uc = clip(u, -maxTorque, maxTorque);
        double a = angleNormalize(th);
        return -(a * a + .1 * thdot * thdot + .001 * (uc * uc));
    }

    /**
     * The angle of a state, in [-pi, pi]: atan2 of x = [cos th, sin th, thdot], or the normalised
     * th of x = [th, thdot].
     */
    public static double angle(double[] x) {
        return x.length == 2 ? angleNormalize(x[0]) : Math.atan2(x[1], x[0]);
    }

    /** The state x = [cos th, sin th, thdot]. */
    public static double[] stateOf(double th, double thdot) {
        return new double[] {Math.cos(th), Math.sin(th), thdot};
    }

    /**
     * Gym's {@code ((x + pi) % (2 pi)) - pi} with Python's float modulo (result takes the sign of
     * the divisor), into [-pi, pi); e.g. angleNormalize(pi) = -pi.
     */
    public static double angleNormalize(double x) {
        double twoPi = 2 * Math.PI;
        double r = (x + Math.PI) % twoPi; // Java's % is C fmod: sign of the dividend
        if (r != 0 && r < 0) {
            r += twoPi;
        }
        return r - Math.PI;
    }

    /**
     * One draw of Gym's start distribution, th ~ U(-pi, pi), thdot ~ U(-1, 1) (in that order),
     * returned as the state x0 = [cos th, sin th, thdot].
     */
    public static double[] randomStart(SplittableRandom rng) {
        double u0 = rng.nextDouble();
        return startOf(u0, rng.nextDouble());
    }

    /**
     * Gym's start at the point (u0, u1) of the unit square, th = -pi + 2 pi u0, thdot = -1 + 2 u1, as
     * [cos th, sin th, thdot]: the same arithmetic as SplittableRandom's draw within bounds, so
     * {@link #randomStart} is this map of two uniform draws, bit for bit.
     */
    public static double[] startOf(double u0, double u1) {
        return stateOf(within(u0, -Math.PI, Math.PI), within(u1, -1.0, 1.0));
    }

    private static double within(double u, double lo, double hi) {
        double v = u * (hi - lo) + lo;
        return v < hi ? v : Math.nextDown(hi);
    }

    /** Gym's start distribution in this pendulum's state form. */
    @Override
    public java.util.Optional<double[]> drawStart(SplittableRandom rng) {
        return java.util.Optional.of(inStateForm(randomStart(rng)));
    }

    /** Gym's start is a function of two uniform numbers: th's and thdot's. */
    @Override
    public int startDimension() {
        return 2;
    }

    @Override
    public double[] startAt(double[] u) {
        if (u.length != 2) {
            throw new IllegalArgumentException("pendulum: a start is a point of the unit square, got " + u.length
                    + " coordinates");
        }
        return inStateForm(startOf(u[0], u[1]));
    }

    private double[] inStateForm(double[] x) {
        return angleState ? new double[] {angle(x), x[2]} : x;
    }

    private static double clip(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private void requireStarted() {
        if (!started) {
            throw new IllegalStateException("pendulum: call reset before step or state");
        }
    }
}
