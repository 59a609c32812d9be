package org.fcn4j.model;

import org.fcn4j.config.ConfigNode;
import org.fcn4j.config.InvalidParameter;

/**
 * {@code model.test_cfg}: whole-image inference, or sliding windows of {@code crop} (h, w) every
 * {@code stride} (h, w). The windows are checked here, once, for the config and for callers such as
 * {@code fcn4j serve --slide-crop}.
 */
public record TestConfig(Mode mode, int[] crop, int[] stride) {
    public static final TestConfig WHOLE = new TestConfig(Mode.WHOLE, null, null);

    /** MMSegmentation's {@code test_cfg.mode}. */
    public enum Mode {
        WHOLE,
        SLIDE;

        /** The name configs use ({@code whole}, {@code slide}). */
        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public TestConfig {
        if (mode == Mode.SLIDE) {
            if (crop == null) {
                throw new InvalidParameter("crop_size", "missing (slide mode needs [h, w])");
            }
            if (stride == null) {
                throw new InvalidParameter("stride", "missing (slide mode needs [h, w])");
            }
            for (int i = 0; i < 2; i++) {
                if (crop[i] < 1 || stride[i] < 1) {
                    throw new InvalidParameter(crop[i] < 1 ? "crop_size" : "stride", "entries must be >= 1");
                }
            }
            if (stride[0] > crop[0] || stride[1] > crop[1]) {
                throw new InvalidParameter(
                        "stride",
                        stride[0] + "x" + stride[1] + " is larger than the window " + crop[0] + "x" + crop[1]
                                + ", which leaves pixels uncovered");
            }
        }
    }

    /** Sliding windows of {@code crop} every {@code stride}, both (h, w). */
    public static TestConfig slide(int[] crop, int[] stride) {
        return new TestConfig(Mode.SLIDE, crop, stride);
    }

    public boolean slide() {
        return mode == Mode.SLIDE;
    }

    public static TestConfig parse(ConfigNode n) {
        if (n == null) {
            return WHOLE;
        }
        Mode mode = n.oneOf("mode", "whole", "whole", "slide").equals("slide") ? Mode.SLIDE : Mode.WHOLE;
        int[] crop = n.ints("crop_size", null, 2);
        int[] stride = n.ints("stride", null, 2);
        n.finish();
        try {
            return new TestConfig(mode, crop, stride);
        } catch (InvalidParameter e) {
            throw n.error(e);
        }
    }
}
