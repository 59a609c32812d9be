package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.HashMap;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.experiment.Config;
import org.fcn4j.nn.LoadReport;
import org.fcn4j.nn.Tensor;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * fcn4j's FCN against PyTorch running MMSegmentation's FCN (tools/fixtures/gen_model_parity.py) with
 * the same weights: eval logits, a train-mode forward with both head losses, gradients across the
 * network and the BN running-statistic update.
 */
class ModelParityTest {
    private static final double RTOL = 1e-5;

    private static EncoderDecoder load(String name, NDManager m, Map<String, NDArray> fx) {
        Config cfg = Config.load(Fixtures.path("parity_" + name + ".yaml").toString());
        EncoderDecoder model = new EncoderDecoder(m, cfg.model());
        Map<String, NDArray> state = new HashMap<>();
        fx.forEach((k, v) -> {
            if (k.startsWith("state.")) {
                state.put(k.substring(6), v);
            }
        });
        LoadReport report = model.loadStateDict(state);
        assertThat(report.clean()).as(report.toString()).isTrue();
        return model;
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50", "r18"})
    void evalLogitsMatchPyTorch(String name) {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> fx = Fixtures.tensors("parity_" + name + ".safetensors", m);
            EncoderDecoder model = load(name, m, fx);
            model.eval();
            NDArray x = fx.get("input");
            EncoderDecoder.Outputs out = model.forward(x);
            assertClose("decode logits", out.decode(), fx.get("eval.logits"), RTOL);
            assertClose("aux logits", out.auxiliary(), fx.get("eval.aux"), RTOL);
            assertClose("logits at input size", model.encodeDecode(x), fx.get("eval.pred"), RTOL);
            assertThat(model.forward(x).decode().getShape())
                    .isEqualTo(fx.get("eval.logits").getShape());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50", "r18"})
    void trainStepLossesGradientsAndBnStatisticsMatchPyTorch(String name) {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> fx = Fixtures.tensors("parity_" + name + ".safetensors", m);
            EncoderDecoder model = load(name, m, fx);
            model.train(true);
            NDArray label = fx.get("label");
            try (GradientCollector gc = Torch.gradientCollector()) {
                EncoderDecoder.Outputs out = model.forward(fx.get("input"));
                CrossEntropyLoss.HeadLoss decode =
                        CrossEntropyLoss.of(out.decode(), label, model.spec().decodeHead());
                CrossEntropyLoss.HeadLoss aux =
                        CrossEntropyLoss.of(out.auxiliary(), label, model.spec().auxiliaryHead());
                assertClose("loss_decode", decode.loss(), fx.get("train.loss_decode"), RTOL);
                assertClose("loss_aux", aux.loss(), fx.get("train.loss_aux"), RTOL);
                assertClose("acc_decode", decode.accuracy(), fx.get("train.acc_decode"), RTOL);
                assertClose("acc_aux", aux.accuracy(), fx.get("train.acc_aux"), RTOL);
                gc.backward(decode.loss().add(aux.loss()));
            }
            Map<String, Tensor> params = model.stateDict();
            int grads = 0;
            int buffers = 0;
            for (Map.Entry<String, NDArray> e : fx.entrySet()) {
                if (e.getKey().startsWith("grad.")) {
                    String key = e.getKey().substring(5);
                    assertClose("grad " + key, params.get(key).get().getGradient(), e.getValue(), RTOL);
                    grads++;
                } else if (e.getKey().startsWith("after.")) {
                    String key = e.getKey().substring(6);
                    assertClose(key + " after the step", params.get(key).get(), e.getValue(), RTOL);
                    buffers++;
                }
            }
            assertThat(grads).isGreaterThanOrEqualTo(10);
            assertThat(buffers).isGreaterThanOrEqualTo(9);
        }
    }
}
