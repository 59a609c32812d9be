package org.fcn4j.io;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.io.pickle.PickleException;
import org.fcn4j.io.pickle.PyGlobal;
import org.fcn4j.io.pickle.PyTuple;
import org.fcn4j.io.pickle.Unpickler;

/**
 * The globals a {@code torch.save} pickle may name, and what each means here. Only the tensor and
 * parameter rebuild functions, storage types, {@code OrderedDict} and plain containers are
 * reconstructed; classes from mmengine/mmcv/mmseg/numpy (seen in meta and optimizer sections) become
 * inert placeholders; anything else is refused before it could run.
 */
final class TorchGlobals implements Unpickler.Policy {
    private static final List<String> PLACEHOLDER_MODULES = List.of("mmengine.", "mmcv.", "mmseg.", "numpy.");
    private static final Map<String, Dtype> STORAGES = Map.of(
            "FloatStorage",
            Dtype.F32,
            "DoubleStorage",
            Dtype.F64,
            "HalfStorage",
            Dtype.F16,
            "BFloat16Storage",
            Dtype.BF16,
            "LongStorage",
            Dtype.I64,
            "IntStorage",
            Dtype.I32,
            "ByteStorage",
            Dtype.U8,
            "CharStorage",
            Dtype.I8,
            "BoolStorage",
            Dtype.BOOL);

    @Override
    public Object resolve(PyGlobal g) {
        String name = g.toString();
        if (g.module().equals("torch") && STORAGES.containsKey(g.name())) {
            return STORAGES.get(g.name());
        }
        switch (name) {
            case "collections.OrderedDict":
                return (Unpickler.Reconstructor) TorchGlobals::orderedDict;
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                return (Unpickler.Reconstructor) TorchGlobals::tensor;
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return (Unpickler.Reconstructor) args -> args.get(0);
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
                        args -> new HashSet<>(args.size() == 0 ? List.of() : asList(args.get(0)));
            case "_codecs.encode":
                return (Unpickler.Reconstructor)
                        args -> String.valueOf(args.get(0)).getBytes(StandardCharsets.ISO_8859_1);
            default:
                break;
        }
        for (String prefix : PLACEHOLDER_MODULES) {
            if (name.startsWith(prefix)) {
                return Unpickler.OPAQUE;
            }
        }
        throw new PickleException(
                "refusing global " + name + ": a checkpoint may only hold tensors, containers and plain values");
    }

    private static Object orderedDict(PyTuple args) {
        Map<Object, Object> m = new LinkedHashMap<>();
        if (args.size() > 0 && args.get(0) != null) {
            for (Object pair : asList(args.get(0))) {
                List<Object> kv = asList(pair);
                m.put(kv.get(0), kv.get(1));
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

    /** {@code _rebuild_from_type_v2(func, new_type, args, state)}: newer torch's wrapper for Parameter. */
    private static Object fromType(PyTuple args) {
        if (!(args.get(0) instanceof Unpickler.Reconstructor) || !(args.get(2) instanceof PyTuple)) {
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
        throw new PickleException("expected a tuple or list but found " + o);
    }

    static long asLong(Object o) {
        if (!(o instanceof Long)) {
            throw new PickleException("expected an integer but found " + o);
        }
        return (Long) o;
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
