package org.fcn4j.io.pickle;

/** A pickle stream that is malformed, truncated, or names something the restricted reader refuses. */
public class PickleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PickleException(String message) {
        super(message);
    }
}
