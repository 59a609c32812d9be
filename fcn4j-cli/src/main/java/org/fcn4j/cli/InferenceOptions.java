package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.fcn4j.nn.TensorFormat;
import picocli.CommandLine.Option;

/** {@code --precision} and {@code --channels-last}: the inference fast paths, for every command that runs a model. */
final class InferenceOptions {
    @Option(
            names = "--precision",
            paramLabel = "fp32|bf16",
            defaultValue = "fp32",
            description = "fp32, or bf16: BatchNorm folded into the convolutions, weights and activations bfloat16, "
                    + "logits float32; about twice as fast on CPUs with bf16 instructions, and a few pixels may get "
                    + "another class than in fp32 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(
            names = "--channels-last",
            description = "BatchNorm folded into the convolutions and tensors in the "
                    + "channels-last (NHWC) layout that oneDNN's convolutions prefer: faster, the same function up to "
                    + "float32 rounding.")
    boolean channelsLast;

    @Option(
            names = "--engine",
            paramLabel = "fcn4j|onnxruntime",
            defaultValue = "fcn4j",
            description =
                    "fcn4j (libtorch, the default), or onnxruntime: CHECKPOINT is then a graph from fcn4j export, "
                            + "run by ONNX Runtime with the config's test pipeline, slide/TTA and metrics around it.")
    String engine;

    /** Whether {@code --engine onnxruntime} was asked for (which the fcn4j fast paths do not combine with). */
    boolean onnxRuntime() {
        switch (engine) {
            case "fcn4j":
                return false;
            case "onnxruntime":
                if (channelsLast || !"fp32".equals(precision)) {
                    throw new UserError("--engine onnxruntime runs the exported float32 graph: drop --precision and "
                            + "--channels-last");
                }
                return true;
            default:
                throw new UserError("--engine: expected fcn4j or onnxruntime but got '" + engine + "'");
        }
    }

    /**
     * The format to freeze the model into, or null for the exact unfolded float32 model. Warns when bf16 is
     * asked for on a CPU that lacks bf16 instructions: libtorch then emulates it, slower than fp32.
     */
    TensorFormat format() {
        boolean bf16 = switch (precision) {
            case "fp32" -> false;
            case "bf16" -> true;
            default -> throw new UserError("--precision: expected fp32 or bf16 but got '" + precision + "'");
        };
        if (bf16 && cpuLacksBf16()) {
            System.err.println("warning: --precision bf16: this CPU has no bf16 instructions (avx512_bf16, amx_bf16 "
                    + "or the Arm bf16 extension), so bfloat16 is emulated and slower than fp32");
        }
        return bf16 || channelsLast ? new TensorFormat(bf16, channelsLast) : null;
    }

    /** From Linux's /proc/cpuinfo; false (no warning) where that cannot be read. */
    private static boolean cpuLacksBf16() {
        try {
            return !hasBf16Flag(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether a /proc/cpuinfo text lists a bf16 instruction set (x86 "flags" or Arm "Features"). */
    static boolean hasBf16Flag(String cpuinfo) {
        return cpuinfo.lines()
                .filter(l -> l.startsWith("flags") || l.startsWith("Features"))
                .flatMap(l ->
                        Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split("\\s+")))
                .anyMatch(f -> f.equals("avx512_bf16") || f.equals("amx_bf16") || f.equals("bf16"));
    }
}
