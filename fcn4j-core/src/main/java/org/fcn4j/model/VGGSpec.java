package org.fcn4j.model;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.config.InvalidParameter;

/**
 * The FCN paper's VGG trunk as a config describes it ({@code type: VGG}): five blocks of 3x3 convolutions
 * ({@code depth} 11, 13, 16 or 19) whose widths double from {@code base_channels} to 8x, then fc6 and fc7
 * as convolutions of {@code fc_channels}, each followed by channel dropout of {@code dropout_ratio}.
 * The defaults are VGG16's ImageNet widths; smaller ones give a fast model with every code path.
 */
public record VGGSpec(int depth, int inChannels, int baseChannels, int fcChannels, double dropoutRatio)
        implements Backbone.Spec {
    /** Convolutions per block (torchvision's configurations A, B, D, E). */
    private static final Map<Integer, int[]> BLOCK_CONVS = Map.of(
            11, new int[] {1, 1, 2, 2, 2},
            13, new int[] {2, 2, 2, 2, 2},
            16, new int[] {2, 2, 3, 3, 3},
            19, new int[] {2, 2, 4, 4, 4});

    static final List<String> OUT_NAMES = List.of("pool3", "pool4", "fc7");

    public VGGSpec {
        if (!BLOCK_CONVS.containsKey(depth)) {
            throw new InvalidParameter("depth", "expected one of 11, 13, 16, 19 but got " + depth);
        }
        positive("in_channels", inChannels);
        positive("base_channels", baseChannels);
        positive("fc_channels", fcChannels);
        if (!(dropoutRatio >= 0 && dropoutRatio < 1)) {
            throw new InvalidParameter("dropout_ratio", "must be in [0, 1) but got " + dropoutRatio);
        }
    }

    /** VGG16 as the paper uses it: 64 ... 512 channels, fc6/fc7 4096, dropout 0.5. */
    public static VGGSpec vgg16() {
        return new VGGSpec(16, 3, 64, 4096, 0.5);
    }

    private static void positive(String key, int v) {
        if (v < 1) {
            throw new InvalidParameter(key, "must be >= 1 but got " + v);
        }
    }

    /** The number of 3x3 convolutions in block {@code b} (0..4). */
    public int blockConvs(int b) {
        return BLOCK_CONVS.get(depth)[b];
    }

    /** Output channels of block {@code b} (0..4): base, 2x, 4x, 8x, 8x. */
    public int blockChannels(int b) {
        return baseChannels << Math.min(b, 3);
    }

    /** Channels of the three outputs, pool3, pool4 and fc7, in that order. */
    @Override
    public int[] outChannels() {
        return new int[] {blockChannels(2), blockChannels(3), fcChannels};
    }

    /** The layers the skip head reads, in {@link VGG#forward}'s order. */
    @Override
    public List<String> outNames() {
        return OUT_NAMES;
    }

    @Override
    public VGG build(NDManager m) {
        return new VGG(m, this);
    }

    /** Reads {@code model.backbone}; every key is checked before anything is built. */
    public static VGGSpec parse(ConfigNode n) {
        if (n.oneOf("type", null, "VGG") == null) {
            throw n.error("type", "missing (VGG)");
        }
        int depth = n.requireInt("depth");
        int inChannels = n.integer("in_channels", 3);
        int baseChannels = n.integer("base_channels", 64);
        int fcChannels = n.integer("fc_channels", 4096);
        double dropout = n.number("dropout_ratio", 0.5);
        n.finish();
        try {
            return new VGGSpec(depth, inChannels, baseChannels, fcChannels, dropout);
        } catch (InvalidParameter e) {
            throw n.error(e);
        }
    }
}
