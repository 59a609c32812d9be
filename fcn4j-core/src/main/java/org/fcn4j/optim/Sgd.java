package org.fcn4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.Tensor;
import org.fcn4j.nn.Torch;

/**
 * {@code torch.optim.SGD} (dampening 0, no Nesterov) over every trainable tensor, with PyTorch's update
 * rule: g += wd * w; buf = m * buf + g (buf = g on the first step); w -= lr * buf, all parameters updated in
 * place in one native call ({@link Functional#sgdStep}). Optionally clips the
 * global gradient norm first, as {@code clip_grad_norm_} does for mmengine's {@code clip_grad}.
 *
 * <p>With {@code paramwise_cfg} ({@link ParamwiseConfig}) each parameter is its own param group, as mmengine
 * builds them: its lr is its group's scheduled rate (the rate of a group that started at lr_mult x lr) and
 * its weight decay decay_mult x weight_decay.
 */
public final class Sgd {
    private final List<Tensor> params;
    private final boolean[] frozen;
    /** Per parameter: lr_mult and decay_mult (all 1 without paramwise_cfg). */
    private final ParamwiseConfig.Multipliers[] multipliers;
    /** Whether the optimizer has one param group per parameter (paramwise_cfg) instead of one in all. */
    private final boolean paramwise;

    private final double momentum;
    private final double weightDecay;
    private final double maxNorm;
    private final NDArray[] buffers;

    /** One param group: every parameter at the optimizer's lr and weight decay. */
    public Sgd(Map<String, Tensor> stateDict, Set<String> frozen, double momentum, double weightDecay, double maxNorm) {
        this(stateDict, frozen, null, momentum, weightDecay, maxNorm);
    }

    /**
     * @param frozen names of parameters left as they are (PyTorch's requires_grad=False: no update, no
     *     weight decay), still counted in the state's parameter indices as {@code model.parameters()} counts them
     * @param multipliers each trainable parameter's lr and decay multipliers ({@link ParamwiseConfig#of}),
     *     or null for one param group
     * @param maxNorm clip the L2 norm of all gradients together to this (0: no clipping)
     */
    public Sgd(
            Map<String, Tensor> stateDict,
            Set<String> frozen,
            Map<String, ParamwiseConfig.Multipliers> multipliers,
            double momentum,
            double weightDecay,
            double maxNorm) {
        params = new ArrayList<>();
        List<Boolean> isFrozen = new ArrayList<>();
        List<ParamwiseConfig.Multipliers> mults = new ArrayList<>();
        stateDict.forEach((name, t) -> {
            if (t.trainable()) {
                params.add(t);
                isFrozen.add(frozen.contains(name));
                mults.add(
                        multipliers == null
                                ? ParamwiseConfig.Multipliers.ONE
                                : multipliers.getOrDefault(name, ParamwiseConfig.Multipliers.ONE));
            }
        });
        this.frozen = new boolean[params.size()];
        for (int i = 0; i < this.frozen.length; i++) {
            this.frozen[i] = isFrozen.get(i);
        }
        this.multipliers = mults.toArray(new ParamwiseConfig.Multipliers[0]);
        this.paramwise = multipliers != null;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.maxNorm = maxNorm;
        buffers = new NDArray[params.size()];
    }

    /** The distinct lr multipliers of the parameters, the groups a schedule must rate ({@link LrSchedule#withGroups}). */
    public double[] lrMultipliers() {
        return Arrays.stream(multipliers)
                .mapToDouble(ParamwiseConfig.Multipliers::lr)
                .distinct()
                .toArray();
    }

    /** Applies one update at a constant learning rate {@code lr} (a parameter's: lr_mult x lr) and zeroes the gradients. */
    public void step(double lr) {
        step(mult -> lr * mult);
    }

    /**
     * Applies one update and zeroes the gradients.
     *
     * @param rates the learning rate of a parameter from its lr_mult ({@link LrSchedule#lr(double)})
     */
    public void step(DoubleUnaryOperator rates) {
        NDManager owner = params.get(0).get().getManager();
        try (NDManager scope = owner.newSubManager()) {
            NDArray[] grads = new NDArray[params.size()];
            for (int i = 0; i < grads.length; i++) {
                grads[i] = params.get(i).get().getGradient();
                grads[i].attach(scope); // a new handle each call: freed with the scope
            }
            float clip = clipCoefficient(grads);
            List<NDArray> updated = new ArrayList<>();
            List<NDArray> gradients = new ArrayList<>();
            List<NDArray> momenta = new ArrayList<>();
            List<Double> lrs = new ArrayList<>();
            List<Double> decays = new ArrayList<>();
            for (int i = 0; i < grads.length; i++) {
                NDArray w = params.get(i).get();
                if (frozen[i]) {
                    Torch.zeroGrad(w);
                    continue;
                }
                if (clip < 1) {
                    grads[i].muli(clip); // in place, as clip_grad_norm_
                }
                if (momentum != 0) {
                    if (buffers[i] == null) {
                        buffers[i] = w.zerosLike(); // momentum * 0 + g: PyTorch's first buf = clone(g), exactly
                    }
                    momenta.add(buffers[i]);
                }
                updated.add(w);
                gradients.add(grads[i]);
                lrs.add(rates.applyAsDouble(multipliers[i].lr()));
                decays.add(weightDecay * multipliers[i].decay());
            }
            Torch.withoutGrad(() -> {
                Functional.sgdStep(updated, gradients, momenta, doubles(lrs), doubles(decays), momentum);
                return null;
            });
        }
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
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

    /** {@link #stateDict(DoubleUnaryOperator, double)} at a constant rate {@code lr}. */
    public Map<String, Object> stateDict(double lr, double initialLr) {
        return stateDict(mult -> lr * mult, initialLr);
    }

    /**
     * The optimizer section of a checkpoint, as {@code torch.optim.SGD.state_dict()} lays it out:
     * per-parameter momentum buffers by index, and one param group, or one per parameter with paramwise_cfg.
     *
     * @param rates the current learning rate of a parameter from its lr_mult
     * @param initialLr the optimizer's lr before any schedule
     */
    public Map<String, Object> stateDict(DoubleUnaryOperator rates, double initialLr) {
        Map<Object, Object> state = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            if (buffers[i] != null) {
                state.put((long) i, Map.of("momentum_buffer", buffers[i]));
            }
        }
        List<Object> groups = new ArrayList<>();
        if (paramwise) {
            for (int i = 0; i < params.size(); i++) {
                ParamwiseConfig.Multipliers mult = multipliers[i];
                groups.add(group(
                        List.of((long) i),
                        rates.applyAsDouble(mult.lr()),
                        weightDecay * mult.decay(),
                        initialLr * mult.lr()));
            }
        } else {
            List<Object> indices = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                indices.add((long) i);
            }
            groups.add(group(indices, rates.applyAsDouble(1), weightDecay, initialLr));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", state);
        out.put("param_groups", groups);
        return out;
    }

    private Map<String, Object> group(List<Object> indices, double lr, double decay, double initialLr) {
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("lr", lr);
        group.put("momentum", momentum);
        group.put("dampening", 0.0);
        group.put("weight_decay", decay);
        group.put("nesterov", false);
        group.put("maximize", false);
        group.put("foreach", null);
        group.put("differentiable", false);
        group.put("initial_lr", initialLr);
        group.put("params", indices);
        return group;
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
