package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * A layer's eval-mode weight and bias derived by {@link InferenceWeights} (BatchNorm folded in, bfloat16,
 * channels-last), which the layer owns and uses instead of its parameters while in eval mode; empty until
 * derived and again after train mode, when the parameters change and derived copies would go stale.
 */
final class DerivedWeights {
    private NDArray weight;
    private NDArray bias;

    boolean present() {
        return weight != null;
    }

    NDArray weight() {
        return weight;
    }

    /** The derived bias, or null for a layer without one. */
    NDArray bias() {
        return bias;
    }

    /** Takes ownership of {@code w} and {@code b}, freeing what was derived before. */
    void set(NDArray w, NDArray b) {
        clear();
        weight = w;
        bias = b;
    }

    void clear() {
        if (weight != null) {
            weight.close();
        }
        if (bias != null) {
            bias.close();
        }
        weight = null;
        bias = null;
    }
}
