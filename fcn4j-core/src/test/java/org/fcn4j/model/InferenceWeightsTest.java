package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.config.Config;
import org.fcn4j.nn.InferenceWeights;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link EncoderDecoder#prepareInference}: folded BatchNorms compute the function the plain model computes. */
class InferenceWeightsTest {
    private static EncoderDecoder load(String name, NDManager m, Map<String, NDArray> fx) {
        EncoderDecoder model = new EncoderDecoder(m, Config.load(Fixtures.path("parity_" + name + ".yaml").toString()).model());
        Map<String, NDArray> state = new HashMap<>();
        fx.forEach((k, v) -> {
            if (k.startsWith("state.")) {
                state.put(k.substring(6), v);
            }
        });
        assertThat(model.loadStateDict(state).clean()).isTrue();
        model.eval();
        return model;
    }

    private static long batchNorms(EncoderDecoder model) {
        return model.stateDict().keySet().stream().filter(k -> k.endsWith(".running_var")).count();
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50", "r18"})
    void foldedBatchNormComputesTheSameLogits(String name) {
        try (NDManager m = Torch.newManager()) {
            // the parity fixtures' BNs have running statistics and affine parameters far from the identity
            Map<String, NDArray> fx = Fixtures.tensors("parity_" + name + ".safetensors", m);
            EncoderDecoder model = load(name, m, fx);
            NDArray x = fx.get("input");
            NDArray plain = model.predictLogits(x);
            assertThat(InferenceWeights.foldBatchNorms(model)).isEqualTo(batchNorms(model));
            NDArray folded = model.predictLogits(x);
            assertThat(folded.getDataType()).isEqualTo(DataType.FLOAT32);
            assertClose("folded logits", folded, plain, 1e-4);
            assertClose("folded decode logits", model.logits(x), fx.get("eval.logits"), 1e-4);

            // the fold is a snapshot: changing a BN's statistics does not reach it, so BN is not run again
            model.backbone().stateDict().get("layer1.0.bn1.running_var").get().muli(4);
            assertThat(model.predictLogits(x).toFloatArray()).containsExactly(folded.toFloatArray());
            // train mode drops it: eval mode then computes the plain model again, bit for bit
            model.train(true);
            model.eval();
            model.backbone().stateDict().get("layer1.0.bn1.running_var").get().divi(4);
            assertThat(model.predictLogits(x).toFloatArray()).containsExactly(plain.toFloatArray());
        }
    }
}
