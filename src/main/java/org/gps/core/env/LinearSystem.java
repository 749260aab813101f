package org.gps.core.env;

import org.gps.core.BadInputException;
import org.gps.core.linalg.Mat;
import org.gps.core.linalg.Vec;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A linear system with known dynamics, for tests (exact recovery of A, B) and for benchmarks at
 * any size (docs/architecture.md "Environments"):
 * <pre>
 *   x' = A x + B u + noise_std .* eps,   eps ~ N(0, I) drawn from the episode seed
 *   o  = x
 *   reward(x, u) = -0.5 (x^T x + u^T u)  (a unit-weight regulator to the origin)
 * </pre>
 * {@link #randomStable} builds a random stable system of any size from a seed, so that
 * benchmarks and tests share it.
 */
public final class LinearSystem implements Environment {
    private static final long serialVersionUID = 1L;

    public static final String TYPE = "linear";

    static final EnvParam A = EnvParam.noDefault("A", "dX x dX matrix (list of rows)",
            "state transition; give A and B together, or neither for a random stable system");
    static final EnvParam B = EnvParam.noDefault("B", "dX x dU matrix (list of rows)", "action matrix");
    static final EnvParam NOISE_STD = new EnvParam("noise_std", 0.0, "number or list of dX numbers",
            "standard deviation of the additive Gaussian process noise, per state dimension");
    static final EnvParam STATE_DIM = EnvParam.integer("state_dim", 2,
            "dX of the random stable system (only without A and B)");
    static final EnvParam ACTION_DIM = EnvParam.integer("action_dim", 1,
            "dU of the random stable system (only without A and B)");
    static final EnvParam SYSTEM_SEED = EnvParam.integer("system_seed", 0,
            "seed that draws the random stable system (only without A and B)");
    static final EnvParam DT = EnvParam.number("dt", 0.05,
            "time step of the random stable system, s (only without A and B)");
    static final EnvParam DAMPING = EnvParam.number("damping", 1.0,
            "damping rate of the random stable system, 1/s; dt * damping in [0, 2) (only without A and B)");
    static final List<EnvParam> PARAMS = List.of(A, B, NOISE_STD, STATE_DIM, ACTION_DIM, SYSTEM_SEED, DT, DAMPING);

    private final Mat a;
    private final Mat b;
    private final NoisyEpisode episode;

    /**
     * @param a        dX x dX
     * @param b        dX x dU
     * @param noiseStd dX standard deviations (zeros for a deterministic system)
     */
    public LinearSystem(Mat a, Mat b, double[] noiseStd) {
        if (a.rows() != a.cols() || a.rows() == 0) {
            throw new IllegalArgumentException("A must be square and non-empty, got " + a.shape());
        }
        if (b.rows() != a.rows() || b.cols() == 0) {
            throw new IllegalArgumentException("B must be " + a.rows() + "xdU with dU > 0, got " + b.shape());
        }
        if (!a.isFinite() || !b.isFinite()) {
            throw new IllegalArgumentException("A and B must be finite");
        }
        Check.length("noise_std", noiseStd, a.rows());
        this.a = a;
        this.b = b;
        this.episode = new NoisyEpisode("linear system", a.rows(), new ProcessNoise(noiseStd));
    }

    /** A deterministic system. */
    public LinearSystem(Mat a, Mat b) {
        this(a, b, new double[a.rows()]);
    }

    /** The same system with process noise {@code noiseStd} (dX values). */
    public LinearSystem withNoise(double[] noiseStd) {
        return new LinearSystem(a, b, noiseStd);
    }

    /** The same system with the same process noise std in every dimension. */
    public LinearSystem withNoise(double noiseStd) {
        return withNoise(ParamReader.filled(stateDim(), noiseStd));
    }

    /** {@link #randomStable(int, int, long, double, double)} with dt = 0.05 and damping = 1. */
    public static LinearSystem randomStable(int dX, int dU, long seed) {
        return randomStable(dX, dU, seed, DT.defaultNumber(), DAMPING.defaultNumber());
    }

    /**
     * A random, stable, noise-free system that looks like a discretised damped oscillator:
     * <pre>
     *   A = (1 - dt damping) I + dt S,   S skew-symmetric random, ||S||_F = 0.999 sqrt(1 - (1 - dt damping)^2) / dt
     *   B = dt G,                        G with N(0, 1) entries
     * </pre>
     * Since S is skew, A is normal and A^T A = (1 - dt damping)^2 I + dt^2 S^T S, so
     * ||A||_2^2 &lt;= (1 - dt damping)^2 + dt^2 ||S||_F^2 &lt; 1: the spectral radius and the
     * spectral norm are both below 1, so a free rollout never grows (||A^k x|| &lt;= ||x||).
     * The eigenvalues are (1 - dt damping) +- i dt omega_k, so the system rotates slowly while it
     * decays, like joints of a damped arm. The same arguments always give the same system.
     *
     * @param damping decay rate; needs 0 &lt;= dt * damping &lt; 2 (0 gives A = I, marginally stable)
     */
    public static LinearSystem randomStable(int dX, int dU, long seed, double dt, double damping) {
        if (dX < 1 || dU < 1) {
            throw new IllegalArgumentException("dX and dU must be >= 1, got " + dX + ", " + dU);
        }
        Check.positive("dt", dt);
        Check.nonNegative("damping", damping);
        double c = 1 - dt * damping;
        if (!(Math.abs(c) < 1) && damping != 0) {
            throw new IllegalArgumentException("need 0 <= dt * damping < 2, got " + dt * damping);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] s = new double[dX][dX];
        double frob2 = 0;
        for (int i = 0; i < dX; i++) {
            for (int j = i + 1; j < dX; j++) {
                double v = rng.nextGaussian();
                s[i][j] = v;
                s[j][i] = -v;
                frob2 += 2 * v * v;
            }
        }
        // The margin 0.999 keeps ||A||_2 strictly below 1 after rounding.
        double omega = 0.999 * Math.sqrt(Math.max(0, 1 - c * c)) / dt;
        double scale = frob2 > 0 ? omega / Math.sqrt(frob2) : 0;
        double[][] aRows = new double[dX][dX];
        for (int i = 0; i < dX; i++) {
            for (int j = 0; j < dX; j++) {
                aRows[i][j] = dt * scale * s[i][j];
            }
            aRows[i][i] = c;
        }
        double[][] bRows = new double[dX][dU];
        for (int i = 0; i < dX; i++) {
            for (int j = 0; j < dU; j++) {
                bRows[i][j] = dt * rng.nextGaussian();
            }
        }
        return new LinearSystem(Mat.of(aRows), Mat.of(bRows));
    }

    static LinearSystem fromParams(ParamReader r) {
        LinearSystem sys;
        if (r.has(A) || r.has(B)) {
            for (EnvParam p : List.of(STATE_DIM, ACTION_DIM, SYSTEM_SEED, DT, DAMPING)) {
                if (r.has(p)) {
                    throw r.error(p.name(), "only used for a random stable system; remove it or remove A and B");
                }
            }
            double[][] aRows = r.matrix(A, -1, -1);
            if (aRows.length != aRows[0].length) {
                throw r.error(A.name(), "expected a square dX x dX matrix, got " + aRows.length + "x" + aRows[0].length);
            }
            double[][] bRows = r.matrix(B, aRows.length, -1);
            sys = new LinearSystem(Mat.of(aRows), Mat.of(bRows));
        } else {
            int dX = (int) r.integer(STATE_DIM, 1);
            int dU = (int) r.integer(ACTION_DIM, 1);
            long systemSeed = r.integer(SYSTEM_SEED, Long.MIN_VALUE);
            double dt = r.positive(DT);
            double damping = r.nonNegative(DAMPING);
            if (!(dt * damping < 2)) {
                throw r.error(DAMPING.name(), "expected dt * damping < 2 for a stable system, got " + dt * damping);
            }
            sys = randomStable(dX, dU, systemSeed, dt, damping);
        }
        double[] std = r.nonNegativeNumberOrVector(NOISE_STD, sys.stateDim());
        return sys.withNoise(std);
    }

    public Mat a() {
        return a;
    }

    public Mat b() {
        return b;
    }

    public double[] noiseStd() {
        return episode.noise().std();
    }

    /** The noise-free successor A x + B u. */
    public double[] mean(double[] x, double[] u) {
        Check.length("x", x, stateDim());
        Check.length("u", u, actionDim());
        return Vec.plus(a.times(x), b.times(u));
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public int stateDim() {
        return a.rows();
    }

    @Override
    public int actionDim() {
        return b.cols();
    }

    @Override
    public int observationDim() {
        return a.rows();
    }

    /** Accepts the full state, dX values. */
    @Override
    public double[] initialState(double[] configured, String key) {
        Check.configured(key, configured);
        if (configured.length != stateDim()) {
            throw new BadInputException(key + ": expected " + stateDim() + " values (the state of the linear system),"
                    + " got " + configured.length);
        }
        return configured.clone();
    }

    @Override
    public void reset(double[] x0, long seed) {
        episode.reset(x0, seed);
    }

    @Override
    public void step(double[] u) {
        episode.advance(mean(episode.current(), u));
    }

    @Override
    public double[] state() {
        return episode.state();
    }

    @Override
    public double[] observation() {
        return state();
    }

    /** -0.5 (x^T x + u^T u). */
    @Override
    public double reward(double[] x, double[] u) {
        Check.length("x", x, stateDim());
        Check.length("u", u, actionDim());
        return -0.5 * (Vec.dot(x, x) + Vec.dot(u, u));
    }
}
