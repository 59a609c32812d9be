package org.fcn4j.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.config.InvalidParameter;

/**
 * The FCN paper's decode head as a config describes it: {@code type} FCN32sHead, FCN16sHead or FCN8sHead
 * (the output stride of its coarsest prediction, fused with pool4 for 16s and with pool4 and pool3 for 8s),
 * {@code at_once} for the FCN-8s trained in one stage (fixed input scales on pool4 and pool3),
 * {@code in_channels} of the backbone's [pool3, pool4, fc7], and {@code learn_upsample}: the upsamplers that
 * train, by name (the reference implementation trains none, the CVPR text all but the last).
 *
 * @param stride 32, 16 or 8
 * @param learnedUpsamplers a subset of {@link #upsamplers()}
 * @param loss one entry per {@code loss_decode} term, summed
 */
public record FCNSkipHeadSpec(
        int stride,
        boolean atOnce,
        int[] inChannels,
        int numClasses,
        Set<String> learnedUpsamplers,
        int ignoreIndex,
        List<LossSpec> loss) {

    private static final Map<String, Integer> TYPES = Map.of("FCN32sHead", 32, "FCN16sHead", 16, "FCN8sHead", 8);

    public FCNSkipHeadSpec {
        if (!TYPES.containsValue(stride)) {
            throw new InvalidParameter("type", "the stride must be 32, 16 or 8 but got " + stride);
        }
        if (atOnce && stride != 8) {
            throw new InvalidParameter("at_once", "exists only for FCN8sHead (the paper's at-once model is an FCN-8s)");
        }
        if (inChannels.length != 3) {
            throw new InvalidParameter(
                    "in_channels",
                    "expected the channels of [pool3, pool4, fc7] but got " + inChannels.length + " entries");
        }
        for (int c : inChannels) {
            if (c < 1) {
                throw new InvalidParameter("in_channels", "entries must be >= 1 but got " + c);
            }
        }
        if (numClasses < 1) {
            throw new InvalidParameter("num_classes", "must be >= 1 but got " + numClasses);
        }
        for (String name : learnedUpsamplers) {
            if (!upsamplers(stride).contains(name)) {
                throw new InvalidParameter(
                        "learn_upsample",
                        "'" + name + "' is not an upsampler of this head (" + String.join(", ", upsamplers(stride))
                                + ")");
            }
        }
        learnedUpsamplers = Set.copyOf(learnedUpsamplers);
        loss = List.copyOf(loss);
    }

    /** The paper's upsampling layers of this head, coarse to fine. */
    public List<String> upsamplers() {
        return upsamplers(stride);
    }

    private static List<String> upsamplers(int stride) {
        switch (stride) {
            case 32:
                return List.of("upscore");
            case 16:
                return List.of("upscore2", "upscore16");
            default:
                return List.of("upscore2", "upscore_pool4", "upscore8");
        }
    }

    public boolean learned(String upsampler) {
        return learnedUpsamplers.contains(upsampler);
    }

    /** Reads {@code model.decode_head}; every key is checked before anything is built. */
    public static FCNSkipHeadSpec parse(ConfigNode n) {
        String type = n.oneOf("type", null, "FCN32sHead", "FCN16sHead", "FCN8sHead");
        if (type == null) {
            throw n.error("type", "missing (FCN32sHead, FCN16sHead or FCN8sHead)");
        }
        int[] inChannels = n.ints("in_channels", null, 0);
        if (inChannels == null) {
            throw n.error("in_channels", "missing (the channels of [pool3, pool4, fc7])");
        }
        int numClasses = n.requireInt("num_classes");
        boolean atOnce = n.bool("at_once", false);
        Set<String> learned = new LinkedHashSet<>(n.strings("learn_upsample", List.of()));
        int ignoreIndex = n.integer("ignore_index", 255);
        List<LossSpec> loss = LossSpec.parseAll(n, "loss_decode");
        n.finish();
        try {
            return new FCNSkipHeadSpec(TYPES.get(type), atOnce, inChannels, numClasses, learned, ignoreIndex, loss);
        } catch (InvalidParameter e) {
            throw n.error(e);
        }
    }
}
