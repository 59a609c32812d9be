package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The paper's VGG trunk (reference: tools/fixtures/paper_fcn.py, fixtures from gen_vgg_parity.py). */
class VGGTest {
    private static final VGGSpec SMALL = new VGGSpec(16, 3, 4, 16, 0.5);

    private static VGGSpec spec(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>(Map.of("type", "VGG", "depth", 16));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return VGGSpec.parse(new ConfigNode("backbone", m));
    }

    @Test
    void pool3Pool4AndFc7MatchPyTorchInEvalMode() {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> state = Fixtures.tensors("vgg_fcn_state.safetensors", m);
            Map<String, NDArray> fx = Fixtures.tensors("vgg_fcn_parity.safetensors", m);
            VGG vgg = new VGG(m, SMALL);
            Map<String, NDArray> own = new HashMap<>();
            state.forEach((k, v) -> {
                if (k.startsWith("backbone.")) {
                    own.put(k.substring(9), v);
                }
            });
            assertThat(vgg.loadStateDict(own).clean()).isTrue();
            vgg.eval();
            List<NDArray> out = vgg.forward(fx.get("input.64x51"));
            String[] names = {"pool3", "pool4", "fc7"};
            for (int i = 0; i < 3; i++) {
                assertClose(names[i], out.get(i), fx.get("features.64x51." + names[i]), 1e-5);
            }
        }
    }

    @Test
    void stateDictKeysAreTheReferenceModelsLayerNames() {
        try (NDManager m = Torch.newManager()) {
            List<String> expected = new ArrayList<>();
            int[] convs = {2, 2, 3, 3, 3};
            for (int b = 0; b < 5; b++) {
                for (int i = 1; i <= convs[b]; i++) {
                    expected.add("conv" + (b + 1) + "_" + i + ".weight");
                    expected.add("conv" + (b + 1) + "_" + i + ".bias");
                }
            }
            expected.addAll(List.of("fc6.weight", "fc6.bias", "fc7.weight", "fc7.bias"));
            VGG vgg = new VGG(m, SMALL);
            assertThat(vgg.stateDict().keySet()).containsExactlyElementsOf(expected);
            assertThat(vgg.stateDict().get("conv1_2.weight").get().getShape()).isEqualTo(new Shape(4, 4, 3, 3));
            assertThat(vgg.stateDict().get("conv5_3.weight").get().getShape()).isEqualTo(new Shape(32, 32, 3, 3));
            assertThat(vgg.stateDict().get("fc6.weight").get().getShape()).isEqualTo(new Shape(16, 32, 7, 7));
        }
    }

    @ParameterizedTest
    @CsvSource({"11,8", "13,10", "16,13", "19,16"})
    void depthSetsTheNumberOfThreeByThreeConvolutions(int depth, int convs) {
        try (NDManager m = Torch.newManager()) {
            VGG vgg = new VGG(m, new VGGSpec(depth, 3, 4, 16, 0.5));
            assertThat(vgg.stateDict().keySet().stream().filter(k -> k.startsWith("conv") && k.endsWith(".weight")))
                    .hasSize(convs);
            vgg.eval();
            assertThat(vgg.forward(m.randomNormal(new Shape(1, 3, 20, 20)))
                            .get(2)
                            .getShape())
                    .isEqualTo(new Shape(1, 16, 1, 1));
        }
    }

    /**
     * pool5 = ceil((H + 198) / 32) >= 7 for every H >= 1: the padding of 100 is what lets any input reach
     * fc6, so there is no input too small for it (pool5 of a 1x1 input is exactly fc6's 7x7).
     */
    @ParameterizedTest
    @CsvSource({"1,1,25,13,1", "2,31,25,15,2", "500,500,88,44,16", "37,45,30,16,2"})
    void outputShapesFollowTheCeilModeFormulaDownToOnePixel(int h, int w, int pool3H, int pool4W, int fc7W) {
        try (NDManager m = Torch.newManager()) {
            VGG vgg = new VGG(m, new VGGSpec(16, 3, 2, 4, 0.5));
            vgg.eval();
            List<NDArray> out = vgg.forward(m.randomNormal(new Shape(1, 3, h, w)));
            assertThat(out.get(0).getShape().get(2)).isEqualTo(pool3H);
            assertThat(out.get(0).getShape().get(2)).isEqualTo(ceilDiv(h + 198, 8));
            assertThat(out.get(1).getShape().get(3)).isEqualTo(pool4W);
            assertThat(out.get(1).getShape().get(3)).isEqualTo(ceilDiv(w + 198, 16));
            assertThat(out.get(2).getShape()).isEqualTo(new Shape(1, 4, ceilDiv(h + 198, 32) - 6, fc7W));
        }
    }

    private static long ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Test
    void channelDropoutIsSeededAndOnlyActiveInTrainMode() {
        try (NDManager m = Torch.newManager()) {
            VGG vgg = new VGG(m, SMALL);
            NDArray x = m.randomNormal(new Shape(1, 3, 40, 40));
            vgg.eval();
            NDArray eval = vgg.forward(x).get(2);
            assertThat(vgg.forward(x).get(2).contentEquals(eval)).isTrue();
            vgg.train(true);
            Torch.seed(3);
            NDArray first = vgg.forward(x).get(2);
            Torch.seed(3);
            assertThat(vgg.forward(x).get(2).contentEquals(first)).isTrue();
            assertThat(first.contentEquals(eval)).isFalse();
        }
    }

    @Test
    void specDefaultsAreVgg16sImageNetWidths() {
        assertThat(spec()).isEqualTo(VGGSpec.vgg16());
        assertThat(VGGSpec.vgg16().outChannels()).containsExactly(256, 512, 4096);
        assertThat(spec("base_channels", 8, "fc_channels", 32).outChannels()).containsExactly(32, 64, 32);
    }

    @Test
    void specErrorsNameTheKey() {
        assertThatThrownBy(() -> spec("depth", 17))
                .isInstanceOf(ConfigException.class)
                .hasMessage("backbone.depth: expected one of 11, 13, 16, 19 but got 17");
        assertThatThrownBy(() -> spec("dropout_ratio", 1.0))
                .isInstanceOf(ConfigException.class)
                .hasMessage("backbone.dropout_ratio: must be in [0, 1) but got 1.0");
        assertThatThrownBy(() -> spec("fc_channels", 0))
                .isInstanceOf(ConfigException.class)
                .hasMessage("backbone.fc_channels: must be >= 1 but got 0");
        assertThatThrownBy(() -> spec("base_chanels", 8))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("backbone.base_chanels: unknown key");
        assertThatThrownBy(() -> VGGSpec.parse(new ConfigNode("backbone", new LinkedHashMap<>(Map.of("depth", 16)))))
                .hasMessage("backbone.type: missing (VGG)");
    }
}
