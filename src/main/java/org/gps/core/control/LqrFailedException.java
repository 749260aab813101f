package org.gps.core.control;

/**
 * The LQR backward pass found no positive definite Qtt_uu even for a very large eta
 * (docs/algorithm.md section 6): the dynamics hold NaNs, or dynamics and cost are badly conditioned.
 */
public class LqrFailedException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    public LqrFailedException(String message) {
        super(message);
    }
}
