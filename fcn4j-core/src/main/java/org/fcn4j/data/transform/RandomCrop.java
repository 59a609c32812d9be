package org.fcn4j.data.transform;

import java.util.random.RandomGenerator;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.LabeledImage;
import org.fcn4j.image.RgbImage;

/**
 * mmseg's {@code RandomCrop}: a random window of {@code cropH x cropW} (smaller where the image is). With
 * {@code catMaxRatio < 1} a window is accepted only when its labels hold more than one class and the
 * most frequent class (the ignore index not counted) has less than that share; up to 10 windows are
 * tested and, as in mmseg, the 11th is taken untested.
 */
public record RandomCrop(int cropH, int cropW, double catMaxRatio, int ignoreIndex) implements Transform {
    static final int TRIES = 10;

    public RandomCrop {
        if (cropH < 1 || cropW < 1) {
            throw new IllegalArgumentException("crop_size must be positive but got " + cropH + "x" + cropW);
        }
    }

    /** A crop window: top-left corner and size. */
    record Window(int y, int x, int h, int w) {}

    @Override
    public LabeledImage apply(LabeledImage in, RandomGenerator rng) {
        Window window = window(in.image().height(), in.image().width(), rng);
        if (catMaxRatio < 1) {
            for (int i = 0; i < TRIES && !acceptable(in.labels(), window); i++) {
                window = window(in.image().height(), in.image().width(), rng);
            }
        }
        return new LabeledImage(crop(in.image(), window), crop(in.labels(), window));
    }

    private Window window(int h, int w, RandomGenerator rng) {
        int y = rng.nextInt(Math.max(h - cropH, 0) + 1);
        int x = rng.nextInt(Math.max(w - cropW, 0) + 1);
        return new Window(y, x, Math.min(cropH, h - y), Math.min(cropW, w - x));
    }

    /** More than one class in the window, and none (ignore index aside) with catMaxRatio or more of it. */
    boolean acceptable(LabelMap labels, Window win) {
        int[] counts = new int[256];
        for (int y = win.y(); y < win.y() + win.h(); y++) {
            for (int x = win.x(); x < win.x() + win.w(); x++) {
                counts[labels.labels()[y * labels.width() + x] & 0xff]++;
            }
        }
        counts[ignoreIndex & 0xff] = 0;
        int classes = 0;
        long total = 0;
        int max = 0;
        for (int c : counts) {
            classes += c > 0 ? 1 : 0;
            total += c;
            max = Math.max(max, c);
        }
        return classes > 1 && (double) max / total < catMaxRatio;
    }

    static RgbImage crop(RgbImage img, Window win) {
        byte[] out = new byte[win.h() * win.w() * 3];
        for (int y = 0; y < win.h(); y++) {
            System.arraycopy(
                    img.pixels(), ((win.y() + y) * img.width() + win.x()) * 3, out, y * win.w() * 3, win.w() * 3);
        }
        return new RgbImage(win.h(), win.w(), out);
    }

    static LabelMap crop(LabelMap labels, Window win) {
        int[] out = new int[win.h() * win.w()];
        for (int y = 0; y < win.h(); y++) {
            System.arraycopy(labels.labels(), (win.y() + y) * labels.width() + win.x(), out, y * win.w(), win.w());
        }
        return new LabelMap(win.h(), win.w(), out);
    }
}
