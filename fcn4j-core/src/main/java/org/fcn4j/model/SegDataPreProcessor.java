package org.fcn4j.model;

import java.util.Arrays;
import java.util.List;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.image.LabeledImage;
import org.fcn4j.image.RgbImage;

/**
 * MMSegmentation's {@code SegDataPreProcessor}, which belongs to the model (datasets yield uint8 images):
 * per-channel normalisation in RGB order, and for training the padding of images (with {@code padVal})
 * and labels (with {@code segPadVal}) to {@code size} (h, w) and stacking into a batch.
 */
public record SegDataPreProcessor(
        double[] mean, double[] std, boolean bgrToRgb, double padVal, int segPadVal, int[] size) {
    public static final double[] IMAGENET_MEAN = {123.675, 116.28, 103.53};
    public static final double[] IMAGENET_STD = {58.395, 57.12, 57.375};
    public static final SegDataPreProcessor DEFAULT =
            new SegDataPreProcessor(IMAGENET_MEAN, IMAGENET_STD, true, 0, 255, null);

    public static SegDataPreProcessor parse(ConfigNode n) {
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
        SegDataPreProcessor spec = new SegDataPreProcessor(
                mean,
                std,
                n.bool("bgr_to_rgb", true),
                n.number("pad_val", 0),
                n.integer("seg_pad_val", 255),
                n.ints("size", null, 2));
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

    /** One training sample after normalisation: the CHW image and its labels, (h, w). */
    public record Sample(int h, int w, float[] image, int[] labels) {}

    /** Normalises one augmented training sample (run on the data loader's workers). */
    public Sample normalise(LabeledImage sample) {
        RgbImage img = sample.image();
        return new Sample(
                img.height(), img.width(), normalise(img), sample.labels().labels());
    }

    /** Pads every sample to {@code size} (or the batch's largest) and stacks them. */
    public TrainBatch collate(List<Sample> samples) {
        int h = size == null ? 0 : size[0];
        int w = size == null ? 0 : size[1];
        for (Sample p : samples) {
            h = Math.max(h, p.h());
            w = Math.max(w, p.w());
        }
        int n = samples.size();
        float[] images = new float[n * 3 * h * w];
        long[] labels = new long[n * h * w];
        Arrays.fill(images, (float) padVal);
        Arrays.fill(labels, segPadVal);
        for (int i = 0; i < n; i++) {
            Sample p = samples.get(i);
            for (int y = 0; y < p.h(); y++) {
                for (int c = 0; c < 3; c++) {
                    System.arraycopy(p.image(), (c * p.h() + y) * p.w(), images, ((i * 3 + c) * h + y) * w, p.w());
                }
                for (int x = 0; x < p.w(); x++) {
                    labels[(i * h + y) * w + x] = p.labels()[y * p.w() + x];
                }
            }
        }
        return new TrainBatch(n, h, w, images, labels);
    }
}
