package org.fcn4j.data;

/** A data file that cannot be used as it is (undecodable, mismatched sizes, labels out of range); the message names it. */
public class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
