package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.fcn4j.nn.InferenceWeights;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Scope;
import org.fcn4j.nn.TensorFormat;

/**
 * MMSegmentation's {@code EncoderDecoder} ({@code mmseg/models/segmentors/encoder_decoder.py}): backbone,
 * decode head and (optionally) an auxiliary head. Input is a normalised (N, 3, H, W) batch, as
 * {@link SegDataPreProcessor} makes it. The stages carry MMSegmentation's names:
 *
 * <pre>
 * training:   forward(x) -> extractFeat(x) -> decode_head.forward(), auxiliary_head.forward()
 *             (head logits at the head's resolution; the losses are TrainStep's)
 * inference:  inference(x, test_cfg) -> wholeInference(x) | slideInference(x, crop, stride)  ({@link Segmentor})
 *             encodeDecode(x) -> extractFeat(x) -> decode_head.forward() -> decode_head.predictByFeat()
 * </pre>
 *
 * <p>The model families share this path through {@link Backbone} and {@link DecodeHead}: an FCNHead's logits
 * come at the backbone's output stride and predictByFeat resizes them to x's size; the paper's skip heads
 * read the input size in forward and return logits at it, so predictByFeat leaves them as they are.
 */
public final class EncoderDecoder extends Module implements Segmentor {
    private final NDManager manager;
    private final ModelSpec spec;
    private final Backbone backbone;
    private final DecodeHead decodeHead;
    private final FCNHead auxiliaryHead;
    /** The format eval-mode passes compute in (see {@link #prepareInference}). */
    private TensorFormat format = TensorFormat.DEFAULT;
    /** Whether {@link #freezeForInference} freed the weights training needs. */
    private boolean frozen;

    public EncoderDecoder(NDManager m, ModelSpec spec) {
        this.manager = m;
        this.spec = spec;
        backbone = child("backbone", spec.backbone().build(m));
        decodeHead = child("decode_head", spec.decodeHead().build(m));
        auxiliaryHead =
                spec.auxiliaryHead() == null ? null : child("auxiliary_head", new FCNHead(m, spec.auxiliaryHead()));
    }

    /** The manager the weights live in. */
    public NDManager manager() {
        return manager;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    public Backbone backbone() {
        return backbone;
    }

    public DecodeHead decodeHead() {
        return decodeHead;
    }

    /** The auxiliary head, or null. */
    public FCNHead auxiliaryHead() {
        return auxiliaryHead;
    }

    /** Head outputs for one batch; {@code auxiliary} is null when the model has no auxiliary head. */
    public record Outputs(NDArray decode, NDArray auxiliary) {}

    /** The backbone's feature maps ({@code extract_feat}), in the format eval passes compute in. */
    public List<NDArray> extractFeat(NDArray x) {
        return backbone.forward(input(x));
    }

    /** Both heads' logits at their own resolution (the caller manages the scope; used for training). */
    public Outputs forward(NDArray x) {
        int h = (int) x.getShape().get(2);
        int w = (int) x.getShape().get(3);
        List<NDArray> features = extractFeat(x);
        NDArray decode = output(decodeHead.forward(features, h, w));
        NDArray aux = auxiliaryHead == null ? null : output(auxiliaryHead.forward(features, h, w));
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

    /**
     * {@code encode_decode}: decode-head logits at the input's size ({@link DecodeHead#predictByFeat}), computed
     * in their own scope (only the result stays allocated).
     */
    @Override
    public NDArray encodeDecode(NDArray x) {
        Shape s = x.getShape();
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        return Scope.run(x, in -> {
            NDArray logits = output(decodeHead.forward(extractFeat(in), h, w));
            return decodeHead.predictByFeat(logits, h, w);
        });
    }
}
