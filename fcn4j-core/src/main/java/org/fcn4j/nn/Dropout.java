package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;

/** {@code nn.Dropout2d} (whole channels) or {@code nn.Dropout} (elements); identity in eval mode. */
public final class Dropout extends Layer {
    private final double p;
    private final boolean channelWise;

    private Dropout(double p, boolean channelWise) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.channelWise = channelWise;
    }

    public static Dropout channels(double p) {
        return new Dropout(p, true);
    }

    public static Dropout elements(double p) {
        return new Dropout(p, false);
    }

    public double p() {
        return p;
    }

    @Override
    public NDArray forward(NDArray x) {
        return channelWise ? Functional.dropout2d(x, p, isTraining()) : Functional.dropout(x, p, isTraining());
    }
}
