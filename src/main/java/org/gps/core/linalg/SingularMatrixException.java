package org.gps.core.linalg;

/** A solve met a singular (or numerically singular) matrix. */
public class SingularMatrixException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    public SingularMatrixException(String message) {
        super(message);
    }
}
