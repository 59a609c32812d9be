package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code nn.BatchNorm2d(eps=1e-5, momentum=0.1)}: batch statistics and a running-stat update while
 * training, running statistics in eval mode. Keys: weight, bias, running_mean, running_var,
 * num_batches_tracked.
 */
public final class BatchNorm2d extends Layer {
    public static final double EPS = 1e-5;
    public static final double MOMENTUM = 0.1;

    public final int channels;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batchesTracked;
    /** Folded into the preceding conv by {@link InferenceWeights}: the identity in eval mode. */
    private boolean folded;

    public BatchNorm2d(NDManager m, int channels) {
        this.channels = channels;
        Shape c = new Shape(channels);
        weight = parameter("weight", m.ones(c));
        bias = parameter("bias", m.zeros(c));
        runningMean = buffer("running_mean", m.zeros(c));
        runningVar = buffer("running_var", m.ones(c));
        batchesTracked = buffer("num_batches_tracked", m.zeros(new Shape(), DataType.INT64));
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    void setFolded() {
        folded = true;
    }

    /** Training updates the statistics a fold was computed from, so train mode ends the fold. */
    @Override
    public void train(boolean mode) {
        super.train(mode);
        if (mode) {
            folded = false;
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        if (folded && !isTraining()) {
            return x;
        }
        if (isTraining()) {
            batchesTracked.get().addi(1);
        }
        return Functional.batchNorm(
                x, runningMean.get(), runningVar.get(), weight.get(), bias.get(), isTraining(), MOMENTUM, EPS);
    }
}
