package org.fcn4j.infer;

import org.fcn4j.image.LabelMap;

/**
 * The result for one image at its original size: the class of each pixel and, when requested, the
 * scores before argmax ((C, H, W) row-major: logits, or averaged probabilities with TTA).
 */
public record Segmentation(LabelMap labels, int numClasses, float[] scores) {
    /** Pixels per class. */
    public long[] pixelCounts() {
        long[] counts = new long[numClasses];
        for (int v : labels.labels()) {
            counts[v]++;
        }
        return counts;
    }
}
