package org.fcn4j.cli;

/** A mistake in how a command was called, reported as one line. */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message);
    }
}
