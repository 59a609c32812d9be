package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** mmcv's {@code ConvModule} as FCN uses it: conv (no bias) -> BN -> ReLU, keys {@code conv.*}, {@code bn.*}. */
public final class ConvModule extends Layer {
    public final Conv2d conv;
    public final BatchNorm2d bn;

    public ConvModule(NDManager m, int in, int out, int kernel, int padding, int dilation) {
        conv = child("conv", new Conv2d(m, in, out, kernel, 1, padding, dilation, false));
        bn = child("bn", new BatchNorm2d(m, out));
    }

    @Override
    public NDArray forward(NDArray x) {
        return convBnRelu(conv, bn, x);
    }

    /** relu(bn(conv(x))), freeing the conv and BN outputs at inference; shared with the ResNet blocks. */
    public static NDArray convBnRelu(Conv2d conv, BatchNorm2d bn, NDArray x) {
        NDArray b = convBn(conv, bn, x);
        NDArray out = Functional.relu(b);
        Scope.discard(b);
        return out;
    }

    /**
     * bn(conv(x)), freeing the conv output at inference unless it is the result (a BN folded into the
     * conv passes its input through).
     */
    public static NDArray convBn(Conv2d conv, BatchNorm2d bn, NDArray x) {
        NDArray c = conv.forward(x);
        NDArray b = bn.forward(c);
        if (b != c) {
            Scope.discard(c);
        }
        return b;
    }

    /**
     * A residual block's tail: relu(out + shortcut), where the shortcut is {@code x} or
     * {@code downsample(x)}; frees {@code out} and a downsampled shortcut at inference.
     */
    public static NDArray residual(NDArray out, NDArray x, Layer downsample) {
        NDArray identity = downsample == null ? x : downsample.forward(x);
        out.addi(identity);
        OnnxTrace.add(out, identity, out);
        if (identity != x) {
            Scope.discard(identity);
        }
        NDArray result = Functional.relu(out);
        Scope.discard(out);
        return result;
    }
}
