package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Eval-mode weights derived from a module tree's parameters, as inference engines prepare them: each
 * BatchNorm folded into the convolution that feeds it, which saves a pass over every activation. The
 * state dict is not touched; switching a module to train mode drops its derived weights, so apply this
 * after loading weights and again after any training.
 */
public final class InferenceWeights {
    private InferenceWeights() {}

    /**
     * Folds every BatchNorm2d under {@code root} into the Conv2d before it.
     *
     * <p>Every module here registers a BatchNorm2d right after the Conv2d whose output it normalises (and
     * nothing reads that conv's output but the BN), which is how conv/BN pairs are found.
     *
     * @return the number of BatchNorms folded
     */
    public static int foldBatchNorms(Module root) {
        int folded = 0;
        List<Module> children = new ArrayList<>(root.children().values());
        for (int i = 0; i < children.size(); i++) {
            Module c = children.get(i);
            if (c instanceof Conv2d conv) {
                if (i + 1 < children.size() && children.get(i + 1) instanceof BatchNorm2d bn
                        && bn.channels == conv.outChannels) {
                    fold(conv, bn);
                    folded++;
                }
            } else {
                folded += foldBatchNorms(c);
            }
        }
        return folded;
    }

    /**
     * bn(conv(x) + b) = conv'(x) with w' = w * s and b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps),
     * per output channel, from the current parameters and running statistics.
     */
    private static void fold(Conv2d conv, BatchNorm2d bn) {
        NDArray weight = conv.weight().get();
        NDManager owner = weight.getManager();
        try (NDManager scope = owner.newSubManager()) {
            NDArray b = conv.bias() == null ? null : conv.bias().get();
            // results of ops live with their first operand: this keeps every intermediate in the scope
            for (NDArray p : new NDArray[] {weight, b, bn.weight().get(), bn.bias().get(), bn.runningMean().get(),
                    bn.runningVar().get()}) {
                if (p != null) {
                    p.tempAttach(scope);
                }
            }
            NDArray scale = bn.weight().get().div(bn.runningVar().get().add((float) BatchNorm2d.EPS).sqrt());
            NDArray w = weight.mul(scale.reshape(conv.outChannels, 1, 1, 1));
            NDArray mean = bn.runningMean().get();
            b = (b == null ? mean.neg() : b.sub(mean)).mul(scale).add(bn.bias().get());
            w.attach(owner);
            b.attach(owner);
            conv.setInferenceWeights(w, b);
        }
        bn.setFolded();
    }
}
