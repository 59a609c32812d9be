package org.fcn4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.io.pickle.Opaque;
import org.fcn4j.io.pickle.PyTuple;

/** Reading and writing model checkpoints: {@code .pth} (zip or legacy) and {@code .safetensors}. */
public final class Checkpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoints() {}

    /**
     * Reads any supported checkpoint; its state dict comes back with the file's own keys. A file that is
     * malformed, hostile or corrupt is refused with a {@link CheckpointException} naming it.
     */
    public static Checkpoint read(Path file, NDManager manager) {
        Checkpoint c = file.getFileName().toString().endsWith(".safetensors")
                ? readSafetensors(file, manager)
                : readPth(file, manager);
        try {
            c.classes();
            c.palette();
        } catch (CheckpointException | org.fcn4j.io.pickle.PickleException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
        return c;
    }

    private static Checkpoint readSafetensors(Path file, NDManager manager) {
        Safetensors.Contents c = Safetensors.readWithMetadata(file, manager);
        return new Checkpoint(c.tensors(), metaFrom(c.metadata(), file), null);
    }

    private static Checkpoint readPth(Path file, NDManager manager) {
        Object root = PthReader.read(file, manager);
        if (!(root instanceof Map)) {
            throw new CheckpointException(file + ": holds " + describe(root) + ", not a state dict or checkpoint dict");
        }
        Map<?, ?> top = (Map<?, ?>) root;
        Object state = top.containsKey("state_dict")
                ? top.get("state_dict")
                : top.containsKey("model") ? top.get("model") : top;
        if (!(state instanceof Map)) {
            throw new CheckpointException(file + ": state_dict is " + describe(state) + ", not a dict of tensors");
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) state).entrySet()) {
            if (!(e.getValue() instanceof NDArray)) {
                throw new CheckpointException(file + ": state_dict entry '" + e.getKey() + "' is "
                        + describe(e.getValue()) + ", not a tensor");
            }
            tensors.put(String.valueOf(e.getKey()), (NDArray) e.getValue());
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        if (state != top && top.get("meta") instanceof Map) {
            ((Map<?, ?>) top.get("meta")).forEach((k, v) -> meta.put(String.valueOf(k), v));
        }
        return new Checkpoint(tensors, meta, state == top ? null : top.get("optimizer"));
    }

    /**
     * Writes an MMSegmentation-layout {@code .pth} ({@code {meta, state_dict[, optimizer]}}) that
     * {@code torch.load(f, weights_only=True)} opens, or a {@code .safetensors} file (meta's classes and
     * palette go to its metadata as JSON), chosen by the file name.
     */
    public static void write(Path file, Map<String, NDArray> stateDict, Map<String, Object> meta, Object optimizer) {
        write(file, stateDict, meta, optimizer, null);
    }

    /** As {@link #write(Path, Map, Map, Object)}, telling {@code written} (if not null) the bytes written so far. */
    @SuppressWarnings("unchecked")
    public static void write(
            Path file,
            Map<String, NDArray> stateDict,
            Map<String, Object> meta,
            Object optimizer,
            java.util.function.LongConsumer written) {
        meta = (Map<String, Object>) plain(meta);
        if (file.getFileName().toString().endsWith(".safetensors")) {
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            try {
                if (!meta.isEmpty()) {
                    metadata.put("meta", JSON.writeValueAsString(meta));
                }
            } catch (JsonProcessingException e) {
                throw new CheckpointException(file + ": meta cannot be stored as JSON: " + e.getMessage(), e);
            }
            Safetensors.write(stateDict, metadata, file, written);
            return;
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("meta", meta);
        root.put("state_dict", new PthWriter.Ordered(stateDict));
        if (optimizer != null) {
            root.put("optimizer", optimizer);
        }
        PthWriter.write(root, file, written);
    }

    /**
     * Meta reduced to what a weights_only reader accepts and JSON can hold: dicts, lists and plain values;
     * placeholders of classes that were never reconstructed (e.g. mmengine's message hub) are dropped.
     */
    private static Object plain(Object o) {
        if (o instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<?, ?>) o).forEach((k, v) -> {
                Object p = plain(v);
                if (p != DROPPED) {
                    out.put(String.valueOf(k), p);
                }
            });
            return out;
        }
        if (o instanceof Collection || o instanceof PyTuple) {
            List<Object> out = new ArrayList<>();
            for (Object v : o instanceof PyTuple ? ((PyTuple) o).items() : (Collection<?>) o) {
                Object p = plain(v);
                if (p != DROPPED) {
                    out.add(p);
                }
            }
            return out; // tuples become lists: JSON has no tuples, and Python readers accept either
        }
        boolean keep = o == null || o instanceof String || o instanceof Number || o instanceof Boolean;
        return keep ? o : DROPPED;
    }

    private static final Object DROPPED = new Object();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metaFrom(Map<String, String> metadata, Path file) {
        String json = metadata.get("meta");
        if (json == null) {
            return new LinkedHashMap<>();
        }
        try {
            return JSON.readValue(json, LinkedHashMap.class);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": metadata 'meta' is not valid JSON", e);
        }
    }

    private static String describe(Object o) {
        if (o instanceof Opaque) {
            return "an object of class " + ((Opaque) o).type() + " (not a tensor)";
        }
        return o == null
                ? "None"
                : o instanceof List ? "a list" : "a " + o.getClass().getSimpleName();
    }
}
