package org.fcn4j.io;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fcn4j.io.pickle.Opaque;
import org.fcn4j.io.pickle.PickleException;
import org.fcn4j.io.pickle.PyGlobal;
import org.fcn4j.io.pickle.PyTuple;
import org.fcn4j.io.pickle.Unpickler;
import org.fcn4j.io.pickle.Values;

/**
 * The globals a {@code torch.save} pickle may name, and what each means here. Only the tensor and
 * parameter rebuild functions, storage types, {@code OrderedDict} and plain containers are
 * reconstructed; classes from mmengine/mmcv/mmseg (seen in meta and optimizer sections) and numpy's
 * array reconstructors become inert placeholders; anything else is refused before it could run.
 */
final class TorchGlobals implements Unpickler.Policy {
    /** Frameworks whose classes a checkpoint's meta holds (mmengine's message hub, history buffers). */
    private static final List<String> PLACEHOLDER_MODULES = List.of("mmengine", "mmcv", "mmseg");

    /**
     * How numpy arrays and scalars in meta are pickled. Matched by full name, not by module: numpy also
     * has functions that run code ({@code numpy.testing._private.utils.runstring}).
     */
    private static final Set<String> NUMPY = Set.of(
            "numpy.core.multiarray._reconstruct",
            "numpy.core.multiarray.scalar",
            "numpy.core.numeric._frombuffer",
            "numpy._core.multiarray._reconstruct",
            "numpy._core.multiarray.scalar",
            "numpy._core.numeric._frombuffer",
            "numpy.ndarray",
            "numpy.dtype");

    private static final Unpickler.Reconstructor TENSOR = TorchGlobals::tensor;
    private static final Unpickler.Reconstructor PARAMETER = args -> args.get(0);

    /** The legacy format's header pickles (magic number, protocol, system info, storage keys) hold plain values. */
    static final Unpickler.Policy NO_GLOBALS = g -> {
        throw new PickleException("refusing global " + Values.brief(g) + ": this pickle holds only plain values");
    };

    @Override
    public Object resolve(PyGlobal g) {
        String name = g.toString();
        Dtype storage = g.module().equals("torch") ? Dtype.ofStorage(g.name()) : null;
        if (storage != null) {
            return storage;
        }
        switch (name) {
            case "collections.OrderedDict":
                return (Unpickler.Reconstructor) TorchGlobals::orderedDict;
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                return TENSOR;
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return PARAMETER;
            case "torch._tensor._rebuild_from_type_v2":
                return (Unpickler.Reconstructor) TorchGlobals::fromType;
            case "torch.Size":
                return (Unpickler.Reconstructor) args -> new PyTuple(asList(args.get(0)));
            case "torch.device":
                return (Unpickler.Reconstructor) args -> String.valueOf(args.get(0));
            case "builtins.set":
            case "builtins.frozenset":
            case "__builtin__.set":
                return (Unpickler.Reconstructor)
                        args -> Unpickler.setOf(args.size() == 0 ? List.of() : asList(args.get(0)));
            case "_codecs.encode":
                return (Unpickler.Reconstructor) args -> str(args.get(0)).getBytes(StandardCharsets.ISO_8859_1);
            default:
                break;
        }
        if (NUMPY.contains(name)) {
            return (Unpickler.Reconstructor) args -> new Opaque(g, args, null);
        }
        boolean framework = PLACEHOLDER_MODULES.stream()
                .anyMatch(m -> g.module().equals(m) || g.module().startsWith(m + "."));
        // a dotted name walks attributes (protocol 4: "Config.fromstring"), which is how pickles reach functions
        if (framework && !g.name().contains(".")) {
            return Unpickler.OPAQUE;
        }
        throw new PickleException("refusing global " + Values.brief(g)
                + ": a checkpoint may only hold tensors, containers and plain values");
    }

    private static Object orderedDict(PyTuple args) {
        Map<Object, Object> m = new LinkedHashMap<>();
        if (args.size() > 0 && args.get(0) != null) {
            for (Object pair : asList(args.get(0))) {
                List<Object> kv = asList(pair);
                if (kv.size() != 2) {
                    throw new PickleException(
                            "OrderedDict items must be pairs; expected 2 items but found " + kv.size());
                }
                m.put(Values.hashable(kv.get(0), "dict key"), kv.get(1));
            }
        }
        return m;
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])}. */
    private static Object tensor(PyTuple args) {
        if (args.size() < 4 || !(args.get(0) instanceof StorageRef)) {
            throw new PickleException("malformed tensor record");
        }
        return new TensorRef((StorageRef) args.get(0), asLong(args.get(1)), longs(args.get(2)), longs(args.get(3)));
    }

    /**
     * {@code _rebuild_from_type_v2(func, new_type, args, state)}: newer torch's wrapper for tensor subclasses.
     * {@code func} must rebuild a tensor: were it this wrapper again, nested arguments would recurse without bound.
     */
    private static Object fromType(PyTuple args) {
        if ((args.get(0) != TENSOR && args.get(0) != PARAMETER) || !(args.get(2) instanceof PyTuple)) {
            throw new PickleException("malformed tensor subclass record");
        }
        return ((Unpickler.Reconstructor) args.get(0)).apply((PyTuple) args.get(2));
    }

    @SuppressWarnings("unchecked")
    static List<Object> asList(Object o) {
        if (o instanceof PyTuple) {
            return ((PyTuple) o).items();
        }
        if (o instanceof List) {
            return (List<Object>) o;
        }
        throw new PickleException("expected a tuple or list but found " + Values.brief(o));
    }

    static long asLong(Object o) {
        if (!(o instanceof Long)) {
            throw new PickleException("expected an integer but found " + Values.brief(o));
        }
        return (Long) o;
    }

    static String str(Object o) {
        if (!(o instanceof String)) {
            throw new PickleException("expected a string but found " + Values.brief(o));
        }
        return (String) o;
    }

    private static long[] longs(Object o) {
        List<Object> l = asList(o);
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(l.get(i));
        }
        return out;
    }
}
