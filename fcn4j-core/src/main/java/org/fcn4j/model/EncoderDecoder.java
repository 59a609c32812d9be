package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.InferenceWeights;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Scope;
import org.fcn4j.nn.TensorFormat;

/**
 * MMSegmentation's {@code EncoderDecoder}: backbone, decode head and (optionally) an auxiliary head.
 * Input is a normalised (N, 3, H, W) batch; head logits come out at the backbone's output stride.
 */
public final class EncoderDecoder extends Module {
    private final NDManager manager;
    private final ModelSpec spec;
    private final ResNet backbone;
    private final FCNHead decodeHead;
    private final FCNHead auxiliaryHead;
    /** The format eval-mode passes compute in (see {@link #prepareInference}). */
    private TensorFormat format = TensorFormat.DEFAULT;
    /** Whether {@link #freezeForInference} freed the weights training needs. */
    private boolean frozen;

    public EncoderDecoder(NDManager m, ModelSpec spec) {
        this.manager = m;
        this.spec = spec;
        backbone = child("backbone", new ResNet(m, spec.backbone()));
        decodeHead = child("decode_head", new FCNHead(m, spec.decodeHead()));
        auxiliaryHead = spec.auxiliaryHead() == null ? null : child("auxiliary_head", new FCNHead(m, spec.auxiliaryHead()));
    }

    /** The manager the weights live in. */
    public NDManager manager() {
        return manager;
    }

    public ModelSpec spec() {
        return spec;
    }

    public ResNet backbone() {
        return backbone;
    }

    public FCNHead decodeHead() {
        return decodeHead;
    }

    /** The auxiliary head, or null. */
    public FCNHead auxiliaryHead() {
        return auxiliaryHead;
    }

    public int numClasses() {
        return spec.decodeHead().numClasses();
    }

    /** Head outputs for one batch; {@code auxiliary} is null when the model has no auxiliary head. */
    public record Outputs(NDArray decode, NDArray auxiliary) {}

    /** Both heads' logits at 1/8 (the caller manages the scope; used for training). */
    public Outputs forwardHeads(NDArray x) {
        List<NDArray> features = backbone.forward(input(x));
        NDArray decode = output(decodeHead.forward(select(features, decodeHead.spec())));
        NDArray aux = auxiliaryHead == null ? null
                : output(auxiliaryHead.forward(select(features, auxiliaryHead.spec())));
        return new Outputs(decode, aux);
    }

    /** The input in the format eval passes compute in. */
    private NDArray input(NDArray x) {
        return format.apply(x);
    }

    /** Head logits as float32 (freeing a bfloat16 original). */
    private NDArray output(NDArray logits) {
        if (!format.bfloat16()) {
            return logits;
        }
        NDArray out = logits.toType(DataType.FLOAT32, false);
        Scope.discard(logits);
        return out;
    }

    private static NDArray select(List<NDArray> features, HeadSpec head) {
        return features.get(head.inputIndex(features.size()));
    }

    /**
     * Readies eval mode for speed: every BatchNorm folded into the convolution before it (the same
     * function up to float32 rounding) and the weights, and each pass's input, converted to {@code format}:
     * bfloat16 (about twice the speed on CPUs with bf16 instructions; logits still come back as float32)
     * and/or channels-last (oneDNN's preferred layout). Apply after loading weights; train mode undoes it.
     * Without this, eval mode computes exactly as PyTorch's unfolded float32 model.
     *
     * @return the number of BatchNorms folded
     */
    public int prepareInference(TensorFormat format) {
        int folded = InferenceWeights.prepare(this, format);
        this.format = format;
        return folded;
    }

    /**
     * {@link #prepareInference} for a process that only infers: also frees the weights and statistics
     * the derived ones replace, so the model holds one copy of its weights instead of two. The model
     * cannot train or be saved afterwards.
     */
    public void freezeForInference(TensorFormat format) {
        InferenceWeights.freeze(this, format);
        this.format = format;
        frozen = true;
    }

    /** The format eval passes compute in. */
    public TensorFormat inferenceFormat() {
        return format;
    }

    @Override
    public void train(boolean mode) {
        if (mode && frozen) {
            throw new IllegalStateException("the model was frozen for inference (BatchNorm folded, originals freed); "
                    + "load it again to train");
        }
        super.train(mode);
        if (mode) {
            format = TensorFormat.DEFAULT;
        }
    }

    /** Decode-head logits at 1/8, computed in their own scope (only the result stays allocated). */
    public NDArray logits(NDArray x) {
        return Scope.run(x, this::decodeLogits);
    }

    private NDArray decodeLogits(NDArray x) {
        return output(decodeHead.forward(select(backbone.forward(input(x)), decodeHead.spec())));
    }

    /**
     * Logits resized bilinearly (the decode head's align_corners) to the input's size, as
     * {@code EncoderDecoder.predict} does before any rescaling to an original image.
     */
    public NDArray predictLogits(NDArray x) {
        Shape s = x.getShape();
        return Scope.run(x, in -> Functional.resizeBilinear(decodeLogits(in),
                (int) s.get(2), (int) s.get(3), spec.decodeHead().alignCorners()));
    }
}
