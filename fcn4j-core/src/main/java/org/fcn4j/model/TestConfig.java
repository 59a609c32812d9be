package org.fcn4j.model;

import org.fcn4j.config.ConfigNode;

/** {@code model.test_cfg}: whole-image inference, or sliding windows of {@code crop} (h, w) every {@code stride} (h, w). */
public record TestConfig(String mode, int[] crop, int[] stride) {
    public static final TestConfig WHOLE = new TestConfig("whole", null, null);

    public boolean slide() {
        return mode.equals("slide");
    }

    public static TestConfig parse(ConfigNode n) {
        if (n == null) {
            return WHOLE;
        }
        String mode = n.oneOf("mode", "whole", "whole", "slide");
        int[] crop = n.ints("crop_size", null, 2);
        int[] stride = n.ints("stride", null, 2);
        if (mode.equals("slide")) {
            if (crop == null) {
                throw n.error("crop_size", "missing (slide mode needs [h, w])");
            }
            if (stride == null) {
                throw n.error("stride", "missing (slide mode needs [h, w])");
            }
            for (int i = 0; i < 2; i++) {
                if (crop[i] < 1 || stride[i] < 1) {
                    throw n.error(crop[i] < 1 ? "crop_size" : "stride", "entries must be >= 1");
                }
                if (stride[i] > crop[i]) {
                    throw n.error("stride", "must not exceed crop_size, or windows leave pixels uncovered");
                }
            }
        }
        n.finish();
        return new TestConfig(mode, crop, stride);
    }
}
