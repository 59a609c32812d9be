package org.fcn4j.model;

import java.util.Arrays;
import org.fcn4j.config.ConfigNode;

/**
 * A ResNet backbone as MMSegmentation's config describes it. {@code deepStem} is true for
 * {@code ResNetV1c} (three 3x3 convs) and false for {@code ResNet} (one 7x7 conv).
 *
 * @param multiGrid dilation multipliers for the last stage's blocks, or null
 */
public record BackboneSpec(
        boolean deepStem,
        int depth,
        int inChannels,
        int stemChannels,
        int baseChannels,
        int numStages,
        int[] strides,
        int[] dilations,
        int[] outIndices,
        boolean contractDilation,
        boolean normEval,
        int[] multiGrid,
        boolean zeroInitResidual) {

    static final int[] DEPTHS = {18, 34, 50, 101, 152};

    public BackboneSpec {
        if (Arrays.stream(DEPTHS).noneMatch(d -> d == depth)) {
            throw new IllegalArgumentException("depth " + depth);
        }
    }

    public boolean bottleneck() {
        return depth >= 50;
    }

    public int expansion() {
        return bottleneck() ? 4 : 1;
    }

    public int[] stageBlocks() {
        switch (depth) {
            case 18:
                return new int[] {2, 2, 2, 2};
            case 34:
            case 50:
                return new int[] {3, 4, 6, 3};
            case 101:
                return new int[] {3, 4, 23, 3};
            default:
                return new int[] {3, 8, 36, 3};
        }
    }

    /** Output channels of stage {@code i}. */
    public int stageChannels(int i) {
        return baseChannels * (1 << i) * expansion();
    }

    /** Reads {@code model.backbone}; every key is checked before anything is built. */
    public static BackboneSpec parse(ConfigNode n) {
        String type = n.oneOf("type", null, "ResNetV1c", "ResNet");
        if (type == null) {
            throw n.error("type", "missing (ResNetV1c or ResNet)");
        }
        int depth = n.requireInt("depth");
        if (Arrays.stream(DEPTHS).noneMatch(d -> d == depth)) {
            throw n.error("depth", "expected one of 18, 34, 50, 101, 152 but got " + depth);
        }
        int numStages = n.integer("num_stages", 4);
        if (numStages < 1 || numStages > 4) {
            throw n.error("num_stages", "must be between 1 and 4 but got " + numStages);
        }
        int[] strides = n.ints("strides", new int[] {1, 2, 2, 2}, 0);
        int[] dilations = n.ints("dilations", new int[] {1, 1, 1, 1}, 0);
        if (strides.length != numStages) {
            throw n.error("strides", "needs num_stages (" + numStages + ") entries but has " + strides.length);
        }
        if (dilations.length != numStages) {
            throw n.error("dilations", "needs num_stages (" + numStages + ") entries but has " + dilations.length);
        }
        positive(n, "strides", strides);
        positive(n, "dilations", dilations);
        int[] outIndices = n.ints("out_indices", new int[] {0, 1, 2, 3}, 0);
        for (int i : outIndices) {
            if (i < 0 || i >= numStages) {
                throw n.error("out_indices", "index " + i + " is not a stage (0.." + (numStages - 1) + ")");
            }
        }
        n.oneOf("style", "pytorch", "pytorch");
        int[] multiGrid = n.ints("multi_grid", null, 0);
        BackboneSpec spec = new BackboneSpec(
                type.equals("ResNetV1c"),
                depth,
                n.integer("in_channels", 3, 1),
                n.integer("stem_channels", 64, 2),
                n.integer("base_channels", 64, 1),
                numStages,
                strides,
                dilations,
                outIndices,
                n.bool("contract_dilation", false),
                n.bool("norm_eval", false),
                multiGrid,
                n.bool("zero_init_residual", true));
        if (multiGrid != null && multiGrid.length != spec.stageBlocks()[numStages - 1]) {
            throw n.error(
                    "multi_grid",
                    "needs one entry per block of the last stage (" + spec.stageBlocks()[numStages - 1] + ") but has "
                            + multiGrid.length);
        }
        ConfigNode norm = n.dict("norm_cfg");
        if (norm != null) {
            NormConfig.parse(norm);
        }
        n.accept(
                "init_cfg",
                "pretrained",
                "with_cp",
                "frozen_stages",
                "deep_stem",
                "avg_down",
                "conv_cfg",
                "act_cfg",
                "plugins",
                "dcn",
                "stage_with_dcn");
        checkNotSet(n, "deep_stem", type);
        n.finish();
        return spec;
    }

    private static void checkNotSet(ConfigNode n, String key, String type) {
        // ResNetV1c is ResNet with deep_stem=True; a config may spell that out, but must agree with type
        Object v = n.value(key);
        if (v != null && !v.equals(type.equals("ResNetV1c"))) {
            throw n.error(key, "contradicts type " + type);
        }
    }

    private static void positive(ConfigNode n, String key, int[] values) {
        for (int v : values) {
            if (v < 1) {
                throw n.error(key, "entries must be >= 1 but got " + v);
            }
        }
    }
}
