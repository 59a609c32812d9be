package org.fcn4j.cli;

import org.fcn4j.nn.TensorFormat;
import picocli.CommandLine.Option;

/** {@code --precision} and {@code --channels-last}: the inference fast paths, for every command that runs a model. */
final class InferenceOptions {
    @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
            description = "fp32, or bf16: BatchNorm folded into the convolutions, weights and activations bfloat16, "
                    + "logits float32; about twice as fast on CPUs with bf16 instructions, and a few pixels may get "
                    + "another class than in fp32 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--channels-last", description = "BatchNorm folded into the convolutions and tensors in the "
            + "channels-last (NHWC) layout that oneDNN's convolutions prefer: faster, the same function up to "
            + "float32 rounding.")
    boolean channelsLast;

    /** The format to freeze the model into, or null for the exact unfolded float32 model. */
    TensorFormat format() {
        boolean bf16 = switch (precision) {
            case "fp32" -> false;
            case "bf16" -> true;
            default -> throw new UserError("--precision: expected fp32 or bf16 but got '" + precision + "'");
        };
        return bf16 || channelsLast ? new TensorFormat(bf16, channelsLast) : null;
    }
}
