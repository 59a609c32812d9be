package org.fcn4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.fcn4j.io.Checkpoint;
import org.fcn4j.io.Checkpoints;
import org.fcn4j.model.KeyMap;
import org.fcn4j.nn.Torch;

/** {@code fcn4j info CHECKPOINT}: what a checkpoint holds and the provenance in its {@code meta}. */
final class CheckpointInfo {
    private CheckpointInfo() {}

    /** A checkpoint by its name (a config is a preset name or YAML file, never .pth / .safetensors). */
    static boolean isCheckpoint(String arg) {
        return arg.endsWith(".pth") || arg.endsWith(".safetensors");
    }

    static void print(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError("CHECKPOINT: no such file " + file);
        }
        try (NDManager m = Torch.newManager()) {
            Checkpoint ckpt = Checkpoints.read(file, m);
            long elements = 0;
            for (NDArray t : ckpt.stateDict().values()) {
                elements += t.getShape().size();
            }
            System.out.println("checkpoint:  " + file);
            System.out.printf(
                    Locale.ROOT,
                    "tensors:     %d (%,d elements), %s layout%n",
                    ckpt.stateDict().size(),
                    elements,
                    KeyMap.detect(ckpt.stateDict()));
            if (ckpt.classes() != null) {
                System.out.println("classes:     " + ckpt.classes().size() + " " + ckpt.classes());
            }
            line("iteration:   ", ckpt.iteration() < 0 ? null : ckpt.iteration());
            line("seed:        ", ckpt.meta().get("seed"));
            line("config:      ", ckpt.meta().get("config"));
            line("fcn4j:       ", ckpt.meta().get("fcn4j_version"));
            line("written:     ", ckpt.meta().get("time"));
            line("optimizer:   ", ckpt.optimizer() == null ? null : "state included (resumable)");
            Object cfg = ckpt.meta().get("cfg");
            if (cfg instanceof String) {
                System.out.println("resolved config:");
                System.out.print(((String) cfg).indent(2));
            } else {
                System.out.println("resolved config: not stored (not written by fcn4j train)");
            }
        }
    }

    private static void line(String label, Object value) {
        if (value != null) {
            System.out.println(label + value);
        }
    }
}
