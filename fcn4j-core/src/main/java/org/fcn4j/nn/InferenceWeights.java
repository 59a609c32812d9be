package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Eval-mode weights derived from a module tree's parameters, as inference engines prepare them: each
 * BatchNorm folded into the convolution that feeds it, which saves a pass over every activation, and
 * optionally every convolution's weights in bfloat16 and/or channels-last layout ({@link TensorFormat}). The state dict is not touched; switching a module
 * to train mode drops its derived weights, so apply this after loading weights and again after training.
 */
public final class InferenceWeights {
    private InferenceWeights() {}

    /**
     * Folds every BatchNorm2d under {@code root} into the Conv2d before it and gives every Conv2d its
     * weights in {@code format} (folded in float32 first).
     *
     * <p>Every module here registers a BatchNorm2d right after the Conv2d whose output it normalises (and
     * nothing reads that conv's output but the BN), which is how conv/BN pairs are found.
     *
     * @return the number of BatchNorms folded
     */
    public static int prepare(Module root, TensorFormat format) {
        return derive(root, format, false);
    }

    /**
     * As {@link #prepare}, then frees the tensors the derived weights replace (each such conv's weight and
     * bias, each folded BatchNorm's parameters and statistics): a process that only infers then holds one
     * copy of the weights instead of two. The module can no longer train or save; reading a freed tensor
     * throws.
     */
    public static int freeze(Module root, TensorFormat format) {
        return derive(root, format, true);
    }

    private static int derive(Module root, TensorFormat format, boolean release) {
        int folded = 0;
        List<Module> children = new ArrayList<>(root.children().values());
        for (int i = 0; i < children.size(); i++) {
            Module c = children.get(i);
            if (c instanceof Conv2d conv) {
                BatchNorm2d bn = i + 1 < children.size()
                                && children.get(i + 1) instanceof BatchNorm2d b
                                && b.channels == conv.outChannels
                        ? b
                        : null;
                if (fold(conv, bn, format) && release) {
                    conv.stateDict().values().forEach(Tensor::release);
                    if (bn != null) {
                        bn.stateDict().values().forEach(Tensor::release);
                    }
                }
                folded += bn == null ? 0 : 1;
            } else {
                folded += derive(c, format, release);
            }
        }
        return folded;
    }

    /**
     * bn(conv(x) + b) = conv'(x) with w' = w * s and b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps),
     * per output channel, from the current parameters and running statistics; then the format conversion.
     */
    /** @return whether the conv got derived weights (false: its parameters serve as they are) */
    private static boolean fold(Conv2d conv, BatchNorm2d bn, TensorFormat format) {
        if (bn == null && format.isDefault()) {
            return false;
        }
        NDArray weight = conv.weight().get();
        NDManager owner = weight.getManager();
        try (NDManager scope = owner.newSubManager()) {
            NDArray w = weight;
            NDArray b = conv.bias() == null ? null : conv.bias().get();
            // results of ops live with their first operand: this keeps every intermediate in the scope
            for (NDArray p : bn == null
                    ? new NDArray[] {w, b}
                    : new NDArray[] {
                        w,
                        b,
                        bn.weight().get(),
                        bn.bias().get(),
                        bn.runningMean().get(),
                        bn.runningVar().get()
                    }) {
                if (p != null) {
                    p.tempAttach(scope);
                }
            }
            if (bn != null) {
                NDArray scale = bn.weight()
                        .get()
                        .div(bn.runningVar().get().add((float) BatchNorm2d.EPS).sqrt());
                w = w.mul(scale.reshape(conv.outChannels, 1, 1, 1));
                NDArray mean = bn.runningMean().get();
                b = (b == null ? mean.neg() : b.sub(mean))
                        .mul(scale)
                        .add(bn.bias().get());
            }
            w = format.apply(w);
            b = b == null ? null : format.applyType(b);
            if (conv.bias() != null && b == conv.bias().get()) {
                b = b.duplicate(); // an unfolded float32 bias: the conv must own a copy, not the parameter
            }
            // new arrays (folded, converted or copied), which the conv now owns
            w.attach(owner);
            if (b != null) {
                b.attach(owner);
            }
            conv.setInferenceWeights(w, b);
        }
        if (bn != null) {
            bn.setFolded();
        }
        return true;
    }
}
