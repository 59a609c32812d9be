package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;

/** {@code nn.MaxPool2d(kernel, stride, padding, ceil_mode=ceilMode)}. */
public final class MaxPool2d extends Layer {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;

    public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
    }

    @Override
    public NDArray forward(NDArray x) {
        return Functional.maxPool2d(x, kernel, stride, padding, ceilMode);
    }
}
