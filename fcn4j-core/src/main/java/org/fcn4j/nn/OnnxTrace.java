package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records an eval-mode forward pass as ONNX nodes, as {@code torch.onnx.export} traces one: while a trace
 * is open on this thread, every operator of {@link Functional} and the layers appends the node that computes
 * the same thing, naming tensors by the Java objects that carry them. The forward pass stays the one
 * definition of the model; an operator that has no hook here (or a tensor that came from nowhere) fails
 * the export with its name rather than giving a graph that computes something else.
 *
 * <p>Sizes that follow the input (the resize to the input's size, the skip heads' crops) are recorded as
 * {@code Shape} arithmetic on the graph input, so one graph serves every input size.
 */
public final class OnnxTrace implements AutoCloseable {
    private static final ThreadLocal<OnnxTrace> CURRENT = new ThreadLocal<>();

    private final NDArray input;
    private final String inputName;
    /** Activations: the name of the graph value each traced tensor holds. */
    private final Map<NDArray, String> values = new IdentityHashMap<>();
    /** Weights: their state_dict names, for readable initialisers. */
    private final Map<NDArray, String> weightNames = new IdentityHashMap<>();
    /** Weights already written as initialisers, by their graph name. */
    private final Map<NDArray, String> initialised = new IdentityHashMap<>();

    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private int counter;
    private String inputSpatialSize;

    private OnnxTrace(Module root, NDArray input, String inputName) {
        this.input = input;
        this.inputName = inputName;
        root.stateDict().forEach((name, t) -> weightNames.put(t.get(), name));
        values.put(input, inputName);
    }

    /** Opens a trace of {@code root}'s forward pass on {@code input}, the graph input {@code inputName}. */
    public static OnnxTrace start(Module root, NDArray input, String inputName) {
        if (CURRENT.get() != null) {
            throw new IllegalStateException("an ONNX trace is already open on this thread");
        }
        OnnxTrace t = new OnnxTrace(root, input, inputName);
        CURRENT.set(t);
        return t;
    }

    /** The graph value {@code x} holds; fails for a tensor no traced operator produced. */
    public String valueOf(NDArray x) {
        String name = values.get(x);
        if (name == null) {
            throw new UnsupportedOperationException("ONNX export: a tensor of shape " + x.getShape()
                    + " was made by an operation fcn4j cannot express " + "in ONNX yet");
        }
        return name;
    }

    public List<NodeProto> nodes() {
        return nodes;
    }

    public List<TensorProto> initializers() {
        return initializers;
    }

    /** Appends {@code ArgMax(x, axis)} keeping the axis: int64 labels. */
    public String argMax(String x, int axis, String outName) {
        nodes.add(node("ArgMax", List.of(x), outName, intAttr("axis", axis), intAttr("keepdims", 1)));
        return outName;
    }

    /** Renames the value {@code x} holds to {@code name} (the graph output) with an Identity node. */
    public String output(NDArray x, String name) {
        nodes.add(node("Identity", List.of(valueOf(x)), name));
        return name;
    }

    @Override
    public void close() {
        CURRENT.remove();
    }

    // ---- the hooks, called by the operators ----

    static void conv(NDArray x, NDArray w, NDArray b, int stride, int padding, int dilation, int groups, NDArray out) {
        OnnxTrace t = CURRENT.get();
        if (t != null) {
            t.add(
                    "Conv",
                    t.inputs(x, w, b),
                    out,
                    intsAttr("strides", stride, stride),
                    intsAttr("pads", padding, padding, padding, padding),
                    intsAttr("dilations", dilation, dilation),
                    intAttr("group", groups),
                    intsAttr("kernel_shape", w.getShape().get(2), w.getShape().get(3)));
        }
    }

    static void convTranspose(
            NDArray x,
            NDArray w,
            NDArray b,
            int stride,
            int padding,
            int outputPadding,
            int groups,
            int dilation,
            NDArray out) {
        OnnxTrace t = CURRENT.get();
        if (t != null) {
            t.add(
                    "ConvTranspose",
                    t.inputs(x, w, b),
                    out,
                    intsAttr("strides", stride, stride),
                    intsAttr("pads", padding, padding, padding, padding),
                    intsAttr("output_padding", outputPadding, outputPadding),
                    intsAttr("dilations", dilation, dilation),
                    intAttr("group", groups),
                    intsAttr("kernel_shape", w.getShape().get(2), w.getShape().get(3)));
        }
    }

    static void batchNorm(
            NDArray x, NDArray mean, NDArray var, NDArray w, NDArray b, boolean training, double eps, NDArray out) {
        OnnxTrace t = CURRENT.get();
        if (t != null) {
            if (training) {
                throw new UnsupportedOperationException(
                        "ONNX export: BatchNorm in training mode (export an eval model)");
            }
            t.add(
                    "BatchNormalization",
                    List.of(t.valueOf(x), t.weight(w), t.weight(b), t.weight(mean), t.weight(var)),
                    out,
                    floatAttr("epsilon", (float) eps));
        }
    }

    static void unary(String op, NDArray x, NDArray out) {
        OnnxTrace t = CURRENT.get();
        if (t != null) {
            t.add(op, List.of(t.valueOf(x)), out);
        }
    }

    static void maxPool(NDArray x, int kernel, int stride, int padding, boolean ceilMode, NDArray out) {
        OnnxTrace t = CURRENT.get();
        if (t != null) {
            t.add(
                    "MaxPool",
                    List.of(t.valueOf(x)),
                    out,
                    intsAttr("kernel_shape", kernel, kernel),
                    intsAttr("strides", stride, stride),
                    intsAttr("pads", padding, padding, padding, padding),
                    intAttr("ceil_mode", ceilMode ? 1 : 0));
        }
    }

    static void concat(int axis, NDArray[] xs, NDArray out) {
        OnnxTrace t = CURRENT.get();
        if (t != null) {
            List<String> in = new ArrayList<>();
            for (NDArray x : xs) {
                in.add(t.valueOf(x));
            }
            t.add("Concat", in, out, intAttr("axis", axis));
        }
    }

    /** {@code out = a + b} of two traced tensors; {@code out} may be {@code a} itself (an in-place add). */
    public static void add(NDArray a, NDArray b, NDArray out) {
        OnnxTrace t = CURRENT.get();
        if (t != null) {
            t.add("Add", List.of(t.valueOf(a), t.valueOf(b)), out);
        }
    }

    /** {@code out = x * value}. */
    public static void mulScalar(NDArray x, double value, NDArray out) {
        OnnxTrace t = CURRENT.get();
        if (t != null) {
            t.add("Mul", List.of(t.valueOf(x), t.constant(new float[] {(float) value}, new long[0])), out);
        }
    }

    /**
     * {@code out = x[:, :, offset:offset + H, offset:offset + W]} where (H, W) is the spatial size of
     * {@code like}, or of the graph input when {@code like} is null.
     */
    public static void crop(NDArray x, int offset, NDArray like, NDArray out) {
        OnnxTrace t = CURRENT.get();
        if (t != null) {
            String size = like == null ? t.inputSpatialSize() : t.spatialSize(t.valueOf(like));
            String offsets = t.constant(new long[] {offset, offset});
            String ends = t.emit("Add", List.of(size, offsets));
            t.add("Slice", List.of(t.valueOf(x), offsets, ends, t.constant(new long[] {2, 3})), out);
        }
    }

    /**
     * A bilinear resize ({@code F.interpolate}) to (outH, outW), which in an eval pass is only ever the input's
     * size: recorded as a Resize to the input's spatial size, so the graph follows the input.
     */
    static void resizeBilinear(NDArray x, int outH, int outW, boolean alignCorners, NDArray out) {
        OnnxTrace t = CURRENT.get();
        if (t != null) {
            if (outH != t.input.getShape().get(2) || outW != t.input.getShape().get(3)) {
                throw new UnsupportedOperationException("ONNX export: a bilinear resize to " + outH + "x" + outW
                        + ", not the input's size, which the graph cannot follow");
            }
            String leading = t.emit(
                    "Slice",
                    List.of(t.emit("Shape", List.of(t.valueOf(x))), t.constant(new long[] {0}), t.constant(new long[] {2
                    })));
            String sizes = t.emit("Concat", List.of(leading, t.inputSpatialSize()), intAttr("axis", 0));
            t.add(
                    "Resize",
                    List.of(t.valueOf(x), "", "", sizes),
                    out,
                    stringAttr("mode", "linear"),
                    // PyTorch's align_corners=False maps output i to (i + 0.5) / scale - 0.5, clamped at 0:
                    // ONNX's half_pixel (its linear mode clamps too)
                    stringAttr("coordinate_transformation_mode", alignCorners ? "align_corners" : "half_pixel"));
        }
    }

    // ---- graph building ----

    private String inputSpatialSize() {
        if (inputSpatialSize == null) {
            inputSpatialSize = spatialSize(inputName);
        }
        return inputSpatialSize;
    }

    /** Shape(x)[2:4], int64. */
    private String spatialSize(String x) {
        return emit("Slice", List.of(emit("Shape", List.of(x)), constant(new long[] {2}), constant(new long[] {4})));
    }

    private List<String> inputs(NDArray x, NDArray w, NDArray b) {
        List<String> in = new ArrayList<>(List.of(valueOf(x), weight(w)));
        if (b != null) {
            in.add(weight(b));
        }
        return in;
    }

    /** Appends a node whose output the tensor {@code out} now holds (rebinding it after an in-place op). */
    private void add(String op, List<String> in, NDArray out, AttributeProto... attrs) {
        String name = op.toLowerCase(java.util.Locale.ROOT) + "_" + counter++;
        nodes.add(node(op, in, name, attrs));
        values.put(out, name);
    }

    /** Appends a node of an intermediate value (shape arithmetic) and returns its name. */
    private String emit(String op, List<String> in, AttributeProto... attrs) {
        String name = op.toLowerCase(java.util.Locale.ROOT) + "_" + counter++;
        nodes.add(node(op, in, name, attrs));
        return name;
    }

    private NodeProto node(String op, List<String> in, String out, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder()
                .setOpType(op)
                .setName(out)
                .addAllInput(in)
                .addOutput(out);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return n.build();
    }

    /** A weight's initialiser name (its state_dict key where it has one), written once. */
    private String weight(NDArray w) {
        String done = initialised.get(w);
        if (done != null) {
            return done;
        }
        if (w.getDataType() != DataType.FLOAT32) {
            throw new UnsupportedOperationException(
                    "ONNX export: weights must be float32 (export without --precision bf16), got " + w.getDataType());
        }
        String name = weightNames.getOrDefault(w, "weight_" + counter++);
        initializers.add(floatTensor(name, w.toFloatArray(), w.getShape().getShape()));
        initialised.put(w, name);
        return name;
    }

    private String constant(float[] data, long[] dims) {
        String name = "const_" + counter++;
        initializers.add(floatTensor(name, data, dims));
        return name;
    }

    private String constant(long[] data) {
        String name = "const_" + counter++;
        ByteBuffer buf = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(data);
        initializers.add(tensor(name, TensorProto.DataType.INT64, buf.array(), data.length));
        return name;
    }

    private static TensorProto floatTensor(String name, float[] data, long[] dims) {
        ByteBuffer buf = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        return tensor(name, TensorProto.DataType.FLOAT, buf.array(), dims);
    }

    /** An initialiser of little-endian raw bytes, as ONNX stores raw_data. */
    private static TensorProto tensor(String name, TensorProto.DataType type, byte[] raw, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static AttributeProto.Builder attribute(String name, AttributeProto.AttributeType type) {
        return AttributeProto.newBuilder().setName(name).setType(type);
    }

    private static AttributeProto intAttr(String name, long v) {
        return attribute(name, AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto intsAttr(String name, long... v) {
        AttributeProto.Builder a = attribute(name, AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static AttributeProto floatAttr(String name, float v) {
        return attribute(name, AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static AttributeProto stringAttr(String name, String v) {
        return attribute(name, AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v))
                .build();
    }
}
