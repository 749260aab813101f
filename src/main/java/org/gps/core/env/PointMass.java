package org.gps.core.env;

import org.gps.core.BadInputException;

import java.util.List;

/**
 * A planar point mass pushed by a force towards a target: the analytic counterpart of the original
 * implementation's Box2D point-mass example (docs/architecture.md "Environments").
 * <pre>
 *   x = o = [px, py, vx, vy],  u = [fx, fy]
 *   a  = (u - damping v) / mass
 *   v' = v + dt a,  p' = p + dt v'     (semi-implicit Euler)
 *   x' += noise_std .* eps              (optional process noise)
 *   reward(x, u) = -|p - target|^2 - action_penalty |u|^2
 * </pre>
 * Positions come first and velocities next, the layout docs/algorithm.md section 11's init_lqr assumes.
 */
public final class PointMass implements Environment {
    private static final long serialVersionUID = 1L;

    public static final String TYPE = "point_mass";

    static final EnvParam DT = EnvParam.number("dt", 0.05, "time step, s");
    static final EnvParam MASS = EnvParam.number("mass", 1.0, "mass, kg");
    static final EnvParam DAMPING = EnvParam.number("damping", 0.0, "viscous friction coefficient, N s/m");
    static final EnvParam TARGET = EnvParam.vector("target", List.of(0.0, 0.0), "list of 2 numbers",
            "target position [x, y], m");
    static final EnvParam ACTION_PENALTY = EnvParam.number("action_penalty", 1e-3,
            "weight of |u|^2 in the reward");
    static final EnvParam NOISE_STD = new EnvParam("noise_std", 0.0, "number or list of 4 numbers",
            "standard deviation of the additive Gaussian process noise on [px, py, vx, vy]");
    static final List<EnvParam> PARAMS = List.of(DT, MASS, DAMPING, TARGET, ACTION_PENALTY, NOISE_STD);

    private final double dt;
    private final double mass;
    private final double damping;
    private final double[] target;
    private final double actionPenalty;
    private final NoisyEpisode episode;

    /** Defaults: dt = 0.05, mass = 1, no damping, target at the origin, action penalty 1e-3, no noise. */
    public PointMass() {
        this(DT.defaultNumber(), MASS.defaultNumber(), DAMPING.defaultNumber(), TARGET.defaultVector(),
                ACTION_PENALTY.defaultNumber(), new double[4]);
    }

    public PointMass(double dt, double mass, double damping, double[] target, double actionPenalty,
                     double[] noiseStd) {
        Check.positive("dt", dt);
        Check.positive("mass", mass);
        Check.nonNegative("damping", damping);
        Check.length("target", target, 2);
        Check.nonNegative("action_penalty", actionPenalty);
        Check.length("noise_std", noiseStd, 4);
        this.dt = dt;
        this.mass = mass;
        this.damping = damping;
        this.target = target.clone();
        this.actionPenalty = actionPenalty;
        this.episode = new NoisyEpisode("point mass", 4, new ProcessNoise(noiseStd));
    }

    static PointMass fromParams(ParamReader r) {
        return new PointMass(r.positive(DT), r.positive(MASS), r.nonNegative(DAMPING), r.vector(TARGET, 2),
                r.nonNegative(ACTION_PENALTY), r.nonNegativeNumberOrVector(NOISE_STD, 4));
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
        return 4;
    }

    public double dt() {
        return dt;
    }

    public double[] target() {
        return target.clone();
    }

    /** Accepts [px, py, vx, vy], or [px, py] starting at rest. */
    @Override
    public double[] initialState(double[] configured, String key) {
        Check.configured(key, configured);
        if (configured.length == 4) {
            return configured.clone();
        }
        if (configured.length == 2) {
            return new double[] {configured[0], configured[1], 0, 0};
        }
        throw new BadInputException(key + ": expected 4 values [px, py, vx, vy] or 2 values [px, py] for the point"
                + " mass, got " + configured.length);
    }

    @Override
    public void reset(double[] x0, long seed) {
        episode.reset(x0, seed);
    }

    @Override
    public void step(double[] u) {
        Check.length("u", u, 2);
        double[] x = episode.current();
        double[] next = new double[4];
        for (int i = 0; i < 2; i++) {
            double v = x[2 + i];
            double acc = (u[i] - damping * v) / mass;
            double v1 = v + dt * acc;
            next[2 + i] = v1;
            next[i] = x[i] + dt * v1;
        }
        episode.advance(next);
    }

    @Override
    public double[] state() {
        return episode.state();
    }

    @Override
    public double[] observation() {
        return state();
    }

    /** -|p - target|^2 - action_penalty |u|^2 on the state before the step. */
    @Override
    public double reward(double[] x, double[] u) {
        Check.length("x", x, 4);
        Check.length("u", u, 2);
        double dx = x[0] - target[0];
        double dy = x[1] - target[1];
        return -(dx * dx + dy * dy) - actionPenalty * (u[0] * u[0] + u[1] * u[1]);
    }
}
