package org.gps.core.control;

/**
 * A PI2 update found no usable temperature for a step: its covariance stayed not positive definite
 * up to the largest temperature, or its costs-to-go are spread too widely for any temperature to
 * meet the KL bound.
 */
public class Pi2FailedException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    public Pi2FailedException(String message) {
        super(message);
    }
}
