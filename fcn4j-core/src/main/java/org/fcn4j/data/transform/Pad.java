package org.fcn4j.data.transform;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.LabeledImage;
import org.fcn4j.image.RgbImage;

/**
 * mmcv's {@code Pad}: extends image and labels at the bottom and right to {@code (padW, padH)}, or to the
 * next multiple of {@code sizeDivisor}, with {@code imgValue} / {@code segValue}. Never shrinks.
 */
public record Pad(int padW, int padH, int sizeDivisor, int imgValue, int segValue) implements Transform {
    @Override
    public LabeledImage apply(LabeledImage in, RandomGenerator rng) {
        int h = in.image().height();
        int w = in.image().width();
        int th = padH > 0 ? Math.max(h, padH) : roundUp(h);
        int tw = padW > 0 ? Math.max(w, padW) : roundUp(w);
        if (th == h && tw == w) {
            return in;
        }
        byte[] img = new byte[th * tw * 3];
        Arrays.fill(img, (byte) imgValue);
        int[] seg = new int[th * tw];
        Arrays.fill(seg, segValue);
        for (int y = 0; y < h; y++) {
            System.arraycopy(in.image().pixels(), y * w * 3, img, y * tw * 3, w * 3);
            System.arraycopy(in.labels().labels(), y * w, seg, y * tw, w);
        }
        return new LabeledImage(new RgbImage(th, tw, img), new LabelMap(th, tw, seg));
    }

    private int roundUp(int v) {
        return sizeDivisor > 0 ? (v + sizeDivisor - 1) / sizeDivisor * sizeDivisor : v;
    }
}
