package org.fcn4j.train;

import org.fcn4j.optim.LrSchedule;
import org.fcn4j.optim.Sgd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fcn4j.Fixtures;
import org.fcn4j.experiment.Config;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.nn.Tensor;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;

/**
 * Three SGD iterations (momentum, weight decay, PolyLR) against PyTorch from the same start weights on
 * a fixed batch (tools/fixtures/gen_train_parity.py): per-iteration rates, losses and accuracies, and
 * every parameter and BN buffer after the third update.
 */
class TrainParityTest {
    private static final double RTOL = 1e-5;

    @Test
    void threeSgdIterationsMatchPyTorch() {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> fx = Fixtures.tensors("train_parity.safetensors", m);
            Config cfg = Config.load(Fixtures.path("parity_r18.yaml").toString());
            EncoderDecoder model = new EncoderDecoder(m, cfg.model());
            Map<String, NDArray> start = new HashMap<>();
            fx.forEach((k, v) -> {
                if (k.startsWith("state.")) {
                    start.put(k.substring(6), v);
                }
            });
            assertThat(model.loadStateDict(start).clean()).isTrue();
            model.train(true);
            TrainStep step = new TrainStep(model, new Sgd(model.stateDict(), Set.of(), 0.9, 5e-4, 0));
            LrSchedule schedule = new LrSchedule(0.01, List.of(new LrSchedule.Poly(0, 10, 1e-4, 0.9)));
            for (int i = 0; i < 3; i++) {
                assertThat(schedule.lr()).as("lr of iteration %d", i)
                        .isCloseTo(fx.get("iter" + i + ".lr").getFloat(), within(1e-9));
                Map<String, Double> v = step.run(fx.get("input").duplicate(), fx.get("label").duplicate(), schedule.lr());
                String it = "iteration " + i + " ";
                assertClose(it + "loss_decode", m.create(v.get("decode.loss_ce").floatValue()), fx.get("iter" + i + ".loss_decode"), RTOL);
                assertClose(it + "loss_aux", m.create(v.get("aux.loss_ce").floatValue()), fx.get("iter" + i + ".loss_aux"), RTOL);
                assertClose(it + "acc_decode", m.create(v.get("decode.acc_seg").floatValue()), fx.get("iter" + i + ".acc_decode"), RTOL);
                assertClose(it + "acc_aux", m.create(v.get("aux.acc_seg").floatValue()), fx.get("iter" + i + ".acc_aux"), RTOL);
                schedule.step();
            }
            Map<String, Tensor> state = model.stateDict();
            int compared = 0;
            for (Map.Entry<String, NDArray> e : fx.entrySet()) {
                if (e.getKey().startsWith("final.")) {
                    String key = e.getKey().substring(6);
                    assertClose(key + " after 3 steps", state.get(key).get(), e.getValue(), RTOL);
                    compared++;
                }
            }
            assertThat(compared).isEqualTo(state.size());
        }
    }
}
