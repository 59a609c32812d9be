package org.fcn4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.fcn4j.experiment.Config;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.ModelSummary;
import org.fcn4j.nn.Torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fcn4j info}: for a config, the parameter count, stage and head output shapes and MACs for one input
 * shape; for a checkpoint, what it holds and how it was made (the provenance fcn4j stores in {@code meta}).
 */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Print a model's parameter count, each backbone stage's output shape, the heads' output "
                + "shapes and the MACs for one input (runs one forward pass on random data); or, given a "
                + ".pth / .safetensors file, its tensors, classes, iteration, seed, fcn4j version and the "
                + "resolved config it was trained with.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "CONFIG|CHECKPOINT",
            description = "Preset name, YAML config file or checkpoint.")
    String config;

    @Option(
            names = "--shape",
            paramLabel = "HxW",
            defaultValue = "512x1024",
            description = "Input height x width (default: ${DEFAULT-VALUE}).")
    String shape;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "1",
            description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    ConfigOverrides overrides;

    @Override
    public Integer call() {
        if (CheckpointInfo.isCheckpoint(config)) {
            CheckpointInfo.print(Path.of(config));
            return 0;
        }
        int[] hw = Sizes.parse("--shape", shape);
        if (batch < 1) {
            throw new UserError("--batch: must be >= 1 but got " + batch);
        }
        Config cfg = overrides.load(config);
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(m, cfg.model());
            ModelSummary s = ModelSummary.of(model, batch, hw[0], hw[1]);
            System.out.println("config:      " + config);
            System.out.printf(Locale.ROOT, "parameters:  %,d%n", s.parameters());
            System.out.println("input:       " + s.input());
            for (int i = 0; i < s.stageShapes().size(); i++) {
                int stage = cfg.model().backbone().outIndices()[i];
                System.out.println(
                        "backbone layer" + (stage + 1) + ": " + s.stageShapes().get(i));
            }
            System.out.println("decode_head:    " + s.decodeShape());
            if (s.auxiliaryShape() != null) {
                System.out.println("auxiliary_head: " + s.auxiliaryShape());
            }
            long inference = s.backboneMacs() + s.decodeMacs();
            System.out.printf(
                    Locale.ROOT,
                    "MACs:        %.2f G (backbone %.2f G + decode head %.2f G)%n",
                    inference / 1e9,
                    s.backboneMacs() / 1e9,
                    s.decodeMacs() / 1e9);
            if (s.auxiliaryShape() != null) {
                System.out.printf(
                        Locale.ROOT, "             + auxiliary head %.2f G when training%n", s.auxiliaryMacs() / 1e9);
            }
        }
        return 0;
    }
}
