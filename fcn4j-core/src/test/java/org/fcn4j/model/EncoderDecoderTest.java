package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.experiment.Config;
import org.fcn4j.nn.Tensor;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EncoderDecoderTest {
    @ParameterizedTest
    @CsvSource({
        "fcn_r18-d8_4xb2-80k_cityscapes-512x1024,12822342",
        "fcn_r50-d8_4xb2-40k_cityscapes-512x1024,49497734",
        "fcn_r101-d8_4xb2-40k_cityscapes-512x1024,68489862"
    })
    void parameterCountsOfThePublishedModels(String preset, long count) {
        try (NDManager m = Torch.newManager()) {
            assertThat(new EncoderDecoder(m, Config.load(preset).model()).parameterCount())
                    .isEqualTo(count);
        }
    }

    @Test
    void stateDictKeysAndShapesAreMmsegmentations() throws IOException {
        List<String> expected = new ArrayList<>();
        for (String line : Files.readAllLines(Fixtures.path("fcn_r50-d8_state_dict_keys.txt"))) {
            if (!line.startsWith("#") && !line.isBlank()) {
                expected.add(line.trim());
            }
        }
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(
                    m, Config.load("fcn_r50-d8_4xb2-40k_cityscapes-512x1024").model());
            List<String> actual = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
                long[] s = e.getValue().get().getShape().getShape();
                StringBuilder dims = new StringBuilder();
                for (int i = 0; i < s.length; i++) {
                    dims.append(i == 0 ? "" : ", ").append(s[i]);
                }
                actual.add(e.getKey() + " [" + dims + "]");
            }
            assertThat(actual).hasSize(358).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void repeatedInferenceLeavesNothingAllocatedButTheResults() {
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(
                    m,
                    Config.load(
                                    "fcn_r50-d8_4xb2-40k_cityscapes-512x1024",
                                    List.of(
                                            "model.backbone.base_channels=8", "model.backbone.stem_channels=16",
                                            "model.decode_head.in_channels=256", "model.decode_head.channels=8",
                                            "model.auxiliary_head.in_channels=128", "model.auxiliary_head.channels=8"))
                            .model());
            model.eval();
            NDArray x = m.randomNormal(new Shape(1, 3, 64, 80));
            int before = m.getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                NDArray out = model.encodeDecode(x);
                assertThat(out.getShape()).isEqualTo(new Shape(1, 19, 64, 80));
                out.close();
            }
            assertThat(m.getManagedArrays().size()).isEqualTo(before);
        }
    }

    @Test
    void evalSwitchesDropoutOffAndTrainOn() {
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(
                    m,
                    Config.load(
                                    "fcn_r18-d8_4xb2-80k_cityscapes-512x1024",
                                    List.of("model.decode_head.dropout_ratio=0.5", "model.backbone.norm_eval=true"))
                            .model());
            NDArray x = m.randomNormal(new Shape(1, 3, 32, 32));
            model.eval();
            assertThat(model.forward(x).decode().toFloatArray())
                    .containsExactly(model.forward(x).decode().toFloatArray());
            model.train(true);
            assertThat(model.forward(x).decode().toFloatArray())
                    .isNotEqualTo(model.forward(x).decode().toFloatArray());
        }
    }
}
