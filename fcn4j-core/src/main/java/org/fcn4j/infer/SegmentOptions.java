package org.fcn4j.infer;

import org.fcn4j.model.TestConfig;

/**
 * How {@link Segmenter#segment(org.fcn4j.image.RgbImage, SegmentOptions)} runs one image.
 *
 * @param tta test-time augmentation over the config's {@code tta_pipeline} views
 * @param keepScores keep the per-class scores at the original size ({@code --save-logits})
 * @param testCfg whole or slide for this call, or null for the config's {@code model.test_cfg}
 */
public record SegmentOptions(boolean tta, boolean keepScores, TestConfig testCfg) {
    /** One pass as the config says, labels only. */
    public static final SegmentOptions DEFAULT = new SegmentOptions(false, false, null);

    public SegmentOptions withTta(boolean on) {
        return new SegmentOptions(on, keepScores, testCfg);
    }

    public SegmentOptions withScores(boolean on) {
        return new SegmentOptions(tta, on, testCfg);
    }

    public SegmentOptions withTestCfg(TestConfig cfg) {
        return new SegmentOptions(tta, keepScores, cfg);
    }
}
