package org.fcn4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fcn4j.io.pickle.Opaque;
import org.fcn4j.io.pickle.PyTuple;

/**
 * The object graph an unpickled checkpoint holds, with its tensor records turned into NDArrays.
 *
 * <p>The graph is checked before any tensor data is read: at most {@link #MAX_DEPTH} levels deep and no
 * container inside itself (everything that later walks it, from here to the writers, recurses), and at
 * most {@link #MAX_VISITS} values once shared references are expanded (a list of a list of ... each held
 * twice is 2^40 values from 400 bytes). Storages are then read one at a time, each only as far as its
 * tensors view it, so reading needs about the tensors' size: a storage's buffer becomes its tensor
 * when that is its only view, and is dropped as soon as its views are made otherwise.
 */
final class PickleGraph {
    static final int MAX_DEPTH = 100;
    static final int MAX_VISITS = 1 << 20;
    /** Distinct views may overlap (a weight and its transpose); more than this many times the data read is a bomb. */
    static final int MAX_VIEW_FACTOR = 4;

    static final long VIEW_SLACK_BYTES = 64L << 20;

    /** Reads a storage's first {@code bytes} bytes into a fresh direct little-endian buffer of exactly that size. */
    interface StorageSource {
        ByteBuffer read(StorageRef storage, long bytes);
    }

    private final Map<String, List<TensorRef>> views = new LinkedHashMap<>();
    private final Set<String> seen = new HashSet<>();
    private final Map<String, NDArray> arrays = new HashMap<>();
    private final Set<Object> path = Collections.newSetFromMap(new IdentityHashMap<>());
    private int visits;

    private PickleGraph() {}

    static Object materialize(Object root, NDManager manager, StorageSource source) {
        PickleGraph g = new PickleGraph();
        g.collect(root, 0);
        g.readStorages(manager, source);
        return g.rebuild(root);
    }

    private void collect(Object o, int depth) {
        if (++visits > MAX_VISITS) {
            throw new CheckpointException("the pickle's containers hold more than " + MAX_VISITS
                    + " values once shared references are expanded");
        }
        if (o instanceof TensorRef) {
            TensorRef t = (TensorRef) o;
            if (seen.add(t.viewKey())) {
                views.computeIfAbsent(t.storage().key(), k -> new ArrayList<>()).add(t);
            }
            return;
        }
        List<?> children = children(o);
        if (children.isEmpty()) {
            return;
        }
        if (depth >= MAX_DEPTH) {
            throw new CheckpointException("the pickle's containers are nested deeper than " + MAX_DEPTH + " levels");
        }
        if (!path.add(o)) {
            throw new CheckpointException("the pickle holds a container that contains itself");
        }
        for (Object child : children) {
            collect(child, depth + 1);
        }
        path.remove(o);
    }

    private static List<?> children(Object o) {
        if (o instanceof Map) {
            return new ArrayList<>(((Map<?, ?>) o).values());
        }
        if (o instanceof List) {
            return (List<?>) o;
        }
        if (o instanceof PyTuple) {
            return ((PyTuple) o).items();
        }
        if (o instanceof Opaque) {
            return Arrays.asList(((Opaque) o).args(), ((Opaque) o).state());
        }
        return List.of();
    }

    private void readStorages(NDManager manager, StorageSource source) {
        long read = 0;
        long viewed = 0;
        for (List<TensorRef> same : views.values()) {
            for (TensorRef t : same) {
                viewed += t.numel() * t.storage().dtype().bytes;
            }
            read += same.stream().mapToLong(TensorRef::storageBytesNeeded).max().orElse(0);
        }
        if (viewed > MAX_VIEW_FACTOR * read + VIEW_SLACK_BYTES) {
            throw new CheckpointException("its tensors would take " + viewed + " bytes from " + read
                    + " bytes of storage data (overlapping views, more than " + MAX_VIEW_FACTOR + "x)");
        }
        for (List<TensorRef> same : views.values()) {
            StorageRef storage = same.get(0).storage();
            long needed =
                    same.stream().mapToLong(TensorRef::storageBytesNeeded).max().orElse(0);
            ByteBuffer data = source.read(storage, needed);
            for (TensorRef t : same) {
                arrays.put(t.viewKey(), Tensors.view(manager, data, t, same.size() == 1));
            }
        }
    }

    private Object rebuild(Object o) {
        if (o instanceof TensorRef) {
            return arrays.get(((TensorRef) o).viewKey());
        }
        if (o instanceof Map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            ((Map<?, ?>) o).forEach((k, v) -> out.put(k, rebuild(v)));
            return out;
        }
        if (o instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object v : (List<?>) o) {
                out.add(rebuild(v));
            }
            return out;
        }
        if (o instanceof PyTuple) {
            List<Object> out = new ArrayList<>();
            for (Object v : ((PyTuple) o).items()) {
                out.add(rebuild(v));
            }
            return new PyTuple(out);
        }
        if (o instanceof Opaque) {
            Opaque op = (Opaque) o;
            return new Opaque(op.type(), rebuild(op.args()), rebuild(op.state()));
        }
        return o;
    }
}
