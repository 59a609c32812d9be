package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.nn.LoadReport;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Tensor;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * VGG + FCNSkipHead against the PyTorch transcription of the paper's models (tools/fixtures/paper_fcn.py,
 * fixtures from tools/fixtures/gen_vgg_parity.py) with the same weights: a width-reduced VGG16 (blocks of
 * 4 ... 32 channels, fc 16) with 5 classes.
 */
class PaperFcnParityTest {
    private static final double RTOL = 1e-5;

    /** The trunk and a head with the fixture's weights; the state holds every head's layers. */
    private record Net(VGG backbone, FCNSkipHead head) {
        static Net load(NDManager m, Map<String, NDArray> state, VGGSpec trunk, FCNSkipHeadSpec headSpec) {
            Net net = new Net(new VGG(m, trunk), new FCNSkipHead(m, headSpec));
            LoadReport b = net.backbone.loadStateDict(part(state, "backbone."));
            assertThat(b.clean()).as(b.toString()).isTrue();
            LoadReport h = net.head.loadStateDict(part(state, "decode_head."));
            assertThat(h.missing()).isEmpty();
            assertThat(h.shapeMismatch()).isEmpty();
            return net;
        }

        NDArray logits(NDArray x) {
            Shape s = x.getShape();
            return head.forward(backbone.forward(x), (int) s.get(2), (int) s.get(3));
        }
    }

    private static Map<String, NDArray> part(Map<String, NDArray> state, String prefix) {
        Map<String, NDArray> out = new HashMap<>();
        state.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private static VGGSpec trunk(double dropout) {
        return new VGGSpec(16, 3, 4, 16, dropout);
    }

    private static FCNSkipHeadSpec head(String type, Object... kv) {
        Map<String, Object> cfg =
                new LinkedHashMap<>(Map.of("type", type, "in_channels", List.of(16, 32, 16), "num_classes", 5));
        for (int i = 0; i < kv.length; i += 2) {
            cfg.put((String) kv[i], kv[i + 1]);
        }
        return FCNSkipHeadSpec.parse(new ConfigNode("decode_head", cfg));
    }

    @ParameterizedTest
    @CsvSource({
        "fcn32s,FCN32sHead,false",
        "fcn16s,FCN16sHead,false",
        "fcn8s,FCN8sHead,false",
        "fcn8s-atonce,FCN8sHead,true"
    })
    void evalLogitsAtInputSizeMatchPyTorchOnTwoOddSizes(String name, String type, boolean atOnce) {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> state = Fixtures.tensors("vgg_fcn_state.safetensors", m);
            Map<String, NDArray> fx = Fixtures.tensors("vgg_fcn_parity.safetensors", m);
            Net net = Net.load(m, state, trunk(0.5), head(type, "at_once", atOnce));
            net.backbone.eval();
            net.head.eval();
            for (String size : new String[] {"37x45", "64x51"}) {
                assertClose(
                        name + " " + size,
                        net.logits(fx.get("input." + size)),
                        fx.get("eval." + name + "." + size),
                        RTOL);
            }
        }
    }

    @Test
    void trainModeSummedLossAndGradientsWithLearnedInnerUpsamplersMatchPyTorch() {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> state = Fixtures.tensors("vgg_fcn_state.safetensors", m);
            Map<String, NDArray> fx = Fixtures.tensors("vgg_fcn_parity.safetensors", m);
            FCNSkipHeadSpec spec = head(
                    "FCN8sHead",
                    "learn_upsample",
                    List.of("upscore2", "upscore_pool4"),
                    "loss_decode",
                    Map.of("type", "CrossEntropyLoss", "reduction", "sum"));
            Net net = Net.load(m, state, trunk(0), spec);
            net.backbone.train(true);
            net.head.train(true);
            try (GradientCollector gc = Torch.gradientCollector()) {
                NDArray logits = net.logits(fx.get("input.37x45"));
                NDArray loss = CrossEntropyLoss.of(
                                logits, fx.get("train.label"), spec.loss(), spec.ignoreIndex(), false)
                        .loss();
                assertClose("summed loss", loss, fx.get("train.loss"), RTOL);
                gc.backward(loss);
            }
            Map<String, Module> parts = Map.of("backbone.", net.backbone, "decode_head.", net.head);
            int grads = 0;
            for (Map.Entry<String, NDArray> e : fx.entrySet()) {
                if (e.getKey().startsWith("grad.")) {
                    String key = e.getKey().substring(5);
                    String prefix = key.substring(0, key.indexOf('.') + 1);
                    Tensor t = parts.get(prefix).stateDict().get(key.substring(prefix.length()));
                    assertClose("grad " + key, t.get().getGradient(), e.getValue(), RTOL);
                    grads++;
                }
            }
            assertThat(grads).isEqualTo(14);
            // the fixed last upsampler is not trained: no gradient, as PyTorch's requires_grad=False
            Tensor upscore8 = net.head.stateDict().get("upscore8.weight");
            assertThat(upscore8.trainable()).isFalse();
            assertThat(upscore8.get().hasGradient()).isFalse();
        }
    }
}
