package org.fcn4j.train;

/** Training cannot go on (a diverged loss, an unusable resume checkpoint); the message says why and what was kept. */
public class TrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(message);
    }
}
