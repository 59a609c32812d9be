package org.fcn4j.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.TestConfig;
import org.fcn4j.nn.Scope;

/**
 * {@code EncoderDecoder.inference}: logits at the input's size, from one whole-image pass or from
 * sliding windows whose logits are summed into place and divided by the per-pixel window count.
 * Each window runs in its own scope, so memory is one window's activations plus the output.
 */
public final class Inference {
    private Inference() {}

    /** (N, C, H, W) logits for a normalised (N, 3, H, W) batch, per {@code model.test_cfg}. */
    public static NDArray logits(EncoderDecoder model, NDArray x, TestConfig cfg) {
        return cfg.slide() ? slide(model, x, cfg.crop(), cfg.stride()) : model.predictLogits(x);
    }

    public static NDArray slide(EncoderDecoder model, NDArray x, int[] crop, int[] stride) {
        Shape s = x.getShape();
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        NDManager m = x.getManager();
        var windows = SlideWindows.of(h, w, crop, stride);
        NDArray sum = m.zeros(new Shape(s.get(0), model.numClasses(), h, w));
        for (SlideWindows.Window win : windows) {
            NDIndex at = new NDIndex(":, :, {}:{}, {}:{}", win.y1(), win.y2(), win.x1(), win.x2());
            Scope.run(x, in -> {
                NDArray logits = model.predictLogits(in.get(at));
                NDArray part = sum.get(at); // a view: adding into it adds into sum, with no copy
                part.attach(in.getManager()); // the view's handle is freed with the window's scope
                part.addi(logits);
                return logits;
            }).close();
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
