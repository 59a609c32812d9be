package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;

/** {@code nn.MaxPool2d(kernel, stride, padding)}. */
public final class MaxPool2d extends Layer {
    private final int kernel;
    private final int stride;
    private final int padding;

    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public NDArray forward(NDArray x) {
        return Functional.maxPool2d(x, kernel, stride, padding);
    }
}
