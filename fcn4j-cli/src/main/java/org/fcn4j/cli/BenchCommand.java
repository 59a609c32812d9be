package org.fcn4j.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.fcn4j.bench.Benchmark;
import org.fcn4j.bench.Stats;
import org.fcn4j.experiment.Config;
import org.fcn4j.experiment.TrainSettings;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.SlideWindows;
import org.fcn4j.model.TestConfig;
import org.fcn4j.nn.TensorFormat;
import org.fcn4j.nn.Torch;
import org.fcn4j.onnx.OrtSegmentor;
import org.fcn4j.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fcn4j bench}: forward and train-step timing, achieved FLOP rate and peak memory on random data. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Time a config's model (random weights, random data): eval-mode forward without autograd (whole, "
                + "or sliding windows when model.test_cfg says slide) and "
                + "one training step (SGD, random labels; with --precision bf16 in mixed precision, as "
                + "AmpOptimWrapper with dtype='bfloat16', channels-last as fcn4j train runs it; with --channels-last "
                + "channels-last) after warm-up; print median/min/max, GFLOP/s and the "
                + "process's peak resident memory.")
final class BenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    @Parameters(index = "0", paramLabel = "CONFIG", description = Presets.CONFIG)
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
            description = "Images per forward pass and per training step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    InferenceOptions inference;

    @Option(names = "--fold-bn", description = "fp32 inference with each BatchNorm folded into the conv before it.")
    boolean foldBn;

    @Option(
            names = "--iters",
            paramLabel = "N",
            defaultValue = "5",
            description = "Timed runs of each phase (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "1",
            description = "Untimed runs of each phase before the timed ones (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "2",
            description = "libtorch intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--onnx",
            paramLabel = "FILE",
            description = "With --engine onnxruntime: the graph to time (fcn4j export of CONFIG, at --shape and "
                    + "--batch or --dynamic); forward only.")
    Path onnx;

    @Option(names = "--forward-only", description = "Skip the training step.")
    boolean forwardOnly;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Mixin
    ConfigOverrides overrides;

    @Override
    public Integer call() {
        int[] hw = Sizes.parse("--shape", shape);
        positive("--batch", batch);
        positive("--iters", iters);
        positive("--warmup", warmup);
        positive("--threads", threads);
        TensorFormat format = inference.format();
        if (format == null && foldBn) {
            format = TensorFormat.DEFAULT;
        }
        Config cfg = overrides.load(config);
        boolean trainChannelsLast = trainChannelsLast(cfg, format);
        Torch.setThreads(threads);
        if (inference.onnxRuntime()) {
            return benchOnnxRuntime(cfg, hw);
        }
        if (onnx != null) {
            throw new UserError("--onnx: only with --engine onnxruntime");
        }
        // the fast paths free the parameters training needs
        Benchmark.Settings settings =
                new Benchmark.Settings(batch, hw[0], hw[1], warmup, iters, forwardOnly || format != null);
        Benchmark.Result r;
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(m, cfg.model());
            if (format != null) {
                model.eval();
                model.freezeForInference(format);
            }
            r = Benchmark.run(model, settings, cfg.train(), trainChannelsLast);
        }
        if (trainsApart(format)) {
            // the training step on a model of its own with float32 weights (trainable BatchNorm)
            try (NDManager m = Torch.newManager()) {
                r = Benchmark.withTrainStep(
                        r,
                        new EncoderDecoder(m, cfg.model()),
                        settings,
                        cfg.train(),
                        format.bfloat16(),
                        trainChannelsLast);
            }
        }
        String inferenceMode = describe(cfg.model().testCfg(), hw[0], hw[1]);
        print(r, hw[0], hw[1], inferenceMode, format, trainChannelsLast);
        if (json != null) {
            ObjectNode node = toJson(r, format, trainChannelsLast);
            node.put("inference", inferenceMode);
            AtomicFiles.write(json, out -> JSON.writeValue(out, node));
        }
        return 0;
    }

    /**
     * Whether the training step is timed on a model of its own: with --precision bf16 (AmpOptimWrapper's
     * step) or --channels-last, which the inference forward runs BatchNorm-folded; --fold-bn is for inference.
     */
    private boolean trainsApart(TensorFormat format) {
        return !forwardOnly && format != null && !foldBn;
    }

    /**
     * The training step's layout: channels-last with --channels-last, else the config's {@code channels_last}
     * (set with --cfg-options), else fcn4j train's default for the model and the benchmarked precision.
     */
    private static boolean trainChannelsLast(Config cfg, TensorFormat format) {
        if (format != null && format.channelsLast()) {
            return true;
        }
        if (cfg.tree().get("channels_last") instanceof Boolean set) { // the config checked it is a bool
            return set;
        }
        return TrainSettings.channelsLastByDefault(
                format != null && format.bfloat16(), cfg.model().backbone());
    }

    /**
     * ONNX Runtime on the exported graph: the forward timed and its peak memory taken before fcn4j builds the
     * model once to count the MACs (so the figure is ONNX Runtime's, plus the JVM and libtorch's runtime).
     */
    private int benchOnnxRuntime(Config cfg, int[] hw) {
        if (onnx == null) {
            throw new UserError("--engine onnxruntime: give the graph to time with --onnx FILE (from fcn4j export)");
        }
        if (!Files.isRegularFile(onnx)) {
            throw new UserError("--onnx: no such file " + onnx);
        }
        Benchmark.Settings settings = new Benchmark.Settings(batch, hw[0], hw[1], warmup, iters, true);
        Benchmark.Result r;
        try (OrtSegmentor ort = OrtSegmentor.open(cfg.model(), onnx, threads);
                NDManager m = Torch.newManager()) {
            r = Benchmark.forward(ort, m, settings);
        }
        try (NDManager m = Torch.newManager()) {
            r = r.withForwardMacs(Benchmark.forwardMacs(new EncoderDecoder(m, cfg.model()), settings));
        }
        String inferenceMode = describe(cfg.model().testCfg(), hw[0], hw[1]);
        print(r, hw[0], hw[1], inferenceMode, null, false);
        if (json != null) {
            ObjectNode node = toJson(r, null, false);
            node.put("inference", inferenceMode);
            AtomicFiles.write(json, out -> JSON.writeValue(out, node));
        }
        return 0;
    }

    private static void positive(String option, int value) {
        if (value < 1) {
            throw new UserError(option + ": must be >= 1 but got " + value);
        }
    }

    /** The forward's inference mode, as model.test_cfg sets it. */
    private static String describe(TestConfig t, int height, int width) {
        return !t.slide()
                ? "whole"
                : String.format(
                        Locale.ROOT,
                        "slide, crop %dx%d, stride %dx%d, %d windows",
                        t.crop()[0],
                        t.crop()[1],
                        t.stride()[0],
                        t.stride()[1],
                        SlideWindows.of(height, width, t.crop(), t.stride()).size());
    }

    private void print(
            Benchmark.Result r,
            int height,
            int width,
            String inferenceMode,
            TensorFormat format,
            boolean trainChannelsLast) {
        System.out.printf(
                Locale.ROOT,
                "fcn4j bench %s  input (%d, 3, %d, %d)  %s%s  engine %s  threads %d  %d timed + %d warm-up%n",
                config,
                batch,
                height,
                width,
                inference.precision,
                format == null ? "" : " (BN folded" + (format.channelsLast() ? ", channels-last)" : ")"),
                inference.engine,
                threads,
                iters,
                warmup);
        System.out.println("inference (model.test_cfg): " + inferenceMode);
        System.out.printf(
                Locale.ROOT,
                "%-11s %9s %9s %9s %9s %13s%n",
                "phase",
                "median s",
                "min s",
                "max s",
                "GFLOP/s",
                "peak RSS MiB");
        row("forward", r.forward(), r.forwardGflops(), r.forwardPeakMb());
        if (r.train() != null) {
            System.out.println("train step: "
                    + (format != null && format.bfloat16()
                            ? "bf16 mixed precision (AmpOptimWrapper), float32 weights"
                            : "fp32")
                    + (trainChannelsLast ? ", channels-last activations" : ", NCHW"));
            row("train step", r.train(), r.trainGflops(), r.peakMb());
        } else if (!forwardOnly && !"onnxruntime".equals(inference.engine)) {
            System.out.println("train step  not timed: --fold-bn is for inference");
        }
        System.out.printf(
                Locale.ROOT,
                "MACs: forward %.2f G%s%n",
                r.forwardMacs() / 1e9,
                r.train() == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", training forward %.2f G (train GFLOP/s count backward as 2x forward)",
                                r.trainForwardMacs() / 1e9));
    }

    private static void row(String phase, Stats s, double gflops, double peakMb) {
        System.out.printf(
                Locale.ROOT,
                "%-11s %9.3f %9.3f %9.3f %9.1f %13.0f%n",
                phase,
                s.median(),
                s.min(),
                s.max(),
                gflops,
                peakMb);
    }

    private ObjectNode toJson(Benchmark.Result r, TensorFormat format, boolean trainChannelsLast) {
        ObjectNode o = JSON.createObjectNode();
        o.put("engine", inference.engine);
        if (onnx != null) {
            o.put("onnx", onnx.toString());
        }
        o.put("config", config);
        o.put("precision", inference.precision);
        o.put("bn_folded", format != null);
        o.put("channels_last", format != null && format.channelsLast());
        o.put("shape", shape);
        o.put("batch", batch);
        o.put("threads", threads);
        o.put("iters", iters);
        o.put("warmup", warmup);
        stats(o, "forward", r.forward());
        o.put("forward_gflops", r.forwardGflops());
        o.put("forward_macs", r.forwardMacs());
        o.put("forward_peak_rss_mb", r.forwardPeakMb());
        if (r.train() != null) {
            stats(o, "train_step", r.train());
            o.put("train_precision", format != null && format.bfloat16() ? "bf16" : "fp32");
            o.put("train_channels_last", trainChannelsLast);
            o.put("train_step_gflops", r.trainGflops());
            o.put("train_forward_macs", r.trainForwardMacs());
        } else {
            o.putNull("train_step_median_s");
        }
        o.put("peak_rss_mb", r.peakMb());
        return o;
    }

    private static void stats(ObjectNode o, String phase, Stats s) {
        o.put(phase + "_median_s", s.median());
        o.put(phase + "_mean_s", s.mean());
        o.put(phase + "_min_s", s.min());
        o.put(phase + "_max_s", s.max());
    }
}
