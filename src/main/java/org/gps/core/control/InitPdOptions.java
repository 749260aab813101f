package org.gps.core.control;

import java.io.Serializable;

/**
 * Options of {@link InitialControllers#initPd} (docs/algorithm.md section 11), defaults from the
 * original's INIT_LG_PD.
 *
 * @param initVar      action noise variance (`init_var`)
 * @param posGains     position gain (`pos_gains`)
 * @param velGainsMult velocity gain as a fraction of the position gain (`vel_gains_mult`)
 */
public record InitPdOptions(double initVar, double posGains, double velGainsMult) implements Serializable {
    public InitPdOptions {
        if (!(initVar > 0) || !Double.isFinite(initVar) || !Double.isFinite(posGains)
                || !Double.isFinite(velGainsMult)) {
            throw new IllegalArgumentException("init_pd needs init_var > 0 and finite gains, got " + initVar + ", "
                    + posGains + ", " + velGainsMult);
        }
    }

    public static InitPdOptions defaults() {
        return new InitPdOptions(10.0, 10.0, 0.01);
    }
}
