package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.infer.djl.ModelDirectory;
import org.fcn4j.nn.TensorFormat;
import org.fcn4j.nn.Torch;
import org.fcn4j.onnx.OrtSegmentor;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** The CONFIG CHECKPOINT [--cfg-options ...] arguments shared by the commands that run a trained model. */
final class ModelArgs {
    @Parameters(index = "0", paramLabel = "CONFIG", description = Presets.CONFIG)
    String config;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "CHECKPOINT",
            description = "Weights (.pth or .safetensors), or with --engine onnxruntime an .onnx graph. Without it, "
                    + "CONFIG is a model directory (DJL Serving's layout): its .yaml and its checkpoint, or those "
                    + "serving.properties names (option.config=, option.checkpoint=).")
    Path checkpoint;

    @Mixin
    ConfigOverrides overrides;

    @Mixin
    InferenceOptions inference;

    /** The checked config; fails before any work when it or the checkpoint is unusable. */
    Config load() {
        if (checkpoint == null) {
            Path dir = Path.of(config);
            if (!Files.isDirectory(dir)) {
                throw new UserError("CHECKPOINT: missing (or give a model directory holding the config and the "
                        + "checkpoint as CONFIG)");
            }
            try {
                ModelDirectory files = ModelDirectory.of(dir, null);
                config = files.config();
                checkpoint = files.checkpoint();
            } catch (IOException | IllegalArgumentException e) {
                throw new UserError("CONFIG: " + e.getMessage());
            }
        }
        Config cfg = overrides.load(config);
        if (!Files.isRegularFile(checkpoint)) {
            throw new UserError("CHECKPOINT: no such file " + checkpoint);
        }
        return cfg;
    }

    /** The segmenter for {@code cfg} (from {@link #load}) and the checkpoint, on the fast path the options ask for. */
    Segmenter open(Config cfg) {
        boolean onnx = checkpoint.getFileName().toString().endsWith(".onnx");
        if (inference.onnxRuntime()) {
            if (!onnx) {
                throw new UserError(
                        "CHECKPOINT: --engine onnxruntime runs an .onnx graph (from fcn4j export), not " + checkpoint);
            }
            return OrtSegmentor.segmenter(cfg, checkpoint, Torch.threads());
        }
        if (onnx) {
            throw new UserError("CHECKPOINT: " + checkpoint + " is an ONNX graph; run it with --engine onnxruntime");
        }
        TensorFormat format = inference.format();
        Segmenter segmenter = Segmenter.load(cfg, checkpoint, w -> System.err.println("warning: " + w));
        try {
            return format == null ? segmenter : segmenter.freeze(format);
        } catch (RuntimeException e) {
            segmenter.close();
            throw e;
        }
    }

    /** MMSegmentation's default work dir: work_dirs/&lt;config file name without extension&gt;. */
    static Path defaultWorkDir(String config) {
        return Path.of("work_dirs", Path.of(config).getFileName().toString().replaceAll("\\.ya?ml$", ""));
    }
}
