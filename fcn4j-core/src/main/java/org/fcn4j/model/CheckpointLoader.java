package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Consumer;
import org.fcn4j.io.Checkpoint;
import org.fcn4j.nn.LoadReport;
import org.fcn4j.nn.Module;

/** Loads a checkpoint of any layout fcn4j reads into a model (mmengine's {@code load_checkpoint}). */
public final class CheckpointLoader {
    private CheckpointLoader() {}

    /**
     * Loads a checkpoint into a model the way fine-tuning needs: keys mapped from the file's layout,
     * matching tensors copied; a classifier ({@code conv_seg}) of another class count keeps its fresh
     * initialisation, with a warning, instead of failing. Returns mmengine's report of what did not match.
     */
    public static LoadReport loadInto(Module model, Checkpoint checkpoint, Consumer<String> warn) {
        KeyMap.Mapped mapped = KeyMap.convert(checkpoint.stateDict());
        mapped.notes().forEach(warn);
        LoadReport report = model.loadStateDict(mapped.state());
        closeDerived(mapped, checkpoint);
        for (String key : report.shapeMismatch()) {
            if (key.contains("conv_seg.")) {
                warn.accept("re-initialising " + key + ": the checkpoint has another number of classes");
            }
        }
        if (!report.clean()) {
            warn.accept(report.toString());
        }
        return report;
    }

    /**
     * Frees the arrays the mapping made (torchvision's fc6 and fc7 reshaped): views that would keep the
     * checkpoint's storage alive (411 MB for VGG16's fc6) after the caller frees the checkpoint.
     */
    private static void closeDerived(KeyMap.Mapped mapped, Checkpoint checkpoint) {
        Set<NDArray> originals = Collections.newSetFromMap(new IdentityHashMap<>());
        originals.addAll(checkpoint.stateDict().values());
        mapped.state().values().stream().filter(v -> !originals.contains(v)).forEach(NDArray::close);
    }
}
