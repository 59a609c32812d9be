package org.fcn4j.cli;

/** The presets the commands' help names for CONFIG (InfoCommandTest checks that each name is a preset). */
final class Presets {
    private Presets() {}

    /** The CONFIG parameter's help: annotation values must be constants, so the names are spelt out here. */
    static final String CONFIG = "Preset name or YAML config file. Presets carry MMSegmentation's config names "
            + "(fcn_r50-d8_4xb2-40k_cityscapes-512x1024, fcn_r18-d8_4xb2-80k_cityscapes-512x1024, "
            + "fcn_r50-d8_4xb4-80k_ade20k-512x512, fcn_r50-d8_4xb4-20k_voc12aug-512x512, torchvision_fcn_resnet50, ...) "
            + "and the FCN paper's VGG16 models (fcn32s_vgg16_1xb1-100k_voc12aug, fcn16s_vgg16_1xb1-100k_voc12aug, "
            + "fcn8s_vgg16_1xb1-100k_voc12aug, fcn8s-atonce_vgg16_1xb1-300k_voc12aug).";
}
