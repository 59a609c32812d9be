package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;

/** {@code nn.ReLU}. */
public final class Relu extends Layer {
    @Override
    public NDArray forward(NDArray x) {
        return Functional.relu(x);
    }
}
