package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** {@code nn.Conv2d} with a square kernel; parameters {@code weight} and, optionally, {@code bias}. */
public final class Conv2d extends Layer {
    public final int inChannels;
    public final int outChannels;
    public final int kernel;
    public final int stride;
    public final int padding;
    public final int dilation;
    public final int groups;
    private final Tensor weight;
    private final Tensor bias;
    /** Eval-mode weights and bias derived by {@link InferenceWeights} (BatchNorm folded in, maybe bfloat16). */
    private final DerivedWeights inference = new DerivedWeights();

    public Conv2d(NDManager m, int in, int out, int kernel, int stride, int padding, int dilation, boolean bias) {
        this(m, in, out, kernel, stride, padding, dilation, 1, bias);
    }

    public Conv2d(
            NDManager m, int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias) {
        this.inChannels = in;
        this.outChannels = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.weight = parameter("weight", kaimingNormal(m, new Shape(out, in / groups, kernel, kernel)));
        this.bias = bias ? parameter("bias", m.zeros(new Shape(out))) : null;
    }

    /** torchvision's {@code conv3x3}: padding = dilation keeps the size at stride 1; no bias (a BN follows). */
    public static Conv2d conv3x3(NDManager m, int in, int out, int stride, int dilation) {
        return new Conv2d(m, in, out, 3, stride, dilation, dilation, false);
    }

    /** torchvision's {@code conv1x1}: no bias (a BN follows). */
    public static Conv2d conv1x1(NDManager m, int in, int out, int stride) {
        return new Conv2d(m, in, out, 1, stride, 0, 1, false);
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias slot, or null for a conv without bias. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public NDArray forward(NDArray x) {
        MacCounter.record(this, x);
        if (inference.present() && !isTraining()) {
            return Functional.conv2d(x, inference.weight(), inference.bias(), stride, padding, dilation, groups);
        }
        return Functional.conv2d(x, weight.get(), bias == null ? null : bias.get(), stride, padding, dilation, groups);
    }

    /** Uses {@code w} and {@code b} instead of the parameters in eval mode from now on (and owns them). */
    void setInferenceWeights(NDArray w, NDArray b) {
        inference.set(w, b);
    }

    /** Back to the parameters: they change in training, so derived weights would go stale. */
    @Override
    public void train(boolean mode) {
        super.train(mode);
        if (mode) {
            inference.clear();
        }
    }
}
