package org.fcn4j.io;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /** RGB colours from {@code meta.dataset_meta.palette} or {@code meta.PALETTE}, or null. */
    public int[][] palette() {
        Object p = datasetMeta("palette", "PALETTE");
        if (!(p instanceof List) && !(p instanceof org.fcn4j.io.pickle.PyTuple)) {
            return null;
        }
        List<Object> rows = TorchGlobals.asList(p);
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            List<Object> rgb = TorchGlobals.asList(rows.get(i));
            out[i] = new int[rgb.size()];
            for (int j = 0; j < rgb.size(); j++) {
                out[i][j] = ((Number) rgb.get(j)).intValue();
            }
        }
        return out;
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
