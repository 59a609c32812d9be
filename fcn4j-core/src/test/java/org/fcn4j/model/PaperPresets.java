package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.experiment.Config;
import org.fcn4j.nn.LoadReport;

/**
 * The FCN paper's presets at the width of tools/fixtures/gen_vgg_parity.py (blocks of 4 ... 32 channels, fc 16,
 * 5 classes), by the overrides a user would pass as --cfg-options, with that generator's weights.
 */
public final class PaperPresets {
    public static final List<String> WIDTH_REDUCED = List.of(
            "model.backbone.base_channels=4",
            "model.backbone.fc_channels=16",
            "model.decode_head.in_channels=[16,32,16]",
            "model.decode_head.num_classes=5");

    private PaperPresets() {}

    /** The preset's EncoderDecoder at the fixture's width with the fixture's weights (which hold every head's layers). */
    public static EncoderDecoder load(NDManager m, String preset, List<String> moreOptions) {
        List<String> options = new java.util.ArrayList<>(WIDTH_REDUCED);
        options.addAll(moreOptions);
        EncoderDecoder model =
                new EncoderDecoder(m, Config.load(preset, options).model());
        Map<String, NDArray> state = Fixtures.tensors("vgg_fcn_state.safetensors", m);
        LoadReport report = model.loadStateDict(state);
        if (!report.missing().isEmpty() || !report.shapeMismatch().isEmpty()) {
            throw new AssertionError(preset + ": " + report);
        }
        return model;
    }
}
