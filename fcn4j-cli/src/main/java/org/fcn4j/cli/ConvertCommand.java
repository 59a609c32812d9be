package org.fcn4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fcn4j.experiment.Config;
import org.fcn4j.io.Checkpoint;
import org.fcn4j.io.Checkpoints;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.KeyMap;
import org.fcn4j.nn.LoadReport;
import org.fcn4j.nn.Torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fcn4j convert}: between .pth (zip or legacy; MMSegmentation, ImageNet-backbone, torchvision FCN,
 * torchfcn or torchvision VGG layout) and .safetensors, always written in MMSegmentation's layout.
 */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = {
            "Convert a checkpoint between .pth and .safetensors, writing MMSegmentation's layout.",
            "Reads .pth (zip and legacy formats) and .safetensors with MMSegmentation, ImageNet-backbone "
                    + "(ResNet), torchvision FCN, torchfcn (the FCN paper's layer names, e.g. "
                    + "fcn8s_from_caffe.pth) or torchvision vgg16 keys (fc6/fc7 reshaped into convolutions, "
                    + "the 1000-class fc8 dropped); writes a .pth that torch.load(f, weights_only=True) "
                    + "opens, or .safetensors."
        })
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "Checkpoint to read (.pth or .safetensors).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "File to write; .pth or .safetensors by its name.")
    Path out;

    @Option(
            names = "--config",
            paramLabel = "CONFIG",
            description = {
                "Check the checkpoint against this model and report missing / unexpected / mis-shaped keys.",
                Presets.CONFIG
            })
    String config;

    @Mixin
    ConfigOverrides overrides;

    @Override
    public Integer call() {
        String name = out.getFileName().toString();
        if (!name.endsWith(".pth") && !name.endsWith(".safetensors")) {
            throw new UserError("OUT: expected a file name ending in .pth or .safetensors but got '" + name + "'");
        }
        if (!Files.isRegularFile(in)) {
            throw new UserError("IN: no such file " + in);
        }
        Config cfg = config == null ? null : overrides.load(config);
        try (NDManager m = Torch.newManager()) {
            Checkpoint ckpt = Checkpoints.read(in, m);
            KeyMap.Mapped mapped = KeyMap.convert(ckpt.stateDict());
            Map<String, NDArray> state = mapped.state();
            System.out.println("read " + in + ": " + ckpt.stateDict().size() + " tensors, " + mapped.layout()
                    + " layout"
                    + (ckpt.classes() == null ? "" : ", " + ckpt.classes().size() + " classes"));
            mapped.notes().forEach(note -> System.out.println("note: " + note));
            if (cfg != null) {
                LoadReport report = new EncoderDecoder(m, cfg.model()).loadStateDict(state);
                System.out.println("against " + config + ": " + report);
            }
            long bytes = state.values().stream()
                    .mapToLong(a -> a.getShape().size() * a.getDataType().getNumOfBytes())
                    .sum();
            Progress progress = Progress.ofBytes("convert", bytes);
            Checkpoints.write(out, state, ckpt.meta(), null, progress::bytes);
            progress.done();
            System.out.println("wrote " + out);
        }
        return 0;
    }
}
