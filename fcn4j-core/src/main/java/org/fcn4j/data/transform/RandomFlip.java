package org.fcn4j.data.transform;

import java.util.random.RandomGenerator;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.LabeledImage;

/** mmcv's {@code RandomFlip} (horizontal): mirrors image and labels left-right with probability {@code prob}. */
public record RandomFlip(double prob) implements Transform {
    @Override
    public LabeledImage apply(LabeledImage in, RandomGenerator rng) {
        if (rng.nextDouble() >= prob) {
            return in;
        }
        LabelMap l = in.labels();
        int[] out = new int[l.labels().length];
        for (int y = 0; y < l.height(); y++) {
            for (int x = 0; x < l.width(); x++) {
                out[y * l.width() + l.width() - 1 - x] = l.labels()[y * l.width() + x];
            }
        }
        return new LabeledImage(in.image().flipped(), new LabelMap(l.height(), l.width(), out));
    }
}
