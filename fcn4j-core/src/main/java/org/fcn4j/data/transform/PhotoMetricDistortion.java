package org.fcn4j.data.transform;

import java.util.random.RandomGenerator;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.config.InvalidParameter;
import org.fcn4j.image.LabeledImage;
import org.fcn4j.image.RgbImage;

/**
 * mmseg 1.x's {@code PhotoMetricDistortion}: random brightness, then contrast either first or last,
 * with saturation and hue (in OpenCV's 8-bit HSV) in between; each step happens with probability 1/2.
 * The label map is left alone. The step methods reproduce mmseg's numpy/cv2 arithmetic bit for bit;
 * {@link #apply} draws the same decisions and parameter distributions as mmseg (from {@code rng}, not
 * numpy's global stream).
 */
public final class PhotoMetricDistortion implements Transform {
    private final double brightnessDelta;
    private final double contrastLower;
    private final double contrastUpper;
    private final double saturationLower;
    private final double saturationUpper;
    private final int hueDelta;

    /**
     * @param brightnessDelta brightness offsets are drawn from [-delta, delta), delta >= 0
     * @param hueDelta hue shifts are drawn from the integers in [-delta, delta), delta >= 1
     */
    public PhotoMetricDistortion(
            double brightnessDelta,
            double contrastLower,
            double contrastUpper,
            double saturationLower,
            double saturationUpper,
            int hueDelta) {
        if (!(brightnessDelta >= 0)) {
            throw new InvalidParameter("brightness_delta", "must be >= 0 but got " + brightnessDelta);
        }
        checkRange("contrast_range", contrastLower, contrastUpper);
        checkRange("saturation_range", saturationLower, saturationUpper);
        if (hueDelta < 1) {
            // numpy's randint(-0, 0) is an empty range: mmseg fails on its first hue step.
            throw new InvalidParameter("hue_delta", "must be >= 1 but got " + hueDelta);
        }
        this.brightnessDelta = brightnessDelta;
        this.contrastLower = contrastLower;
        this.contrastUpper = contrastUpper;
        this.saturationLower = saturationLower;
        this.saturationUpper = saturationUpper;
        this.hueDelta = hueDelta;
    }

    /** mmseg's defaults: brightness_delta 32, contrast and saturation (0.5, 1.5), hue_delta 18. */
    public PhotoMetricDistortion() {
        this(32, 0.5, 1.5, 0.5, 1.5, 18);
    }

    private static void checkRange(String key, double lower, double upper) {
        if (!(lower >= 0 && lower <= upper)) {
            throw new InvalidParameter(
                    key, "expected [lower, upper] with 0 <= lower <= upper but got [" + lower + ", " + upper + "]");
        }
    }

    /** A {@code dict(type='PhotoMetricDistortion', ...)} pipeline step; unset keys take mmseg's defaults. */
    public static PhotoMetricDistortion parse(ConfigNode step) {
        if (step.oneOf("type", null, "PhotoMetricDistortion") == null) {
            throw step.error("type", "missing");
        }
        double brightness = step.number("brightness_delta", 32);
        double[] contrast = step.numbers("contrast_range", new double[] {0.5, 1.5}, 2);
        double[] saturation = step.numbers("saturation_range", new double[] {0.5, 1.5}, 2);
        int hue = step.integer("hue_delta", 18);
        step.finish();
        try {
            return new PhotoMetricDistortion(brightness, contrast[0], contrast[1], saturation[0], saturation[1], hue);
        } catch (InvalidParameter e) {
            throw step.error(e);
        }
    }

    @Override
    public LabeledImage apply(LabeledImage in, RandomGenerator rng) {
        RgbImage img = in.image();
        if (rng.nextInt(2) == 1) {
            img = brightness(img, uniform(rng, -brightnessDelta, brightnessDelta));
        }
        boolean contrastFirst = rng.nextInt(2) == 1; // mmseg's mode == 1
        if (contrastFirst) {
            img = randomContrast(img, rng);
        }
        if (rng.nextInt(2) == 1) {
            img = saturation(img, uniform(rng, saturationLower, saturationUpper));
        }
        if (rng.nextInt(2) == 1) {
            img = hue(img, rng.nextInt(-hueDelta, hueDelta)); // numpy's randint excludes its high end too
        }
        if (!contrastFirst) {
            img = randomContrast(img, rng);
        }
        return new LabeledImage(img, in.labels());
    }

    private RgbImage randomContrast(RgbImage img, RandomGenerator rng) {
        return rng.nextInt(2) == 1 ? contrast(img, uniform(rng, contrastLower, contrastUpper)) : img;
    }

    /** numpy's {@code uniform(low, high)}: low + (high - low) * U[0, 1), also for low == high. */
    private static double uniform(RandomGenerator rng, double low, double high) {
        return low + (high - low) * rng.nextDouble();
    }

    /** mmseg's {@code convert(img, beta=beta)}: every channel + beta, clipped, truncated. */
    public static RgbImage brightness(RgbImage img, double beta) {
        return new RgbImage(img.height(), img.width(), convert(img.pixels(), 0, 1, 1, beta));
    }

    /** mmseg's {@code convert(img, alpha=alpha)}: every channel * alpha, clipped, truncated. */
    public static RgbImage contrast(RgbImage img, double alpha) {
        return new RgbImage(img.height(), img.width(), convert(img.pixels(), 0, 1, alpha, 0));
    }

    /** S of OpenCV's HSV scaled by {@code convert(s, alpha=alpha)}, back to RGB. */
    public static RgbImage saturation(RgbImage img, double alpha) {
        byte[] hsv = convert(OpenCvHsv.rgbToHsv(img), 1, 3, alpha, 0);
        return OpenCvHsv.hsvToRgb(img.height(), img.width(), hsv);
    }

    /** H of OpenCV's HSV (0..179) shifted by {@code delta} modulo 180, back to RGB. */
    public static RgbImage hue(RgbImage img, int delta) {
        byte[] hsv = OpenCvHsv.rgbToHsv(img);
        for (int i = 0; i < hsv.length; i += 3) {
            hsv[i] = (byte) Math.floorMod((hsv[i] & 0xff) + delta, 180); // Python's % is a floor modulo
        }
        return OpenCvHsv.hsvToRgb(img.height(), img.width(), hsv);
    }

    /**
     * mmseg's {@code convert} on bytes {@code from}, {@code from + step}, ...: numpy computes
     * {@code img.astype(float32) * alpha + beta} in float32 (the Python scalars are cast to float32),
     * clips to [0, 255] and casts to uint8 by truncation. Returns a new array.
     */
    private static byte[] convert(byte[] src, int from, int step, double alpha, double beta) {
        float a = (float) alpha;
        float b = (float) beta;
        byte[] out = src.clone();
        for (int i = from; i < out.length; i += step) {
            float x = (out[i] & 0xff) * a + b;
            out[i] = (byte) (int) Math.min(255f, Math.max(0f, x));
        }
        return out;
    }
}
