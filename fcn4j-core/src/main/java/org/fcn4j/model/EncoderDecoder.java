package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.fcn4j.nn.Functional;
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
 *             (head logits at the backbone's output stride; the losses are TrainStep's)
 * inference:  inference(x, test_cfg) -> wholeInference(x) | slideInference(x, crop, stride)
 *             wholeInference(x) -> encodeDecode(x)
 *             slideInference(x) -> encodeDecode(window) for each window, summed into place and averaged
 *             encodeDecode(x) -> extractFeat(x) -> decode_head.forward() -> resize to x's size
 * </pre>
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
        auxiliaryHead =
                spec.auxiliaryHead() == null ? null : child("auxiliary_head", new FCNHead(m, spec.auxiliaryHead()));
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

    /** The backbone's feature maps ({@code extract_feat}), in the format eval passes compute in. */
    public List<NDArray> extractFeat(NDArray x) {
        return backbone.forward(input(x));
    }

    /** Both heads' logits at the backbone's output stride (the caller manages the scope; used for training). */
    public Outputs forward(NDArray x) {
        List<NDArray> features = extractFeat(x);
        NDArray decode = output(decodeHead.forward(select(features, decodeHead.spec())));
        NDArray aux =
                auxiliaryHead == null ? null : output(auxiliaryHead.forward(select(features, auxiliaryHead.spec())));
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

    /**
     * {@code encode_decode}: decode-head logits resized bilinearly (the head's align_corners) to the
     * input's size, computed in their own scope (only the result stays allocated).
     */
    public NDArray encodeDecode(NDArray x) {
        Shape s = x.getShape();
        return Scope.run(x, in -> {
            NDArray logits = output(decodeHead.forward(select(extractFeat(in), decodeHead.spec())));
            return Functional.resizeBilinear(
                    logits, (int) s.get(2), (int) s.get(3), spec.decodeHead().alignCorners());
        });
    }

    /** {@code inference}: (N, C, H, W) logits at the input's size, whole or slide as {@code test_cfg} says. */
    public NDArray inference(NDArray x, TestConfig cfg) {
        return cfg.slide() ? slideInference(x, cfg.crop(), cfg.stride()) : wholeInference(x);
    }

    /** {@code whole_inference}: one pass over the whole input. */
    public NDArray wholeInference(NDArray x) {
        return encodeDecode(x);
    }

    /**
     * {@code slide_inference}: windows of {@code crop} (h, w) every {@code stride} (h, w), each window's
     * logits summed into place and divided by the per-pixel window count. Each window runs in its own
     * scope, so memory is one window's activations plus the output.
     */
    public NDArray slideInference(NDArray x, int[] crop, int[] stride) {
        Shape s = x.getShape();
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        NDManager m = x.getManager();
        List<SlideWindows.Window> windows = SlideWindows.of(h, w, crop, stride);
        NDArray sum = m.zeros(new Shape(s.get(0), numClasses(), h, w));
        for (SlideWindows.Window win : windows) {
            NDIndex at = new NDIndex(":, :, {}:{}, {}:{}", win.y1(), win.y2(), win.x1(), win.x2());
            Scope.run(x, in -> {
                        NDArray logits = encodeDecode(in.get(at));
                        NDArray part = sum.get(at); // a view: adding into it adds into sum, with no copy
                        part.attach(in.getManager()); // the view's handle is freed with the window's scope
                        part.addi(logits);
                        return logits;
                    })
                    .close();
        }
        int[] counts = SlideWindows.counts(h, w, windows);
        float[] count = new float[counts.length];
        for (int i = 0; i < counts.length; i++) {
            count[i] = counts[i];
        }
        try (NDArray divisor = m.create(count, new Shape(1, 1, h, w))) {
            return sum.divi(divisor);
        }
    }
}
