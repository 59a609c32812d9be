package org.fcn4j.train;

import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Tensor;

/**
 * The training-parity tests' step between backward and the update: each gradient checked against PyTorch's
 * and then replaced by it, so that float32 gradient noise cannot reach the weights and move the next
 * iteration across a ReLU kink (TrainParityTest's class comment has the measurements).
 */
final class PyTorchGradients {
    private PyTorchGradients() {}

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
