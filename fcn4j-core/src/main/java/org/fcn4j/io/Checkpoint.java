package org.fcn4j.io;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fcn4j.io.pickle.Values;

/**
 * A checkpoint read from disk, its state dict in the file's own keys (the model side maps layouts such as
 * torchvision's onto its own: {@code org.fcn4j.model.KeyMap}).
 *
 * @param meta the {@code meta} section (empty for a bare state dict or safetensors)
 * @param optimizer the {@code optimizer} section, or null
 */
public record Checkpoint(Map<String, NDArray> stateDict, Map<String, Object> meta, Object optimizer) {
    /** Class names from {@code meta.dataset_meta.classes} or the older {@code meta.CLASSES}, or null. */
    public List<String> classes() {
        Object c = datasetMeta("classes", "CLASSES");
        if (!(c instanceof List) && !(c instanceof org.fcn4j.io.pickle.PyTuple)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object o : TorchGlobals.asList(c)) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    /**
     * RGB colours from {@code meta.dataset_meta.palette} or {@code meta.PALETTE}, or null. Anything but a
     * list of integer triples in 0-255 is refused ({@link Checkpoints#read} asks once, so a file is refused
     * when read rather than when a command first paints with it).
     */
    public int[][] palette() {
        Object p = datasetMeta("palette", "PALETTE");
        if (!(p instanceof List) && !(p instanceof org.fcn4j.io.pickle.PyTuple)) {
            return null;
        }
        List<Object> rows = TorchGlobals.asList(p);
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            Object row = rows.get(i);
            List<?> rgb =
                    row instanceof List || row instanceof org.fcn4j.io.pickle.PyTuple ? TorchGlobals.asList(row) : null;
            if (rgb == null || rgb.size() != 3 || !rgb.stream().allMatch(Checkpoint::colourValue)) {
                throw new CheckpointException("meta palette entry " + i + " is " + Values.brief(row)
                        + ", not an RGB triple of integers 0-255");
            }
            out[i] = rgb.stream().mapToInt(v -> ((Number) v).intValue()).toArray();
        }
        return out;
    }

    /** An integer 0-255 (Long from a pickle, Integer from safetensors' JSON). */
    private static boolean colourValue(Object v) {
        return (v instanceof Long || v instanceof Integer)
                && ((Number) v).longValue() >= 0
                && ((Number) v).longValue() <= 255;
    }

    /** The training iteration stored in meta, or -1. */
    public long iteration() {
        Object it = meta.get("iter");
        return it instanceof Number ? ((Number) it).longValue() : -1;
    }

    private Object datasetMeta(String key, String legacyKey) {
        Object dm = meta.get("dataset_meta");
        if (dm instanceof Map && ((Map<?, ?>) dm).get(key) != null) {
            return ((Map<?, ?>) dm).get(key);
        }
        return meta.get(legacyKey);
    }
}
