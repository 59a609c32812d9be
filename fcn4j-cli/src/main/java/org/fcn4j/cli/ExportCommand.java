package org.fcn4j.cli;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.onnx.OnnxExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fcn4j export}: a config and checkpoint as an ONNX graph (mmdeploy's role for MMSegmentation). */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Export CONFIG's model with CHECKPOINT's weights to ONNX: input 'input' float32 (N,3,H,W) as the data "
                    + "preprocessor makes it (normalised, the config's channel order), output 'seg_logits' (N,C,H,W), "
                    + "the decode head's logits at the input size; --argmax adds 'seg_pred' (N,1,H,W) int64.",
            "classes, palette, mean, std, bgr_to_rgb, test mode and the resolved config go into metadata_props. "
                    + "Run the graph with --engine onnxruntime in predict, test, serve and bench."
        })
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG", description = Presets.CONFIG)
    String config;

    @Parameters(index = "1", paramLabel = "CHECKPOINT", description = "Weights (.pth or .safetensors).")
    Path checkpoint;

    @Parameters(index = "2", paramLabel = "OUT.onnx", description = "The graph to write (through a temp file).")
    Path out;

    @Option(
            names = "--shape",
            paramLabel = "HxW",
            description = "The graph's fixed input height x width (default: 512x512); with --dynamic, the size the "
                    + "graph is traced at.")
    String shape;

    @Option(names = "--dynamic", description = "Make N, H and W symbolic: one graph for every batch and size.")
    boolean dynamic;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "1",
            description = "The graph's batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--opset",
            paramLabel = "N",
            defaultValue = "17",
            description = "ONNX opset, " + OnnxExport.MIN_OPSET + " to " + OnnxExport.MAX_OPSET
                    + " (default: ${DEFAULT-VALUE}).")
    int opset;

    @Option(names = "--argmax", description = "Also output seg_pred, the per-pixel class (int64).")
    boolean argmax;

    @Option(
            names = "--fold-bn",
            description = "Fold each BatchNorm into the convolution before it (else BatchNormalization nodes).")
    boolean foldBn;

    @Mixin
    ConfigOverrides overrides;

    @Override
    public Integer call() {
        int[] hw = Sizes.parse("--shape", shape == null ? "512x512" : shape);
        if (batch < 1) {
            throw new UserError("--batch: must be >= 1 but got " + batch);
        }
        if (!out.getFileName().toString().endsWith(".onnx")) {
            throw new UserError("OUT.onnx: expected a file name ending in .onnx but got " + out);
        }
        if (Files.isDirectory(out)) {
            throw new UserError("OUT.onnx: " + out + " is a directory");
        }
        OnnxExport.Options options = new OnnxExport.Options(batch, hw[0], hw[1], dynamic, opset, argmax, foldBn);
        Config cfg = overrides.load(config);
        if (!Files.isRegularFile(checkpoint)) {
            throw new UserError("CHECKPOINT: no such file " + checkpoint);
        }
        try (Segmenter segmenter = Segmenter.load(cfg, checkpoint, w -> System.err.println("warning: " + w))) {
            EncoderDecoder model = (EncoderDecoder) segmenter.model();
            ModelProto proto = OnnxExport.build(model, segmenter.meta(), cfg.yaml(), options);
            Progress progress = Progress.ofBytes("export", proto.getSerializedSize());
            OnnxExport.write(proto, out, progress::bytes);
            progress.done();
            System.out.printf(
                    "wrote %s: %d nodes, %d initialisers, opset %d, input %s%n",
                    out,
                    proto.getGraph().getNodeCount(),
                    proto.getGraph().getInitializerCount(),
                    opset,
                    dynamic ? "(batch, 3, height, width)" : "(" + batch + ", 3, " + hw[0] + ", " + hw[1] + ")");
        }
        return 0;
    }
}
