package org.fcn4j.model;

import java.util.List;
import org.fcn4j.config.ConfigNode;

/**
 * An {@code FCNHead} as MMSegmentation's config describes it. Type {@code TorchvisionFCNHead} is the
 * same head with torchvision's element-wise dropout (torchvision's {@code FCNHead} is one conv in -> in/4,
 * no concat, dropout, 1x1 classifier; its checkpoint keys are mapped onto these).
 *
 * @param channelDropout Dropout2d (mmseg) rather than element-wise dropout (torchvision)
 * @param loss one entry per {@code loss_decode} term, summed
 */
public record HeadSpec(
        int inChannels,
        int inIndex,
        int channels,
        int numConvs,
        boolean concatInput,
        int kernelSize,
        int dilation,
        double dropoutRatio,
        boolean channelDropout,
        int numClasses,
        boolean alignCorners,
        int ignoreIndex,
        List<LossSpec> loss) {

    /** The backbone output this head reads; a negative in_index counts from the end, as in Python. */
    public int inputIndex(int numOutputs) {
        return inIndex < 0 ? numOutputs + inIndex : inIndex;
    }

    public static HeadSpec parse(ConfigNode n) {
        String type = n.oneOf("type", "FCNHead", "FCNHead", "TorchvisionFCNHead");
        int inChannels = n.requireInt("in_channels", 1);
        int channels = n.requireInt("channels", 1);
        int numConvs = n.integer("num_convs", 2, 0);
        boolean concatInput = n.bool("concat_input", true);
        if (numConvs == 0 && inChannels != channels) {
            throw n.error(
                    "num_convs",
                    "0 makes convs the identity, so in_channels (" + inChannels + ") must equal channels (" + channels
                            + ")");
        }
        int kernelSize = n.integer("kernel_size", 3, 1);
        if (kernelSize % 2 == 0) {
            throw n.error("kernel_size", "must be odd but got " + kernelSize);
        }
        int dilation = n.integer("dilation", 1, 1);
        double dropout = n.number("dropout_ratio", 0.1);
        if (dropout < 0 || dropout >= 1) {
            throw n.error("dropout_ratio", "must be in [0, 1) but got " + dropout);
        }
        int numClasses = n.requireInt("num_classes", 1);
        int inIndex = n.integer("in_index", -1);
        ConfigNode norm = n.dict("norm_cfg");
        if (norm != null) {
            NormConfig.parse(norm);
        }
        List<LossSpec> loss = LossSpec.parseAll(n, "loss_decode");
        String transform = n.string("input_transform", null);
        if (transform != null) {
            throw n.error("input_transform", "only a single input (null) is supported by FCNHead");
        }
        HeadSpec spec = new HeadSpec(
                inChannels,
                inIndex,
                channels,
                numConvs,
                concatInput,
                kernelSize,
                dilation,
                dropout,
                type.equals("FCNHead"),
                numClasses,
                n.bool("align_corners", false),
                n.integer("ignore_index", 255),
                loss);
        n.accept("init_cfg", "act_cfg", "conv_cfg", "sampler", "out_channels", "threshold");
        n.finish();
        return spec;
    }
}
