package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * How an eval-mode pass stores its tensors: float32 or bfloat16 elements, and NCHW or channels-last
 * (NHWC in memory, the same logical shape) layout. Weights are converted once by {@link InferenceWeights},
 * the input at the start of each pass; every operator then keeps both.
 */
public record TensorFormat(boolean bfloat16, boolean channelsLast) {
    /** PyTorch's default: float32, NCHW. */
    public static final TensorFormat DEFAULT = new TensorFormat(false, false);

    public boolean isDefault() {
        return !bfloat16 && !channelsLast;
    }

    /** A 4-D activation or convolution weight in this format (a new array, or {@code x} when nothing changes). */
    public NDArray apply(NDArray x) {
        NDArray typed = applyType(x);
        if (!channelsLast) {
            return typed;
        }
        NDArray out = Torch.toChannelsLast(typed);
        if (typed != x) {
            typed.close();
        }
        return out;
    }

    /** Any tensor (a bias) in this format's element type. */
    public NDArray applyType(NDArray x) {
        return bfloat16 ? Torch.toBfloat16(x) : x;
    }

    @Override
    public String toString() {
        return (bfloat16 ? "bf16" : "fp32") + (channelsLast ? ", channels-last" : "");
    }
}
