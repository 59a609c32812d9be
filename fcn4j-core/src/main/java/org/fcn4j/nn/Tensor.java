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
        if (value == null) {
            throw new IllegalStateException("this tensor was released when its model was frozen for inference; "
                    + "load the model again to train it or to read its weights");
        }
        return value;
    }

    public boolean trainable() {
        return trainable;
    }

    /** Frees the array; the slot is unusable from then on (see {@link InferenceWeights#freeze}). */
    void release() {
        if (value != null) {
            value.close();
            value = null;
        }
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
