package org.fcn4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fcn4j.nn.Tensor;
import org.fcn4j.nn.Torch;

/**
 * {@code torch.optim.SGD} (dampening 0, no Nesterov) over every trainable tensor, with PyTorch's update
 * rule: g += wd * w; buf = m * buf + g (buf = g on the first step); w -= lr * buf. Optionally clips the
 * global gradient norm first, as {@code clip_grad_norm_} does for mmengine's {@code clip_grad}.
 */
public final class Sgd {
    private final List<Tensor> params;
    private final boolean[] frozen;
    private final double momentum;
    private final double weightDecay;
    private final double maxNorm;
    private final NDArray[] buffers;

    /**
     * @param frozen names of parameters left as they are (PyTorch's requires_grad=False: no update, no
     *     weight decay), still counted in the state's parameter indices as {@code model.parameters()} counts them
     * @param maxNorm clip the L2 norm of all gradients together to this (0: no clipping)
     */
    public Sgd(Map<String, Tensor> stateDict, Set<String> frozen, double momentum, double weightDecay, double maxNorm) {
        params = new ArrayList<>();
        List<Boolean> isFrozen = new ArrayList<>();
        stateDict.forEach((name, t) -> {
            if (t.trainable()) {
                params.add(t);
                isFrozen.add(frozen.contains(name));
            }
        });
        this.frozen = new boolean[params.size()];
        for (int i = 0; i < this.frozen.length; i++) {
            this.frozen[i] = isFrozen.get(i);
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.maxNorm = maxNorm;
        buffers = new NDArray[params.size()];
    }

    /** Applies one update with learning rate {@code lr} and zeroes the gradients. */
    public void step(double lr) {
        NDManager owner = params.get(0).get().getManager();
        try (NDManager scope = owner.newSubManager()) {
            NDArray[] grads = new NDArray[params.size()];
            for (int i = 0; i < grads.length; i++) {
                grads[i] = params.get(i).get().getGradient();
                grads[i].attach(scope); // a new handle each call: freed with the scope
            }
            float clip = clipCoefficient(grads);
            for (int i = 0; i < grads.length; i++) {
                NDArray w = params.get(i).get();
                if (frozen[i]) {
                    Torch.zeroGrad(w);
                    continue;
                }
                NDArray g = clip < 1 ? grads[i].mul(clip) : grads[i];
                if (weightDecay != 0) {
                    g = g.add(temporary(w.mul((float) weightDecay), scope));
                }
                if (momentum != 0) {
                    if (buffers[i] == null) {
                        buffers[i] = g.duplicate();
                        buffers[i].attach(owner);
                    } else {
                        buffers[i].muli((float) momentum).addi(g);
                    }
                    g = buffers[i];
                }
                w.subi(temporary(g.mul((float) lr), scope));
                Torch.zeroGrad(w);
            }
        }
    }

    /**
     * Moves a result into the step's scope: an op's result lives in its first operand's manager, which
     * for weights and momentum buffers is the model's, where it would stay until training ends.
     */
    private static NDArray temporary(NDArray result, NDManager scope) {
        result.attach(scope);
        return result;
    }

    /** clip_grad_norm_'s factor max_norm / (total_norm + 1e-6), clamped to 1; 1 when not clipping. */
    private float clipCoefficient(NDArray[] grads) {
        if (maxNorm <= 0) {
            return 1;
        }
        double sumSquares = 0;
        for (int i = 0; i < grads.length; i++) {
            if (!frozen[i]) {
                sumSquares += grads[i].square().sum().getFloat();
            }
        }
        double total = Math.sqrt(sumSquares);
        return (float) Math.min(1.0, maxNorm / (total + 1e-6));
    }

    /**
     * The optimizer section of a checkpoint, as {@code torch.optim.SGD.state_dict()} lays it out:
     * per-parameter momentum buffers by index and one param group.
     */
    public Map<String, Object> stateDict(double lr, double initialLr) {
        Map<Object, Object> state = new LinkedHashMap<>();
        List<Object> indices = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            indices.add((long) i);
            if (buffers[i] != null) {
                state.put((long) i, Map.of("momentum_buffer", buffers[i]));
            }
        }
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("lr", lr);
        group.put("momentum", momentum);
        group.put("dampening", 0.0);
        group.put("weight_decay", weightDecay);
        group.put("nesterov", false);
        group.put("maximize", false);
        group.put("foreach", null);
        group.put("differentiable", false);
        group.put("initial_lr", initialLr);
        group.put("params", indices);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", state);
        out.put("param_groups", List.of(group));
        return out;
    }

    /** Restores momentum buffers from a {@link #stateDict}-shaped section; fails on a mismatch. */
    public void loadStateDict(Object section) {
        if (!(section instanceof Map) || !(((Map<?, ?>) section).get("state") instanceof Map)) {
            throw new IllegalArgumentException("the checkpoint has no SGD optimizer state");
        }
        Map<?, ?> state = (Map<?, ?>) ((Map<?, ?>) section).get("state");
        for (Map.Entry<?, ?> e : state.entrySet()) {
            int i = ((Number) e.getKey()).intValue();
            Object buf = e.getValue() instanceof Map ? ((Map<?, ?>) e.getValue()).get("momentum_buffer") : null;
            if (i < 0
                    || i >= params.size()
                    || !(buf instanceof NDArray)
                    || !((NDArray) buf).getShape().equals(params.get(i).get().getShape())) {
                throw new IllegalArgumentException(
                        "optimizer state for parameter " + e.getKey() + " does not fit this model");
            }
            NDArray copy = ((NDArray) buf).duplicate();
            copy.attach(params.get(i).get().getManager());
            if (buffers[i] != null) {
                buffers[i].close();
            }
            buffers[i] = copy;
        }
    }
}
