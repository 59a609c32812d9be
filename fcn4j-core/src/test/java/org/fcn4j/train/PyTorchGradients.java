package org.fcn4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.ModelSpec;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Tensor;

/**
 * The training-parity tests' step between backward and the update: each gradient checked against PyTorch's
 * and then replaced by it, so that float32 gradient noise cannot reach the weights and move the next
 * iteration across a ReLU kink (TrainParityTest's class comment has the measurements).
 */
final class PyTorchGradients {
    private PyTorchGradients() {}

    /** A model of {@code spec} in train mode with a fixture's start weights and buffers ({@code state.<key>}). */
    static EncoderDecoder startModel(NDManager m, ModelSpec spec, Map<String, NDArray> fx) {
        EncoderDecoder model = new EncoderDecoder(m, spec);
        Map<String, NDArray> start = new HashMap<>();
        fx.forEach((k, v) -> {
            if (k.startsWith("state.")) {
                start.put(k.substring(6), v);
            }
        });
        assertThat(model.loadStateDict(start).clean())
                .as("the fixture's start state fits")
                .isTrue();
        model.train(true);
        return model;
    }

    /** The trainable tensors' keys in Sgd's order (its parameter indices). */
    static List<String> trainable(Module model) {
        List<String> keys = new ArrayList<>();
        model.stateDict().forEach((k, t) -> {
            if (t.trainable()) {
                keys.add(k);
            }
        });
        return keys;
    }

    /** Iteration {@code i}'s logged value {@code logKey} against the fixture's {@code iter<i>.<fixtureKey>}. */
    static void assertLogged(
            Map<String, Double> logged, String logKey, Map<String, NDArray> fx, int i, String fixtureKey, double rtol) {
        NDArray expected = fx.get("iter" + i + "." + fixtureKey);
        assertClose(
                "iteration " + i + " " + fixtureKey,
                expected.getManager().create(logged.get(logKey).floatValue()),
                expected,
                rtol);
    }

    /** A comparison of a gradient with PyTorch's that fails the test when they differ too much. */
    interface Check {
        void check(String what, NDArray actual, NDArray expected);
    }

    /** Checks each of {@code keys}' gradients against {@code grad<iteration>.<key>} at {@code rtol}, then sets it to that. */
    static void checkAndReplace(Module model, List<String> keys, Map<String, NDArray> fx, int iteration, double rtol) {
        checkAndReplace(model, keys, fx, iteration, (what, a, e) -> assertClose(what, a, e, rtol));
    }

    /** As {@link #checkAndReplace(Module, List, Map, int, double)} with another comparison. */
    static void checkAndReplace(Module model, List<String> keys, Map<String, NDArray> fx, int iteration, Check check) {
        Map<String, Tensor> state = model.stateDict();
        for (String key : keys) {
            NDArray expected = fx.get("grad" + iteration + "." + key);
            try (NDArray grad = state.get(key).get().getGradient()) { // a new handle on the parameter's gradient
                check.check("iteration " + iteration + " gradient of " + key, grad, expected);
                grad.muli(0).addi(expected);
            }
        }
    }
}
