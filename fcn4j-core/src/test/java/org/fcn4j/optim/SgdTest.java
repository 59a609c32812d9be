package org.fcn4j.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.Tensor;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;

/** The SGD update rule and gradient clipping on two known gradients, worked out by hand. */
class SgdTest {
    /** Gives weight the gradient gw and bias the gradient gb (loss = sum(gw * weight) + sum(gb * bias)). */
    private static void backward(BatchNorm2d bn, float[] gw, float[] gb) {
        try (GradientCollector gc = Torch.gradientCollector()) {
            NDManager m = bn.weight().get().getManager();
            NDArray loss = bn.weight()
                    .get()
                    .mul(m.create(gw))
                    .sum()
                    .add(bn.bias().get().mul(m.create(gb)).sum());
            gc.backward(loss);
        }
    }

    @Test
    void momentumWeightDecayAndClippingFollowPyTorch() {
        try (NDManager m = Torch.newManager()) {
            BatchNorm2d bn = new BatchNorm2d(m, 2);
            Map<String, Tensor> params = bn.stateDict();
            // weight starts at 1, bias at 0; gradients (3, 4) and (0, 0): global norm 5
            Sgd sgd = new Sgd(params, Set.of(), 0.9, 0.1, 2.5);
            backward(bn, new float[] {3, 4}, new float[] {0, 0});
            sgd.step(0.5);
            // clip factor 2.5 / (5 + 1e-6); g = clip * grad + 0.1 * w; buf = g; w -= 0.5 * buf
            double c = 2.5 / (5 + 1e-6);
            double[] buf = {c * 3 + 0.1, c * 4 + 0.1};
            float[] w = bn.weight().get().toFloatArray();
            assertThat((double) w[0]).isCloseTo(1 - 0.5 * buf[0], within(1e-6));
            assertThat((double) w[1]).isCloseTo(1 - 0.5 * buf[1], within(1e-6));
            // second step without clipping (norm 0.5 < 2.5): buf = 0.9 * buf + (grad + 0.1 * w)
            backward(bn, new float[] {0.3f, 0.4f}, new float[] {0, 0});
            sgd.step(0.5);
            double b0 = 0.9 * buf[0] + 0.3 + 0.1 * w[0];
            assertThat((double) bn.weight().get().toFloatArray()[0]).isCloseTo(w[0] - 0.5 * b0, within(1e-6));
            assertThat(bn.bias().get().toFloatArray()).containsExactly(0f, 0f);
            assertThat(bn.weight().get().getGradient().toFloatArray())
                    .as("gradients zeroed")
                    .containsExactly(0f, 0f);
        }
    }

    @Test
    void paramwiseMultipliersScaleEachParametersRateAndDecay() {
        try (NDManager m = Torch.newManager()) {
            BatchNorm2d bn = new BatchNorm2d(m, 2);
            // the FCN paper's bias rule as a custom key (a norm's bias gets no bias_lr_mult), and a norm decay
            ParamwiseConfig cfg =
                    new ParamwiseConfig(1, 1, 0.5, 1, Map.of("bias", new ParamwiseConfig.Multipliers(2, 0)));
            Sgd sgd = new Sgd(bn.stateDict(), Set.of(), cfg.of(bn), 0.9, 0.1, 0);
            assertThat(sgd.lrMultipliers()).containsExactly(1, 2);
            // weight 1 with gradient (3, 4): g = grad + 0.1 * 0.5 * w = (3.05, 4.05), w = 1 - 0.5 * g
            // bias 0 with gradient (1, 2): no decay, rate 2 * 0.5: b = -(1, 2)
            backward(bn, new float[] {3, 4}, new float[] {1, 2});
            sgd.step(0.5);
            assertThat(bn.weight().get().toFloatArray()).containsExactly(new float[] {-0.525f, -1.025f}, within(1e-6f));
            assertThat(bn.bias().get().toFloatArray()).containsExactly(new float[] {-1, -2}, within(1e-6f));
            // second step at rates from a schedule's groups: 0.25 for lr_mult 1, 0 for lr_mult 2 (frozen)
            backward(bn, new float[] {0.3f, 0.4f}, new float[] {0.1f, 0.2f});
            sgd.step(mult -> mult == 1 ? 0.25 : 0);
            double buf0 = 0.9 * 3.05 + (0.3 + 0.05 * -0.525);
            assertThat((double) bn.weight().get().toFloatArray()[0]).isCloseTo(-0.525 - 0.25 * buf0, within(1e-6));
            assertThat(bn.bias().get().toFloatArray()).as("lr 0 leaves it").containsExactly(-1f, -2f);
            // one param group per parameter, as mmengine builds them with paramwise_cfg
            List<?> groups = (List<?>) sgd.stateDict(mult -> 0.25 * mult, 0.5).get("param_groups");
            assertThat(groups).hasSize(2);
            Map<?, ?> bias = (Map<?, ?>) groups.get(1);
            assertThat(bias.get("lr")).isEqualTo(0.5);
            assertThat(bias.get("initial_lr")).isEqualTo(1.0);
            assertThat(bias.get("weight_decay")).isEqualTo(0.0);
            assertThat(((Map<?, ?>) groups.get(0)).get("weight_decay")).isEqualTo(0.05);
            assertThat(bias.get("params")).isEqualTo(List.of(1L));
        }
    }
}
