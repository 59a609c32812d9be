package org.fcn4j.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
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
}
