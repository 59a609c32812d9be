package org.fcn4j.spark;

/** A bad argument or input of a Spark job, found on the driver before any task; the message is the whole story. */
final class SparkJobException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SparkJobException(String message) {
        super(message);
    }
}
