package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * A named slot of a module: a trainable parameter or a buffer (BN running statistics). Loading a
 * checkpoint replaces the array in the slot, so modules always read {@link #get()} at forward time.
 */
public final class Tensor {
    private final boolean trainable;
    private NDArray value;

    Tensor(NDArray value, boolean trainable) {
        this.trainable = trainable;
        set(value);
    }

    public NDArray get() {
        return value;
    }

    public boolean trainable() {
        return trainable;
    }

    /** Puts {@code array} in this slot (on the previous array's manager) and frees the old one. */
    public void set(NDArray array) {
        NDArray old = value;
        if (old != null) {
            array.attach(old.getManager());
        }
        value = array;
        if (trainable) {
            value.setRequiresGradient(true);
        }
        if (old != null && old != array) {
            old.close();
        }
    }
}
