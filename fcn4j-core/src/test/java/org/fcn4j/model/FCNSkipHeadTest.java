package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fcn4j.Fixtures;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.nn.ConvTranspose2d;
import org.fcn4j.nn.Tensor;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The paper's decode head: layers, initialisation, spec checks and the shapes of its worked example. */
class FCNSkipHeadTest {
    private static FCNSkipHeadSpec spec(String type, Object... kv) {
        Map<String, Object> cfg =
                new LinkedHashMap<>(Map.of("type", type, "in_channels", List.of(16, 32, 16), "num_classes", 2));
        for (int i = 0; i < kv.length; i += 2) {
            cfg.put((String) kv[i], kv[i + 1]);
        }
        return FCNSkipHeadSpec.parse(new ConfigNode("decode_head", cfg));
    }

    private static FCNSkipHeadSpec spec(int stride, boolean atOnce, int[] inChannels, int classes, String... learned) {
        return new FCNSkipHeadSpec(
                stride, atOnce, inChannels, classes, Set.of(learned), 255, List.of(LossSpec.DEFAULT));
    }

    @Test
    void eachVariantHasTheReferenceModelsLayers() {
        try (NDManager m = Torch.newManager()) {
            assertThat(new FCNSkipHead(m, spec("FCN32sHead")).stateDict().keySet())
                    .containsExactly("score_fr.weight", "score_fr.bias", "upscore.weight");
            assertThat(new FCNSkipHead(m, spec("FCN16sHead")).stateDict().keySet())
                    .containsExactly(
                            "score_fr.weight",
                            "score_fr.bias",
                            "upscore2.weight",
                            "score_pool4.weight",
                            "score_pool4.bias",
                            "upscore16.weight");
            assertThat(new FCNSkipHead(m, spec("FCN8sHead")).stateDict().keySet())
                    .containsExactly(
                            "score_fr.weight",
                            "score_fr.bias",
                            "upscore2.weight",
                            "score_pool4.weight",
                            "score_pool4.bias",
                            "upscore_pool4.weight",
                            "score_pool3.weight",
                            "score_pool3.bias",
                            "upscore8.weight");
        }
    }

    @Test
    void scoreLayersStartAtZeroAndUpsamplersAsThePythonReferencesBilinearFilter() {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> fx = Fixtures.tensors("vgg_fcn_parity.safetensors", m);
            Map<String, Tensor> eight = new FCNSkipHead(m, spec("FCN8sHead")).stateDict();
            for (String score : new String[] {"score_fr", "score_pool4", "score_pool3"}) {
                assertThat(eight.get(score + ".weight").get().toFloatArray()).containsOnly(0f);
                assertThat(eight.get(score + ".bias").get().toFloatArray()).containsOnly(0f);
            }
            assertClose("upscore2", eight.get("upscore2.weight").get(), fx.get("bilinear.k4"), 0);
            assertClose("upscore_pool4", eight.get("upscore_pool4.weight").get(), fx.get("bilinear.k4"), 0);
            assertClose("upscore8", eight.get("upscore8.weight").get(), fx.get("bilinear.k16"), 0);
            NDArray upscore = new FCNSkipHead(m, spec("FCN32sHead"))
                    .stateDict()
                    .get("upscore.weight")
                    .get();
            assertClose("upscore", upscore, fx.get("bilinear.k64"), 0);
            assertClose("odd kernel", ConvTranspose2d.bilinearWeight(m, 2, 3), fx.get("bilinear.k3"), 0);
        }
    }

    @Test
    void onlyTheUpsamplersNamedInLearnUpsampleTrain() {
        try (NDManager m = Torch.newManager()) {
            Map<String, Tensor> fixed = new FCNSkipHead(m, spec("FCN8sHead")).stateDict();
            assertThat(fixed.entrySet())
                    .filteredOn(e -> e.getKey().startsWith("upscore"))
                    .allMatch(e -> !e.getValue().trainable());
            Map<String, Tensor> cvpr = new FCNSkipHead(
                            m, spec("FCN8sHead", "learn_upsample", List.of("upscore2", "upscore_pool4")))
                    .stateDict();
            assertThat(cvpr.get("upscore2.weight").trainable()).isTrue();
            assertThat(cvpr.get("upscore_pool4.weight").trainable()).isTrue();
            assertThat(cvpr.get("upscore8.weight").trainable()).isFalse();
            assertThat(cvpr.get("score_pool3.weight").trainable()).isTrue();
        }
    }

    /**
     * Parameter counts of the full-size models with 21 classes: VGG16's 13 convolutions, fc6 (4096 x 512 x 7 x 7,
     * 102.8 M) and fc7 are 134,260,544 (torchvision's vgg16 without fc8's 4,097,000); score_fr, score_pool4 and
     * score_pool3 add 102,207; the upsamplers (21 x 21 x (4 x 4 + 4 x 4 + 16 x 16)) 127,008 when learned.
     */
    @Test
    void fullSizeVgg16Fcn8sHas134Point36MillionTrainableParameters() {
        try (NDManager m = Torch.newManager()) {
            VGG vgg = new VGG(m, VGGSpec.vgg16());
            assertThat(vgg.parameterCount()).isEqualTo(134_260_544L);
            assertThat(vgg.stateDict().get("fc6.weight").get().getShape()).isEqualTo(new Shape(4096, 512, 7, 7));
            int[] in = VGGSpec.vgg16().outChannels();
            assertThat(new FCNSkipHead(m, spec(8, false, in, 21)).parameterCount())
                    .isEqualTo(102_207L);
            FCNSkipHeadSpec learned = spec(8, false, in, 21, "upscore2", "upscore_pool4", "upscore8");
            assertThat(new FCNSkipHead(m, learned).parameterCount()).isEqualTo(102_207L + 127_008L);
            assertThat(vgg.parameterCount() + 102_207L).isEqualTo(134_362_751L);
        }
    }

    /** paper-fcn.md's worked 500x500 example; the spatial sizes do not depend on the widths. */
    @ParameterizedTest
    @ValueSource(ints = {32, 16, 8})
    void a500By500InputGivesPool3Of88Pool4Of44Fc7Of16AndLogitsAt500By500(int stride) {
        try (NDManager m = Torch.newManager()) {
            VGG vgg = new VGG(m, new VGGSpec(16, 3, 2, 4, 0.5));
            FCNSkipHead head = new FCNSkipHead(m, spec(stride, false, vgg.spec().outChannels(), 21));
            vgg.eval();
            head.eval();
            List<NDArray> features = vgg.forward(m.randomNormal(new Shape(1, 3, 500, 500)));
            assertThat(features.get(0).getShape()).isEqualTo(new Shape(1, 8, 88, 88));
            assertThat(features.get(1).getShape()).isEqualTo(new Shape(1, 16, 44, 44));
            assertThat(features.get(2).getShape()).isEqualTo(new Shape(1, 4, 16, 16));
            assertThat(head.forward(features, 500, 500).getShape()).isEqualTo(new Shape(1, 21, 500, 500));
        }
    }

    @Test
    void aOneByOneInputStillFitsEveryCrop() {
        try (NDManager m = Torch.newManager()) {
            VGG vgg = new VGG(m, new VGGSpec(16, 3, 2, 4, 0.5));
            FCNSkipHead head = new FCNSkipHead(m, spec(8, true, vgg.spec().outChannels(), 3));
            vgg.eval();
            assertThat(head.forward(vgg.forward(m.randomNormal(new Shape(2, 3, 1, 1))), 1, 1)
                            .getShape())
                    .isEqualTo(new Shape(2, 3, 1, 1));
        }
    }

    @Test
    void featuresThatDoNotComeFromThePaddedTrunkGetAnErrorNamingTheLayer() {
        try (NDManager m = Torch.newManager()) {
            FCNSkipHead head = new FCNSkipHead(m, spec("FCN16sHead"));
            // fc7 2x2 -> upscore2 6x6, but pool4 is only 8x8: a crop at 5 needs 11x11
            List<NDArray> features = List.of(
                    m.zeros(new Shape(1, 16, 16, 16)),
                    m.zeros(new Shape(1, 32, 8, 8)),
                    m.zeros(new Shape(1, 16, 2, 2)));
            assertThatThrownBy(() -> head.forward(features, 10, 10))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("score_pool4 is 8x8, too small for a 6x6 crop at offset 5");
            assertThatThrownBy(() -> head.forward(features.subList(1, 3), 10, 10))
                    .hasMessage("expected [pool3, pool4, fc7] but got 2 feature maps");
        }
    }

    @Test
    void specReadsTheTypeAtOnceLearnedUpsamplersAndASummedLoss() {
        FCNSkipHeadSpec s = spec(
                "FCN8sHead",
                "at_once",
                true,
                "learn_upsample",
                List.of("upscore2"),
                "loss_decode",
                Map.of("type", "CrossEntropyLoss", "reduction", "sum"));
        assertThat(s.stride()).isEqualTo(8);
        assertThat(s.atOnce()).isTrue();
        assertThat(s.upsamplers()).containsExactly("upscore2", "upscore_pool4", "upscore8");
        assertThat(s.learnedUpsamplers()).containsExactly("upscore2");
        assertThat(s.loss()).singleElement().extracting(LossSpec::summed).isEqualTo(true);
        assertThat(s.ignoreIndex()).isEqualTo(255);
        assertThat(spec("FCN32sHead").upsamplers()).containsExactly("upscore");
        assertThat(spec("FCN16sHead").loss()).containsExactly(LossSpec.DEFAULT);
    }

    @Test
    void specErrorsNameTheKey() {
        assertThatThrownBy(() -> spec("FCN16sHead", "at_once", true))
                .isInstanceOf(ConfigException.class)
                .hasMessage("decode_head.at_once: exists only for FCN8sHead (the paper's at-once model is an FCN-8s)");
        assertThatThrownBy(() -> spec("FCN16sHead", "learn_upsample", List.of("upscore8")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "decode_head.learn_upsample: 'upscore8' is not an upsampler of this head (upscore2, upscore16)");
        assertThatThrownBy(() -> spec("FCN8sHead", "learn_upsample", true))
                .isInstanceOf(ConfigException.class)
                .hasMessage("decode_head.learn_upsample: expected a list of strings but got Boolean true");
        assertThatThrownBy(() -> spec("FCN8sHead", "in_channels", List.of(512, 4096)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("decode_head.in_channels: expected the channels of [pool3, pool4, fc7] but got 2 entries");
        assertThatThrownBy(() -> spec("FCN4sHead"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("decode_head.type: expected one of FCN32sHead, FCN16sHead, FCN8sHead");
        assertThatThrownBy(() -> spec("FCN8sHead", "num_classes", 0))
                .isInstanceOf(ConfigException.class)
                .hasMessage("decode_head.num_classes: must be >= 1 but got 0");
        assertThatThrownBy(
                        () -> spec("FCN8sHead", "loss_decode", Map.of("type", "CrossEntropyLoss", "reduction", "none")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("decode_head.loss_decode.reduction: expected one of mean, sum");
    }
}
