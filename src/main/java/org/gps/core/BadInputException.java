package org.gps.core;

/**
 * A problem with what the user gave us (a config key, a file, a row), as opposed to a bug.
 * The command line turns it into exit code 2 and prints only its message, which must name the
 * file, row or key and say what was expected.
 */
public class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
