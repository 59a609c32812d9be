package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * What inference asks of a segmentation network (MMSegmentation's segmentor): {@code encode_decode}, the
 * logits at the input's size for a normalised batch, and on top of it the test modes. {@link EncoderDecoder}
 * computes encode_decode with fcn4j's own engine; an exported graph run by another engine (ONNX Runtime)
 * is a Segmentor too, so whole and slide inference, TTA and everything after them are the same code for both.
 */
public interface Segmentor {
    /** The model as the config describes it (preprocessing, test_cfg, classes). */
    ModelSpec spec();

    /** {@code encode_decode}: (N, C, H, W) decode-head logits at x's size, in x's manager. */
    NDArray encodeDecode(NDArray x);

    default int numClasses() {
        return spec().decodeHead().numClasses();
    }

    /** {@code inference}: (N, C, H, W) logits at the input's size, whole or slide as {@code test_cfg} says. */
    default NDArray inference(NDArray x, TestConfig cfg) {
        return cfg.slide() ? slideInference(x, cfg.crop(), cfg.stride()) : wholeInference(x);
    }

    /** {@code whole_inference}: one pass over the whole input. */
    default NDArray wholeInference(NDArray x) {
        return encodeDecode(x);
    }

    /**
     * {@code slide_inference}: windows of {@code crop} (h, w) every {@code stride} (h, w), each window's
     * logits summed into place and divided by the per-pixel window count. Each window runs in its own
     * scope, so memory is one window's activations plus the output.
     */
    default NDArray slideInference(NDArray x, int[] crop, int[] stride) {
        Shape s = x.getShape();
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        NDManager m = x.getManager();
        List<SlideWindows.Window> windows = SlideWindows.of(h, w, crop, stride);
        NDArray sum = m.zeros(new Shape(s.get(0), numClasses(), h, w));
        for (SlideWindows.Window win : windows) {
            NDIndex at = new NDIndex(":, :, {}:{}, {}:{}", win.y1(), win.y2(), win.x1(), win.x2());
            try (NDManager scope = m.newSubManager()) {
                NDArray window = x.get(at);
                window.attach(scope);
                NDArray logits = encodeDecode(window);
                NDArray part = sum.get(at); // a view: adding into it adds into sum, with no copy
                part.attach(scope); // the view's handle is freed with the window's scope
                part.addi(logits);
            }
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
