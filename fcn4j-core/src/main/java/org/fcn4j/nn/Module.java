package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of the model tree, like {@code torch.nn.Module}: named tensors and named children, whose
 * dotted paths are the state_dict keys, and a train/eval mode.
 */
public abstract class Module {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    protected final Tensor parameter(String name, NDArray value) {
        return register(name, new Tensor(value, true));
    }

    protected final Tensor buffer(String name, NDArray value) {
        return register(name, new Tensor(value, false));
    }

    private Tensor register(String name, Tensor t) {
        if (tensors.put(name, t) != null || children.containsKey(name)) {
            throw new IllegalStateException("duplicate name " + name);
        }
        return t;
    }

    protected final <M extends Module> M child(String name, M module) {
        if (children.put(name, module) != null || tensors.containsKey(name)) {
            throw new IllegalStateException("duplicate name " + name);
        }
        return module;
    }

    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter and buffer under this module, keyed by its state_dict name, in registration order. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        tensors.forEach((n, t) -> out.put(prefix + n, t));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    /**
     * Copies matching tensors from {@code source} into this module (converted to each slot's element
     * type) and reports what did not match; nothing is loaded for a key whose shape differs.
     */
    public LoadReport loadStateDict(Map<String, NDArray> source) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> mismatch = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            NDArray src = source.get(e.getKey());
            NDArray dst = e.getValue().get();
            if (src == null) {
                missing.add(e.getKey());
            } else if (!src.getShape().equals(dst.getShape())) {
                mismatch.add(e.getKey() + " (checkpoint " + src.getShape() + ", model " + dst.getShape() + ")");
            } else {
                // toType returns the same tensor when the type already matches, so duplicate explicitly
                NDArray copy =
                        src.getDataType() == dst.getDataType() ? src.duplicate() : src.toType(dst.getDataType(), false);
                copy.attach(dst.getManager());
                e.getValue().set(copy);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String k : source.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        return new LoadReport(missing, unexpected, mismatch);
    }

    /** Number of trainable scalars, as {@code sum(p.numel() for p in model.parameters())}. */
    public long parameterCount() {
        return stateDict().values().stream()
                .filter(Tensor::trainable)
                .mapToLong(t -> t.get().getShape().size())
                .sum();
    }

    /** Sets training mode here and below ({@code module.train(mode)}). */
    public void train(boolean mode) {
        training = mode;
        children.values().forEach(c -> c.train(mode));
    }

    public final void eval() {
        train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /**
     * Kaiming-normal weight for a conv with ReLU after it, as mmengine's {@code Kaiming} init with its
     * defaults (mode fan_out, normal): std = sqrt(2 / (out_channels * kh * kw)).
     */
    protected static NDArray kaimingNormal(NDManager m, Shape shape) {
        long fanOut = shape.get(0) * shape.get(2) * shape.get(3);
        return m.randomNormal(0f, (float) Math.sqrt(2.0 / fanOut), shape, DataType.FLOAT32);
    }
}
