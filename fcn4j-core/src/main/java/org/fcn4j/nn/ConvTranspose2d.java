package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code nn.ConvTranspose2d} with a square kernel; {@code weight} (in, out / groups, k, k) and, optionally,
 * {@code bias}. A layer that is not trainable keeps its weight as a buffer: loaded and saved under the same
 * key, but it gets no gradient and no optimiser step (the FCN paper's fixed bilinear upsamplers).
 */
public final class ConvTranspose2d extends Layer {
    public final int inChannels;
    public final int outChannels;
    public final int kernel;
    public final int stride;
    public final int padding;
    public final int outputPadding;
    public final int groups;
    public final int dilation;
    private final Tensor weight;
    private final Tensor bias;

    /** Initialised as PyTorch does: weight and bias uniform in +-1/sqrt(out / groups * k * k). */
    public ConvTranspose2d(
            NDManager m,
            int in,
            int out,
            int kernel,
            int stride,
            int padding,
            int outputPadding,
            int groups,
            int dilation,
            boolean bias,
            boolean trainable) {
        if (in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(
                    "groups " + groups + " must divide in (" + in + ") and out (" + out + ")");
        }
        if (outputPadding >= Math.max(stride, dilation)) {
            throw new IllegalArgumentException("output_padding " + outputPadding + " must be smaller than stride ("
                    + stride + ") or dilation (" + dilation + ")");
        }
        this.inChannels = in;
        this.outChannels = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.outputPadding = outputPadding;
        this.groups = groups;
        this.dilation = dilation;
        Shape shape = new Shape(in, out / groups, kernel, kernel);
        float bound = (float) (1 / Math.sqrt((double) out / groups * kernel * kernel));
        NDArray w = m.randomUniform(-bound, bound, shape, DataType.FLOAT32);
        this.weight = trainable ? parameter("weight", w) : buffer("weight", w);
        this.bias = bias ? parameter("bias", m.randomUniform(-bound, bound, new Shape(out), DataType.FLOAT32)) : null;
    }

    /**
     * The FCN paper's upsampler: {@code channels -> channels}, no bias, no padding, the bilinear kernel
     * on the channel diagonal ({@link #bilinearWeight}).
     */
    public static ConvTranspose2d bilinearUpsampler(
            NDManager m, int channels, int kernel, int stride, boolean trainable) {
        ConvTranspose2d up = new ConvTranspose2d(m, channels, channels, kernel, stride, 0, 0, 1, 1, false, trainable);
        up.weight.set(bilinearWeight(m, channels, kernel));
        return up;
    }

    /**
     * (channels, channels, k, k) zeros but for weight[c, c], the 2-D bilinear filter of the FCN reference
     * ({@code surgery.upsample_filt}): factor = (k + 1) / 2, center = factor - 1 for odd k and factor - 0.5
     * for even k, taps 1 - |i - center| / factor, filter the outer product of the taps. Interior outputs of
     * a stride-(k / 2) layer then sum to 1, so a constant map stays constant.
     */
    public static NDArray bilinearWeight(NDManager m, int channels, int kernel) {
        int factor = (kernel + 1) / 2;
        double center = kernel % 2 == 1 ? factor - 1 : factor - 0.5;
        double[] taps = new double[kernel];
        for (int i = 0; i < kernel; i++) {
            taps[i] = 1 - Math.abs(i - center) / factor;
        }
        int k2 = kernel * kernel;
        float[] w = new float[channels * channels * k2];
        for (int c = 0; c < channels; c++) {
            int diagonal = (c * channels + c) * k2;
            for (int i = 0; i < kernel; i++) {
                for (int j = 0; j < kernel; j++) {
                    // the product in double, rounded once, as numpy computes it before the float32 copy
                    w[diagonal + i * kernel + j] = (float) (taps[i] * taps[j]);
                }
            }
        }
        return m.create(w, new Shape(channels, channels, kernel, kernel));
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias slot, or null for a layer without bias. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public NDArray forward(NDArray x) {
        MacCounter.record(this, x);
        return Functional.convTranspose2d(
                x, weight.get(), bias == null ? null : bias.get(), stride, padding, outputPadding, groups, dilation);
    }
}
