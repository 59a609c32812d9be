package org.fcn4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.experiment.Config;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;

class BenchmarkTest {
    /**
     * The timed training step updates with the config's SGD: at the paper's lr 1e-10 the weights barely move,
     * at the demo config's 0.03 they do. (A fixed rate of 0.01 sent the paper's FCNs, with their summed loss,
     * to a NaN loss.) The width-reduced VGG FCN-8s has no BatchNorm, so every tensor of its state is a weight.
     */
    @Test
    void theTrainStepUsesTheConfigsLearningRate() {
        assertThat(largestWeightChangeInBench(List.of("optim_wrapper.optimizer.lr=1e-10")))
                .isLessThan(1e-6);
        assertThat(largestWeightChangeInBench(List.of())).isGreaterThan(1e-4);
    }

    /** The largest absolute change of any weight over bench's warm-up and timed training steps. */
    private static double largestWeightChangeInBench(List<String> cfgOptions) {
        Config cfg = Config.load("fcn8s_vgg_demo_synthetic", cfgOptions);
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(m, cfg.model());
            Map<String, NDArray> before = new HashMap<>();
            model.stateDict().forEach((k, t) -> before.put(k, t.get().duplicate()));
            Benchmark.run(model, new Benchmark.Settings(1, 32, 32, 1, 1, false), cfg.train(), false);
            return model.stateDict().entrySet().stream()
                    .mapToDouble(e -> e.getValue()
                            .get()
                            .sub(before.get(e.getKey()))
                            .abs()
                            .max()
                            .getFloat())
                    .max()
                    .orElseThrow();
        }
    }
}
