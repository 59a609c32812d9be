package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Counts the multiply-accumulates of the convolutions run on this thread while it is open (the figure
 * MMSegmentation's get_flops reports as "FLOPs": convolutions dominate FCN, other ops are ignored).
 */
public final class MacCounter implements AutoCloseable {
    private static final ThreadLocal<MacCounter> ACTIVE = new ThreadLocal<>();

    private long macs;

    private MacCounter() {}

    public static MacCounter start() {
        MacCounter c = new MacCounter();
        ACTIVE.set(c);
        return c;
    }

    static void record(Conv2d conv, NDArray input) {
        MacCounter c = ACTIVE.get();
        if (c == null) {
            return;
        }
        Shape s = input.getShape();
        long outH = outSize(s.get(2), conv);
        long outW = outSize(s.get(3), conv);
        c.macs +=
                s.get(0) * conv.outChannels * outH * outW * (conv.inChannels / conv.groups) * conv.kernel * conv.kernel;
    }

    /** A transposed convolution: every input pixel scatters one (out / groups) x k x k block. */
    static void record(ConvTranspose2d conv, NDArray input) {
        MacCounter c = ACTIVE.get();
        if (c == null) {
            return;
        }
        Shape s = input.getShape();
        c.macs += s.get(0)
                * conv.inChannels
                * s.get(2)
                * s.get(3)
                * (conv.outChannels / conv.groups)
                * conv.kernel
                * conv.kernel;
    }

    private static long outSize(long in, Conv2d c) {
        return (in + 2L * c.padding - (long) c.dilation * (c.kernel - 1) - 1) / c.stride + 1;
    }

    public long macs() {
        return macs;
    }

    @Override
    public void close() {
        ACTIVE.remove();
    }
}
