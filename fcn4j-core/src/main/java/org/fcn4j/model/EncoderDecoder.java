package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.InferenceWeights;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Scope;

/**
 * MMSegmentation's {@code EncoderDecoder}: backbone, decode head and (optionally) an auxiliary head.
 * Input is a normalised (N, 3, H, W) batch; head logits come out at the backbone's output stride.
 */
public final class EncoderDecoder extends Module {
    private final ModelSpec spec;
    private final ResNet backbone;
    private final FCNHead decodeHead;
    private final FCNHead auxiliaryHead;

    public EncoderDecoder(NDManager m, ModelSpec spec) {
        this.spec = spec;
        backbone = child("backbone", new ResNet(m, spec.backbone()));
        decodeHead = child("decode_head", new FCNHead(m, spec.decodeHead()));
        auxiliaryHead = spec.auxiliaryHead() == null ? null : child("auxiliary_head", new FCNHead(m, spec.auxiliaryHead()));
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
        List<NDArray> features = backbone.forward(x);
        NDArray decode = decodeHead.forward(select(features, decodeHead.spec()));
        NDArray aux = auxiliaryHead == null ? null : auxiliaryHead.forward(select(features, auxiliaryHead.spec()));
        return new Outputs(decode, aux);
    }

    private static NDArray select(List<NDArray> features, HeadSpec head) {
        return features.get(head.inputIndex(features.size()));
    }

    /**
     * Readies eval mode for speed: every BatchNorm folded into the convolution before it (the same
     * function up to float32 rounding). Apply after loading weights; train mode undoes it. Without this,
     * eval mode computes exactly as PyTorch's unfolded model.
     */
    public void prepareInference() {
        InferenceWeights.foldBatchNorms(this);
    }

    /** Decode-head logits at 1/8, computed in their own scope (only the result stays allocated). */
    public NDArray logits(NDArray x) {
        return Scope.run(x, this::decodeLogits);
    }

    private NDArray decodeLogits(NDArray x) {
        return decodeHead.forward(select(backbone.forward(x), decodeHead.spec()));
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
