package org.gps.pipeline.config;

/** The smallest valid experiment configs the config tests start from, in one place. */
public final class TestConfigs {
    /** Pendulum from the hanging start, every default left to the reader: a state and an action term. */
    public static final String MINIMAL = """
            horizon: 10
            environment: {type: pendulum}
            conditions:
              - [3.141592653589793, 0.0]
            cost:
              terms:
                - {type: state, target: [1, 0, 0]}
                - {type: action, weights: 0.1}
            """;

    /** {@link #MINIMAL} with the sizes a run needs written out. */
    public static final String MINIMAL_RUN = MINIMAL.replace("horizon: 10\n", "horizon: 10\nsamples: 3\niterations: 1\n");

    /**
     * The tiny Pendulum task the run tests share (after their name, seed and sizes): the hanging and
     * the 0.5 rad start, LQR initial controllers, the swing-up cost.
     */
    public static final String TINY_PENDULUM_TASK = """
            environment: {type: pendulum}
            conditions: [[3.141592653589793, 0.0], [0.5, 0.0]]
            initial_controller: {type: lqr, init_var: 1.0}
            cost:
              terms:
                - {type: state, target: [1, 0, 0], weights: [1, 1, 0.1]}
                - {type: action, weights: 0.05}
            """;

    private TestConfigs() {
    }
}
