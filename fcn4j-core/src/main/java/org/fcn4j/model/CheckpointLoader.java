package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.fcn4j.io.Checkpoint;
import org.fcn4j.io.CheckpointException;
import org.fcn4j.nn.LoadReport;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Tensor;

/** Loads a checkpoint of any layout fcn4j reads into a model (mmengine's {@code load_checkpoint}). */
public final class CheckpointLoader {
    private static final String BACKBONE = "backbone.";

    private CheckpointLoader() {}

    /**
     * Loads a checkpoint into a model the way fine-tuning needs: keys mapped from the file's layout,
     * matching tensors copied; a classifier ({@code conv_seg}) of another class count keeps its fresh
     * initialisation, with a warning, instead of failing. Returns mmengine's report of what did not match.
     */
    public static LoadReport loadInto(Module model, Checkpoint checkpoint, Consumer<String> warn) {
        return load(model, KeyMap.convert(checkpoint.stateDict()), checkpoint, warn);
    }

    /**
     * {@code load_from} for training: {@link #loadInto}, but a checkpoint that would leave more than half of
     * the backbone's weights (by element count) at their random initialisation is refused with a one-line
     * {@link CheckpointException}, before any weights change: fine-tuning from it would quietly train from
     * scratch. {@code partial} (the config's {@code load_from_partial=True}) accepts it with the usual warnings.
     */
    public static LoadReport loadForFineTuning(
            Module model, Checkpoint checkpoint, Path file, boolean partial, Consumer<String> warn) {
        KeyMap.Mapped mapped = KeyMap.convert(checkpoint.stateDict());
        if (!partial) {
            try {
                requireMostOfBackbone(model, mapped.state(), file);
            } catch (CheckpointException e) {
                closeDerived(mapped, checkpoint);
                throw e;
            }
        }
        return load(model, mapped, checkpoint, warn);
    }

    private static LoadReport load(Module model, KeyMap.Mapped mapped, Checkpoint checkpoint, Consumer<String> warn) {
        mapped.notes().forEach(warn);
        LoadReport report = model.loadStateDict(mapped.state());
        closeDerived(mapped, checkpoint);
        warnAbout(report, warn);
        return report;
    }

    private static void requireMostOfBackbone(Module model, Map<String, NDArray> source, Path file) {
        long total = 0;
        long random = 0;
        int tensors = 0;
        List<String> randomKeys = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            if (!e.getKey().startsWith(BACKBONE)) {
                continue;
            }
            NDArray own = e.getValue().get();
            tensors++;
            total += own.size();
            NDArray src = source.get(e.getKey());
            if (src == null || !src.getShape().equals(own.getShape())) {
                random += own.size();
                randomKeys.add(e.getKey());
            }
        }
        if (random * 2 > total) {
            throw new CheckpointException(String.format(
                    "%s: load_from would leave %.0f%% of the backbone's weights random (%d of its %d tensors"
                            + " missing or of another shape, e.g. %s): a checkpoint of another backbone or depth?"
                            + " set load_from_partial=True to train from it anyway",
                    file, 100.0 * random / total, randomKeys.size(), tensors, randomKeys.get(0)));
        }
    }

    private static void warnAbout(LoadReport report, Consumer<String> warn) {
        for (String key : report.shapeMismatch()) {
            if (key.contains("conv_seg.")) {
                warn.accept("re-initialising " + key + ": the checkpoint has another number of classes");
            }
        }
        if (!report.clean()) {
            warn.accept(report.toString());
        }
    }

    /**
     * Loads a checkpoint for inference: every tensor of the model must come from it with its shape, or a
     * one-line {@link CheckpointException} names what does not fit (a wrong preset, another class count), since
     * a model with random tensors segments garbage. Layout notes still go to {@code warn}.
     */
    public static void loadForInference(Module model, Checkpoint checkpoint, Path file, Consumer<String> warn) {
        KeyMap.Mapped mapped = KeyMap.convert(checkpoint.stateDict());
        mapped.notes().forEach(warn);
        LoadReport report = model.loadStateDict(mapped.state());
        closeDerived(mapped, checkpoint);
        if (!report.missing().isEmpty() || !report.shapeMismatch().isEmpty()) {
            throw new CheckpointException(file + ": does not fit the config's model: " + summary(report)
                    + " (wrong preset or config? another class count: --cfg-options model.decode_head.num_classes=N)");
        }
    }

    private static String summary(LoadReport r) {
        StringBuilder sb = new StringBuilder();
        if (!r.shapeMismatch().isEmpty()) {
            sb.append(r.shapeMismatch().size())
                    .append(" tensors of another shape, e.g. ")
                    .append(r.shapeMismatch().get(0));
        }
        if (!r.missing().isEmpty()) {
            sb.append(sb.length() > 0 ? "; " : "")
                    .append(r.missing().size())
                    .append(" missing, e.g. ")
                    .append(r.missing().get(0));
        }
        return sb.toString();
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
