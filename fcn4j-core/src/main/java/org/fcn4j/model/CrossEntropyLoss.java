package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.Scope;
import org.fcn4j.nn.Torch;

/**
 * A decode head's training loss as MMSegmentation computes it: logits resized to the label size, softmax
 * cross-entropy with an ignore index, per-pixel class weights, and the mean over ALL pixels
 * ({@code avg_non_ignore=false}) or over the non-ignored ones, or the sum ({@code reduction: sum});
 * plus {@code acc_seg}.
 */
public final class CrossEntropyLoss {
    /** torch.finfo(torch.float32).eps, which mmseg adds to its denominators. */
    private static final float EPS = 1.1920928955078125e-7f;

    private CrossEntropyLoss() {}

    /**
     * One head's loss terms by {@code loss_name} (terms sharing a name are summed, as mmseg's
     * {@code losses[loss_name] += ...}), their sum, and the pixel accuracy (%).
     */
    public record HeadLoss(Map<String, NDArray> terms, NDArray loss, NDArray accuracy) {}

    /**
     * @param logits (N, C, h, w) head output
     * @param label (N, H, W) int64 class indices, {@code head.ignoreIndex()} for ignored pixels
     */
    public static HeadLoss of(NDArray logits, NDArray label, DecodeHead.Spec head) {
        return of(logits, label, head.loss(), head.ignoreIndex(), head.alignCorners());
    }

    /** As {@link #of(NDArray, NDArray, DecodeHead.Spec)} for a head described by its loss terms alone. */
    public static HeadLoss of(
            NDArray logits, NDArray label, List<LossSpec> terms, int ignoreIndex, boolean alignCorners) {
        Shape ls = label.getShape();
        NDArray up = Functional.resizeBilinear(logits, (int) ls.get(1), (int) ls.get(2), alignCorners);
        NDArray resized = atLeastFloat32(up);
        if (up != resized && up != logits) {
            Scope.discard(up);
        }
        NDArray loss = null;
        Map<String, NDArray> byName = new LinkedHashMap<>();
        for (LossSpec term : terms) {
            NDArray l = crossEntropy(resized, label, term, ignoreIndex);
            byName.merge(term.name(), l, NDArray::add);
            loss = loss == null ? l : loss.add(l);
        }
        HeadLoss out = new HeadLoss(byName, loss, accuracy(resized, label, ignoreIndex));
        if (resized != logits) {
            // label-sized; backward needs only the log-softmax output, which autograd holds itself
            Scope.discard(resized);
        }
        return out;
    }

    /** Bfloat16 logits (from {@code Autocast}) as float32, as autocast runs cross_entropy; others as they are. */
    private static NDArray atLeastFloat32(NDArray logits) {
        DataType t = logits.getDataType();
        return t == DataType.FLOAT32 || t == DataType.FLOAT64 ? logits : Torch.toFloat32(logits);
    }

    /** One loss term, multiplied by its loss_weight. */
    public static NDArray crossEntropy(NDArray logits, NDArray label, LossSpec spec, int ignoreIndex) {
        NDArray valid = label.neq(ignoreIndex);
        NDArray safeLabel = label.mul(valid.toType(DataType.INT64, false));
        NDArray logp = logits.logSoftmax(1);
        NDArray nll = logp.gather(safeLabel.expandDims(1), 1).squeeze(1).neg();
        Scope.discard(logp); // autograd holds it for backward; the handle would keep it to the step's end
        NDArray weight = valid.toType(nll.getDataType(), false);
        if (spec.classWeight() != null) {
            float[] cw = new float[spec.classWeight().length];
            for (int i = 0; i < cw.length; i++) {
                cw[i] = (float) spec.classWeight()[i];
            }
            weight = weight.mul(label.getManager().create(cw).take(safeLabel));
        }
        NDArray sum = nll.mul(weight).sum();
        if (spec.summed()) {
            return sum.mul(Functional.scalar(sum, spec.lossWeight()));
        }
        float denominator = spec.avgNonIgnore()
                ? valid.sum().toType(DataType.FLOAT32, false).getFloat() + EPS
                : (float) label.getShape().size();
        // numbers as libtorch tensors: autograd keeps them for backward (Functional.scalar)
        return sum.div(Functional.scalar(sum, denominator)).mul(Functional.scalar(sum, spec.lossWeight()));
    }

    /** mmseg's {@code accuracy}: top-1 over non-ignored pixels, in percent, with its eps terms. */
    public static NDArray accuracy(NDArray logits, NDArray label, int ignoreIndex) {
        NDArray valid = label.neq(ignoreIndex);
        NDArray correct = Functional.argmaxChannels(logits)
                .eq(label)
                .logicalAnd(valid)
                .sum()
                .toType(DataType.FLOAT32, false);
        float total = valid.sum().toType(DataType.FLOAT32, false).getFloat() + EPS;
        return correct.add(EPS).mul(100f / total);
    }
}
