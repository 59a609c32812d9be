package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.experiment.Config;
import org.fcn4j.io.Checkpoint;
import org.fcn4j.io.CheckpointException;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;

/**
 * The FCN paper's two source layouts: torchfcn's bare layer names, and torchvision's VGG (whose features
 * indices follow make_layers: conv, ReLU, and a pool after each block). The command-level round trip with
 * PyTorch's files is fcn4j-cli's PaperCheckpointsCommandTest.
 */
class KeyMapTest {
    private static Map<String, NDArray> keys(NDManager m, String... names) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put(n, m.zeros(new Shape(1)));
        }
        return out;
    }

    @Test
    void torchfcnKeysGoToTheTrunkOrTheHeadByName() {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> state = keys(
                    m,
                    "conv1_1.weight",
                    "conv5_3.bias",
                    "fc6.weight",
                    "fc7.bias",
                    "score_fr.weight",
                    "score_pool4.bias",
                    "upscore.weight",
                    "upscore2.weight",
                    "upscore_pool4.weight");
            assertThat(KeyMap.detect(state)).isEqualTo(KeyMap.Layout.TORCHFCN);
            assertThat(KeyMap.toMmseg(state).keySet())
                    .containsExactly(
                            "backbone.conv1_1.weight",
                            "backbone.conv5_3.bias",
                            "backbone.fc6.weight",
                            "backbone.fc7.bias",
                            "decode_head.score_fr.weight",
                            "decode_head.score_pool4.bias",
                            "decode_head.upscore.weight",
                            "decode_head.upscore2.weight",
                            "decode_head.upscore_pool4.weight");
            // fcn4j's own checkpoints carry the same names under prefixes and are taken as they are
            assertThat(KeyMap.detect(keys(m, "backbone.conv1_1.weight", "decode_head.score_fr.weight")))
                    .isEqualTo(KeyMap.Layout.MMSEG);
        }
    }

    @Test
    void torchvisionVggConvsAreNumberedByBlockFromTheirIndices() {
        try (NDManager m = Torch.newManager()) {
            // vgg11 (configuration A): blocks of 1, 1, 2, 2, 2 convs; a pool between blocks adds one index
            Map<String, NDArray> state = keys(
                    m,
                    "features.0.weight",
                    "features.3.weight",
                    "features.6.weight",
                    "features.8.weight",
                    "features.11.weight",
                    "features.13.weight",
                    "features.13.bias",
                    "features.16.weight",
                    "features.18.weight",
                    "classifier.6.weight");
            KeyMap.Mapped mapped = KeyMap.convert(state);
            assertThat(mapped.layout()).isEqualTo(KeyMap.Layout.TORCHVISION_VGG);
            assertThat(mapped.state().keySet())
                    .containsExactly(
                            "backbone.conv1_1.weight",
                            "backbone.conv2_1.weight",
                            "backbone.conv3_1.weight",
                            "backbone.conv3_2.weight",
                            "backbone.conv4_1.weight",
                            "backbone.conv4_2.weight",
                            "backbone.conv4_2.bias",
                            "backbone.conv5_1.weight",
                            "backbone.conv5_2.weight");
            assertThat(mapped.notes()).hasSize(2);
            assertThat(mapped.notes().get(0)).startsWith("dropped classifier.6 (fc8, torchvision's 1-class");
        }
    }

    @Test
    void fc6IsTheClassifiersRowsReshapedOverChannelRowColumn() {
        try (NDManager m = Torch.newManager()) {
            // 2 outputs over a 3-channel 7x7 pool5: weight[o][c * 49 + y * 7 + x] = 1000 o + 100 c + 10 y + x
            float[] w = new float[2 * 147];
            for (int o = 0; o < 2; o++) {
                for (int c = 0; c < 3; c++) {
                    for (int i = 0; i < 49; i++) {
                        w[o * 147 + c * 49 + i] = 1000 * o + 100 * c + 10 * (i / 7) + i % 7;
                    }
                }
            }
            Map<String, NDArray> state = new LinkedHashMap<>();
            state.put("classifier.0.weight", m.create(w, new Shape(2, 147)));
            state.put("classifier.3.weight", m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2)));
            state.put("features.0.weight", m.zeros(new Shape(1)));
            Map<String, NDArray> out = KeyMap.toMmseg(state);
            NDArray fc6 = out.get("backbone.fc6.weight");
            assertThat(fc6.getShape()).isEqualTo(new Shape(2, 3, 7, 7));
            assertThat(fc6.getFloat(1, 2, 5, 3)).isEqualTo(1253f);
            assertThat(out.get("backbone.fc7.weight").getShape()).isEqualTo(new Shape(2, 2, 1, 1));
            assertThat(out.get("backbone.fc7.weight").getFloat(1, 0, 0, 0)).isEqualTo(3f);

            state.put("classifier.0.weight", m.zeros(new Shape(2, 100)));
            assertThatThrownBy(() -> KeyMap.toMmseg(state))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("expected (out, C * 7 * 7)");
        }
    }

    @Test
    void batchNormVggsAndUnknownOrdersAreRefused() {
        try (NDManager m = Torch.newManager()) {
            assertThatThrownBy(() -> KeyMap.toMmseg(keys(m, "features.0.weight", "features.1.running_mean")))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("vgg*_bn");
            assertThatThrownBy(() -> KeyMap.toMmseg(keys(m, "features.0.weight", "features.4.weight")))
                    .hasMessageContaining("features.4 follows features.0");
        }
    }

    @Test
    void loadingATorchvisionVggFillsFc6AndPassesTheNotesOn() {
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(
                    m,
                    Config.load("fcn8s_vgg16_1xb1-100k_voc12aug", PaperPresets.WIDTH_REDUCED)
                            .model());
            Map<String, NDArray> state = new LinkedHashMap<>();
            state.put("features.0.weight", m.zeros(new Shape(4, 3, 3, 3)));
            state.put("classifier.0.weight", m.arange(16f * 32 * 49).reshape(16, 32 * 49));
            state.put("classifier.6.weight", m.zeros(new Shape(1000, 16)));
            List<String> warnings = new ArrayList<>();
            CheckpointLoader.loadInto(model, new Checkpoint(state, Map.of(), null), warnings::add);
            assertThat(warnings.get(0)).startsWith("dropped classifier.6 (fc8, torchvision's 1000-class");
            assertThat(warnings.get(1)).startsWith("torchvision's VGG weights expect RGB");
            assertThat(warnings.get(2)).contains("missing keys in source state_dict: backbone.conv1_1.bias");
            NDArray fc6 = model.stateDict().get("backbone.fc6.weight").get();
            assertThat(fc6.getFloat(3, 5, 6, 2)).isEqualTo(3 * 32 * 49 + 5 * 49 + 6 * 7 + 2);
        }
    }
}
