package org.gps.core.linalg;

/** A Cholesky factorisation failed: the matrix is not (numerically) positive definite. */
public class NotPositiveDefiniteException extends SingularMatrixException {
    private static final long serialVersionUID = 1L;

    public NotPositiveDefiniteException(String message) {
        super(message);
    }
}
