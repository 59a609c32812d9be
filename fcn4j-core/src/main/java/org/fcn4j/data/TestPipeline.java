package org.fcn4j.data;

import java.util.ArrayList;
import java.util.List;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.image.RgbImage;

/**
 * The test-time pipeline of a config ({@code test_pipeline}): load, an optional mmcv {@code Resize}
 * (to {@code scale} (w, h), keep ratio or not, or by {@code scale_factor}), annotations, packing.
 *
 * @param scale target (w, h), or null
 * @param scaleFactor factor of the original size, or 0
 */
public record TestPipeline(int[] scale, double scaleFactor, boolean keepRatio, boolean reduceZeroLabel) {
    public static final TestPipeline IDENTITY = new TestPipeline(null, 0, true, false);

    /** The size (w, h) an image of (w, h) is resized to. */
    public int[] targetSize(int w, int h) {
        if (scale == null && scaleFactor == 0) {
            return new int[] {w, h};
        }
        int[] target = scale != null ? scale : CvResize.scaledSize(w, h, scaleFactor);
        return keepRatio ? CvResize.keepRatioSize(w, h, target[0], target[1]) : target;
    }

    public RgbImage resize(RgbImage img) {
        int[] size = targetSize(img.width(), img.height());
        return CvResize.bilinear(img, size[0], size[1]);
    }

    /** Reads the steps of {@code key} (a list of transform dicts). */
    public static TestPipeline parse(ConfigNode parent, String key) {
        int[] scale = null;
        double factor = 0;
        boolean keepRatio = true;
        boolean reduceZero = false;
        for (ConfigNode step : parent.dicts(key)) {
            String type = step.oneOf("type", null, "LoadImageFromFile", "LoadAnnotations", "Resize", "PackSegInputs");
            if (type == null) {
                throw step.error("type", "missing");
            }
            switch (type) {
                case "Resize":
                    scale = scaleOf(step);
                    factor = step.number("scale_factor", 0);
                    if (scale == null && factor <= 0) {
                        throw step.error("scale", "Resize needs scale [w, h] or a positive scale_factor");
                    }
                    keepRatio = step.bool("keep_ratio", false);
                    step.oneOf("interpolation", "bilinear", "bilinear");
                    step.accept("backend", "clip_object_border");
                    break;
                case "LoadAnnotations":
                    reduceZero = step.bool("reduce_zero_label", false);
                    step.accept("backend_args", "imdecode_backend", "with_bbox", "with_label", "with_seg");
                    break;
                case "LoadImageFromFile":
                    step.accept("backend_args", "imdecode_backend", "color_type", "to_float32", "ignore_empty");
                    break;
                default:
                    step.accept("meta_keys");
            }
            step.finish();
        }
        return new TestPipeline(scale, factor, keepRatio, reduceZero);
    }

    /** A scale given as [w, h] or as one number (both edges). */
    static int[] scaleOf(ConfigNode step) {
        Object v = step.value("scale");
        if (v == null) {
            return null;
        }
        if (v instanceof Number) {
            int s = ((Number) v).intValue();
            return new int[] {s, s};
        }
        int[] s = step.ints("scale", null, 2);
        if (s[0] < 1 || s[1] < 1) {
            throw step.error("scale", "entries must be >= 1");
        }
        return s;
    }

    /** The scale factors and flips of a {@code tta_pipeline}'s TestTimeAug (scales x flips). */
    public record TtaViews(List<Double> scaleFactors, List<Boolean> flips, boolean keepRatio) {
        /** Without a tta_pipeline: the image as it is and mirrored. */
        public static final TtaViews FLIP_ONLY = new TtaViews(List.of(1.0), List.of(false, true), true);

        /** The size (w, h) an image of (w, h) has in the view of scale {@code factor}: a Resize step's rule. */
        public int[] viewSize(int w, int h, double factor) {
            return new TestPipeline(null, factor, keepRatio, false).targetSize(w, h);
        }
    }

    public static TtaViews parseTta(ConfigNode parent, String key) {
        List<Double> factors = new ArrayList<>();
        List<Boolean> flips = new ArrayList<>();
        boolean keepRatio = true;
        for (ConfigNode step : parent.dicts(key)) {
            String type = step.oneOf("type", null, "LoadImageFromFile", "TestTimeAug");
            if ("TestTimeAug".equals(type)) {
                Object groups = step.value("transforms");
                if (!(groups instanceof List)) {
                    throw step.error("transforms", "expected a list of lists of transforms");
                }
                int g = 0;
                for (Object group : (List<?>) groups) {
                    ConfigNode wrap = new ConfigNode(step.pathOf("transforms"), java.util.Map.of("g" + g, group));
                    for (ConfigNode t : wrap.dicts("g" + g)) {
                        String tt = t.oneOf("type", null, "Resize", "RandomFlip", "LoadAnnotations", "PackSegInputs");
                        if ("Resize".equals(tt)) {
                            factors.add(t.number("scale_factor", 1.0));
                            keepRatio = t.bool("keep_ratio", true);
                        } else if ("RandomFlip".equals(tt)) {
                            flips.add(t.number("prob", 0) >= 1.0);
                            t.oneOf("direction", "horizontal", "horizontal");
                        }
                        t.accept("reduce_zero_label", "backend_args", "meta_keys", "interpolation");
                        t.finish();
                    }
                    g++;
                }
            } else {
                step.accept("backend_args", "imdecode_backend");
            }
            step.finish();
        }
        if (factors.isEmpty()) {
            factors.add(1.0);
        }
        if (flips.isEmpty()) {
            flips.add(false);
        }
        return new TtaViews(factors, flips, keepRatio);
    }
}
