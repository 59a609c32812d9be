package org.fcn4j.data.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.image.LabeledImage;

/**
 * A config's training pipeline ({@code train_dataloader.dataset.pipeline}): after loading the image and
 * its labels, the random transforms in order. Loading and packing are implied by the data loader;
 * {@code reduce_zero_label} belongs to the dataset, as in mmseg 1.x, unless LoadAnnotations sets it.
 *
 * @param reduceZeroLabel LoadAnnotations' explicit setting, or null to follow the dataset
 */
public record TrainPipeline(List<Transform> steps, Boolean reduceZeroLabel) {
    public LabeledImage apply(LabeledImage in, RandomGenerator rng) {
        LabeledImage out = in;
        for (Transform t : steps) {
            out = t.apply(out, rng);
        }
        return out;
    }

    /** Reads the list of transform dicts under {@code key}, rejecting what fcn4j does not implement. */
    public static TrainPipeline parse(ConfigNode parent, String key) {
        List<Transform> steps = new ArrayList<>();
        Boolean reduceZero = null;
        for (ConfigNode step : parent.dicts(key)) {
            String type = step.oneOf(
                    "type",
                    null,
                    "LoadImageFromFile",
                    "LoadAnnotations",
                    "Resize",
                    "RandomResize",
                    "RandomCrop",
                    "RandomFlip",
                    "PhotoMetricDistortion",
                    "Pad",
                    "PackSegInputs");
            if (type == null) {
                throw step.error("type", "missing");
            }
            switch (type) {
                case "LoadImageFromFile":
                    step.accept("backend_args", "imdecode_backend", "color_type", "to_float32", "ignore_empty");
                    break;
                case "LoadAnnotations":
                    if (step.value("reduce_zero_label") != null) {
                        reduceZero = step.bool("reduce_zero_label", false);
                    }
                    step.accept("backend_args", "imdecode_backend", "with_bbox", "with_label", "with_seg");
                    break;
                case "Resize":
                case "RandomResize":
                    steps.add(resize(step, type.equals("RandomResize")));
                    break;
                case "RandomCrop":
                    steps.add(randomCrop(step));
                    break;
                case "RandomFlip":
                    steps.add(randomFlip(step));
                    break;
                case "PhotoMetricDistortion":
                    steps.add(PhotoMetricDistortion.parse(step));
                    break;
                case "Pad":
                    steps.add(pad(step));
                    break;
                default:
                    step.accept("meta_keys");
            }
            step.finish();
        }
        return new TrainPipeline(List.copyOf(steps), reduceZero);
    }

    private static Transform resize(ConfigNode step, boolean random) {
        int[] scale = step.ints("scale", null, 2);
        if (scale == null || scale[0] < 1 || scale[1] < 1) {
            throw step.error("scale", "needs [w, h] with positive entries");
        }
        boolean keepRatio = step.bool("keep_ratio", false);
        step.oneOf("interpolation", "bilinear", "bilinear");
        step.oneOf("resize_type", "Resize", "Resize");
        step.accept("backend", "clip_object_border");
        double[] range = random ? step.numbers("ratio_range", null, 2) : new double[] {1, 1};
        if (range == null) {
            throw step.error(
                    "ratio_range", "RandomResize needs ratio_range [min, max] (a list of scales is not supported)");
        }
        if (range[0] <= 0 || range[1] < range[0]) {
            throw step.error("ratio_range", "must be 0 < min <= max but got [" + range[0] + ", " + range[1] + "]");
        }
        return new RandomResize(scale[0], scale[1], range[0], range[1], keepRatio);
    }

    private static Transform randomCrop(ConfigNode step) {
        int[] crop = step.ints("crop_size", null, 2);
        if (crop == null || crop[0] < 1 || crop[1] < 1) {
            throw step.error("crop_size", "needs [h, w] with positive entries");
        }
        double ratio = step.number("cat_max_ratio", 1.0);
        if (ratio <= 0 || ratio > 1) {
            throw step.error("cat_max_ratio", "must be in (0, 1] but got " + ratio);
        }
        return new RandomCrop(crop[0], crop[1], ratio, step.integer("ignore_index", 255));
    }

    private static Transform randomFlip(ConfigNode step) {
        double prob = step.number("prob", 0.5);
        if (prob < 0 || prob > 1) {
            throw step.error("prob", "must be in [0, 1] but got " + prob);
        }
        step.oneOf("direction", "horizontal", "horizontal");
        return new RandomFlip(prob);
    }

    private static Transform pad(ConfigNode step) {
        int[] size = step.ints("size", null, 2);
        int divisor = step.integer("size_divisor", 0, 0);
        if ((size == null) == (divisor == 0)) {
            throw step.error("size", "Pad needs exactly one of size [w, h] and size_divisor");
        }
        int img = 0;
        int seg = 255;
        ConfigNode val = step.dict("pad_val");
        if (val != null) {
            img = val.integer("img", 0, 0);
            seg = val.integer("seg", 255, 0);
            val.finish();
        }
        step.accept("padding_mode");
        return new Pad(size == null ? 0 : size[0], size == null ? 0 : size[1], divisor, img, seg);
    }
}
