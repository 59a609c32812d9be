package org.fcn4j.model;

import org.fcn4j.config.ConfigNode;
import org.fcn4j.data.RgbImage;

/**
 * {@code SegDataPreProcessor}: per-channel normalisation in RGB order and padding of images (with
 * {@code padVal}) and labels (with {@code segPadVal}) to {@code size} (h, w) when training.
 */
public record PreprocessorSpec(double[] mean, double[] std, boolean bgrToRgb, double padVal, int segPadVal, int[] size) {
    public static final double[] IMAGENET_MEAN = {123.675, 116.28, 103.53};
    public static final double[] IMAGENET_STD = {58.395, 57.12, 57.375};
    public static final PreprocessorSpec DEFAULT =
            new PreprocessorSpec(IMAGENET_MEAN, IMAGENET_STD, true, 0, 255, null);

    public static PreprocessorSpec parse(ConfigNode n) {
        if (n == null) {
            return DEFAULT;
        }
        n.oneOf("type", "SegDataPreProcessor", "SegDataPreProcessor");
        double[] mean = n.numbers("mean", IMAGENET_MEAN, 3);
        double[] std = n.numbers("std", IMAGENET_STD, 3);
        for (double s : std) {
            if (s <= 0) {
                throw n.error("std", "entries must be > 0 but got " + s);
            }
        }
        PreprocessorSpec spec = new PreprocessorSpec(mean, std, n.bool("bgr_to_rgb", true),
                n.number("pad_val", 0), n.integer("seg_pad_val", 255), n.ints("size", null, 2));
        n.accept("rgb_to_bgr", "size_divisor", "test_cfg", "batch_augments");
        n.finish();
        return spec;
    }

    /** (pixel - mean) / std per channel as a CHW float array, in RGB order (BGR when bgr_to_rgb is false). */
    public float[] normalise(RgbImage img) {
        int hw = img.height() * img.width();
        float[] out = new float[3 * hw];
        byte[] p = img.pixels();
        for (int c = 0; c < 3; c++) {
            int src = bgrToRgb ? c : 2 - c;
            float m = (float) mean[c];
            float s = (float) std[c];
            for (int i = 0; i < hw; i++) {
                out[c * hw + i] = ((p[i * 3 + src] & 0xff) - m) / s;
            }
        }
        return out;
    }
}
