package org.fcn4j.data.transform;

import java.util.random.RandomGenerator;
import org.fcn4j.data.CvResize;
import org.fcn4j.image.LabeledImage;

/**
 * mmcv's {@code RandomResize} with a ratio range: r ~ U(min, max), target scale (int(w * r), int(h * r))
 * of the configured (w, h); then {@code Resize} to it (keep ratio: mmcv's rescale_size), image
 * bilinear (OpenCV INTER_LINEAR), labels nearest.
 */
public record RandomResize(int scaleW, int scaleH, double minRatio, double maxRatio, boolean keepRatio)
        implements Transform {
    public RandomResize {
        if (minRatio <= 0 || maxRatio < minRatio) {
            throw new IllegalArgumentException(
                    "ratio_range must be 0 < min <= max but got [" + minRatio + ", " + maxRatio + "]");
        }
    }

    @Override
    public LabeledImage apply(LabeledImage in, RandomGenerator rng) {
        double ratio = rng.nextDouble() * (maxRatio - minRatio) + minRatio;
        return resize(in, (int) (scaleW * ratio), (int) (scaleH * ratio), keepRatio);
    }

    /** mmcv's {@code Resize} of an image and its labels to {@code scale} (w, h). */
    static LabeledImage resize(LabeledImage in, int scaleW, int scaleH, boolean keepRatio) {
        int w = in.image().width();
        int h = in.image().height();
        int[] size = keepRatio ? CvResize.keepRatioSize(w, h, scaleW, scaleH) : new int[] {scaleW, scaleH};
        if (size[0] < 1 || size[1] < 1) {
            throw new IllegalArgumentException(
                    "resizing " + w + "x" + h + " to scale " + scaleW + "x" + scaleH + " leaves no pixels");
        }
        return new LabeledImage(
                CvResize.bilinear(in.image(), size[0], size[1]), CvResize.nearest(in.labels(), size[0], size[1]));
    }
}
