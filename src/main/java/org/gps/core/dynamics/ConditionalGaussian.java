package org.gps.core.dynamics;

import org.gps.core.linalg.Mat;

import java.io.Serializable;

/**
 * out | in ~ N(gain in + offset, covariance): one time step of fitted dynamics (in = [x_t; u_t],
 * out = x_{t+1}) or of a policy linearization (in = x_t, out = action).
 */
public record ConditionalGaussian(Mat gain, double[] offset, Mat covariance) implements Serializable {
    public ConditionalGaussian {
        offset = offset.clone();
    }

    @Override
    public double[] offset() {
        return offset.clone();
    }
}
