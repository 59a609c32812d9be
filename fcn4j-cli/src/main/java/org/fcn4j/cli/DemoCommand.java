package org.fcn4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.fcn4j.data.SegDataset;
import org.fcn4j.demo.SyntheticScenes;
import org.fcn4j.eval.IoUMetric;
import org.fcn4j.eval.MetricsJson;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Evaluation;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fcn4j demo}: the whole job on built-in data. Generates the synthetic scenes, trains the
 * {@code fcn_demo_synthetic} preset (or, with {@code --model}, one of the width-reduced VGG FCNs of the FCN
 * paper) from scratch, evaluates it on the held-out split and writes predictions, overlays, metrics.json and
 * the training curve. {@code --model compare} trains FCN-32s, FCN-16s and FCN-8s one after another on the
 * same data, seed and schedule and puts their held-out metrics side by side.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Generate a synthetic dataset, train a small FCN on it from scratch, evaluate it on held-out "
                    + "scenes and write metrics.json, the checkpoint, predictions, overlays and training_curve.png to WORK_DIR.",
            "--model fcn32s|fcn16s|fcn8s trains the FCN paper's VGG FCN instead (width-reduced); --model compare "
                    + "trains all three with the same seed, data and iterations, prints a table (pixel acc, mean acc, "
                    + "mIoU, fwIoU, boundary acc) and writes WORK_DIR/compare.json, each model's outputs in WORK_DIR/<model>/."
        })
final class DemoCommand implements Callable<Integer> {
    static final String PRESET = "fcn_demo_synthetic";

    /** The VGG FCNs of the comparison, coarse to fine. */
    static final List<String> PAPER_MODELS = List.of("fcn32s", "fcn16s", "fcn8s");

    /** Labelled pixels within this many pixels (Chebyshev) of another class or of an ignored pixel. */
    static final int BOUNDARY_RADIUS = 3;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where everything goes (default: work_dirs/demo).")
    Path workDir = Path.of("work_dirs", "demo");

    @Option(
            names = "--model",
            paramLabel = "MODEL",
            description = "resnet (the default: the fcn_demo_synthetic ResNet FCN), fcn32s, fcn16s, fcn8s "
                    + "(the <model>_vgg_demo_synthetic presets) or compare (all three VGG FCNs, one after another).")
    String model = "resnet";

    @Option(
            names = "--train-images",
            paramLabel = "N",
            description = "Generated training scenes (default: ${DEFAULT-VALUE}).")
    int trainImages = 400;

    @Option(
            names = "--val-images",
            paramLabel = "N",
            description = "Generated held-out scenes (default: ${DEFAULT-VALUE}).")
    int valImages = 60;

    @Option(
            names = "--precision",
            paramLabel = "fp32|bf16",
            description = "Training precision: fp32 (the default) or bf16 mixed precision (optim_wrapper "
                    + "AmpOptimWrapper with dtype='bfloat16').")
    String precision = "fp32";

    @Option(
            names = "--cfg-options",
            paramLabel = "KEY=VALUE",
            arity = "1..*",
            description =
                    "Override entries of the demo config (e.g. train_cfg.max_iters=100); with compare, of each model's.")
    List<String> cfgOptions = new ArrayList<>();

    /** One trained and evaluated model. */
    private record Run(
            String name,
            String preset,
            IoUMetric.Result result,
            double boundaryAcc,
            long iterations,
            int validationScenes,
            double trainSeconds,
            double seconds) {}

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        if (trainImages < 1 || valImages < 1) {
            throw new UserError("--train-images and --val-images must be >= 1");
        }
        if (!"fp32".equals(precision) && !"bf16".equals(precision)) {
            throw new UserError("--precision: expected fp32 or bf16 but got '" + precision + "'");
        }
        boolean compare = "compare".equals(model);
        if (!compare && !"resnet".equals(model) && !PAPER_MODELS.contains(model)) {
            throw new UserError("--model: expected resnet, fcn32s, fcn16s, fcn8s or compare but got '" + model + "'");
        }
        Path data = workDir.resolve("data");
        System.err.println("Generating " + trainImages + " + " + valImages + " synthetic scenes in " + data);
        SyntheticScenes.write(data, trainImages, valImages, 96, 2024);
        if (!compare) {
            Run run = trainAndEvaluate(preset(model), workDir, data, start);
            return run == null ? 130 : 0;
        }
        List<Run> runs = new ArrayList<>();
        for (String name : PAPER_MODELS) {
            System.err.println("== " + name + " (" + preset(name) + ") ==");
            Run run = trainAndEvaluate(preset(name), workDir.resolve(name), data, System.nanoTime());
            if (run == null) {
                return 130;
            }
            runs.add(new Run(
                    name,
                    run.preset(),
                    run.result(),
                    run.boundaryAcc(),
                    run.iterations(),
                    run.validationScenes(),
                    run.trainSeconds(),
                    run.seconds()));
        }
        double total = (System.nanoTime() - start) / 1e9;
        System.out.println();
        System.out.print(compareTable(runs));
        System.out.printf(
                Locale.ROOT,
                "%d held-out scenes, %d iterations each, %.0f s in all (%d cores)%n",
                runs.get(0).validationScenes(),
                runs.get(0).iterations(),
                total,
                Runtime.getRuntime().availableProcessors());
        Path json = workDir.resolve("compare.json");
        writeCompareJson(json, runs, total);
        System.out.println("comparison      " + json);
        return 0;
    }

    private static String preset(String model) {
        return "resnet".equals(model) ? PRESET : model + "_vgg_demo_synthetic";
    }

    /** Trains {@code preset} into {@code dir}, evaluates it and prints its report; null if interrupted. */
    private Run trainAndEvaluate(String preset, Path dir, Path data, long start) throws Exception {
        List<String> options = new ArrayList<>();
        for (String loader : new String[] {"train_dataloader", "val_dataloader", "test_dataloader"}) {
            options.add(loader + ".dataset.data_root=" + data.toAbsolutePath());
        }
        if ("bf16".equals(precision)) {
            options.add("optim_wrapper.type=AmpOptimWrapper");
            options.add("optim_wrapper.dtype=bfloat16");
        }
        options.addAll(cfgOptions);
        Config cfg = Config.load(preset, options);
        Trainer.Result trained = TrainRun.train(cfg, dir, null);
        if (trained.interrupted()) {
            return null;
        }
        double trainSeconds = (System.nanoTime() - start) / 1e9;

        Path predictions = Files.createDirectories(dir.resolve("predictions"));
        Path overlays = Files.createDirectories(dir.resolve("overlays"));
        SegDataset val = cfg.testData().load(true);
        IoUMetric.Result r;
        List<String> classes;
        try (Segmenter segmenter =
                Segmenter.load(cfg, trained.checkpoint(), w -> System.err.println("warning: " + w))) {
            classes = segmenter.meta().classes();
            r = Evaluation.run(
                    segmenter,
                    val,
                    cfg.testEvaluator(),
                    false,
                    new PredictionFiles(predictions, overlays, segmenter.meta().palette()));
        }
        System.out.print(r.table(classes));
        MetricsJson.write(dir.resolve("metrics.json"), r, classes, cfg.testEvaluator());
        LogCurves.trainingCurve(dir.resolve("log.jsonl"), dir.resolve("training_curve.png"));
        double boundary = boundaryAccuracy(data.resolve("masks").resolve("val"), predictions);
        double total = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "%nmIoU %.2f on %d held-out scenes (trained %d iterations in %.0f s, %.0f s in all)%n",
                IoUMetric.Result.percent(r.mIoU()),
                val.samples().size(),
                trained.iterations(),
                trainSeconds,
                total);
        System.out.println("checkpoint      " + trained.checkpoint());
        System.out.println("metrics         " + dir.resolve("metrics.json"));
        System.out.println("training curve  " + dir.resolve("training_curve.png"));
        System.out.println("predictions     " + predictions + "  (label PNGs)");
        System.out.println("overlays        " + overlays);
        System.out.println("training log    " + dir.resolve("log.jsonl"));
        return new Run(
                "", preset, r, boundary, trained.iterations(), val.samples().size(), trainSeconds, total);
    }

    /**
     * Pixel accuracy on the labelled pixels near a boundary: those within {@link #BOUNDARY_RADIUS} pixels of a
     * pixel of another class or of an ignored one (the scenes mark their 1-pixel boundaries 255). NaN when the
     * prediction files are missing or no pixel qualifies.
     */
    static double boundaryAccuracy(Path masks, Path predictions) throws IOException {
        long correct = 0;
        long total = 0;
        try (var files = Files.list(masks)) {
            for (Path mask : files.sorted().toList()) {
                Path prediction = predictions.resolve(mask.getFileName());
                if (!Files.isRegularFile(prediction)) {
                    return Double.NaN;
                }
                Raster gt = ImageIO.read(mask.toFile()).getRaster();
                Raster pred = ImageIO.read(prediction.toFile()).getRaster();
                int w = gt.getWidth();
                int h = gt.getHeight();
                int[] g = gt.getSamples(0, 0, w, h, 0, new int[w * h]);
                int[] p = pred.getSamples(0, 0, w, h, 0, new int[w * h]);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int v = g[y * w + x];
                        if (v != 255 && nearBoundary(g, w, h, x, y, v)) {
                            total++;
                            correct += p[y * w + x] == v ? 1 : 0;
                        }
                    }
                }
            }
        }
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    private static boolean nearBoundary(int[] g, int w, int h, int x, int y, int v) {
        for (int yy = Math.max(0, y - BOUNDARY_RADIUS); yy <= Math.min(h - 1, y + BOUNDARY_RADIUS); yy++) {
            for (int xx = Math.max(0, x - BOUNDARY_RADIUS); xx <= Math.min(w - 1, x + BOUNDARY_RADIUS); xx++) {
                if (g[yy * w + xx] != v) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String compareTable(List<Run> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%-8s %9s %9s %7s %7s %12s %9s%n",
                "model",
                "pixel acc",
                "mean acc",
                "mIoU",
                "fwIoU",
                "boundary acc",
                "train s"));
        for (Run run : runs) {
            IoUMetric.Result r = run.result();
            sb.append(String.format(
                    Locale.ROOT,
                    "%-8s %9.2f %9.2f %7.2f %7.2f %12.2f %9.0f%n",
                    run.name(),
                    IoUMetric.Result.percent(r.aAcc()),
                    IoUMetric.Result.percent(r.mAcc()),
                    IoUMetric.Result.percent(r.mIoU()),
                    IoUMetric.Result.percent(r.fwIoU()),
                    IoUMetric.Result.percent(run.boundaryAcc()),
                    run.trainSeconds()));
        }
        return sb.toString();
    }

    private static void writeCompareJson(Path file, List<Run> runs, double seconds) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("boundary_radius", BOUNDARY_RADIUS);
        root.put("seconds", seconds);
        root.put("cores", Runtime.getRuntime().availableProcessors());
        ArrayNode models = root.putArray("models");
        for (Run run : runs) {
            IoUMetric.Result r = run.result();
            ObjectNode m = models.addObject();
            m.put("model", run.name());
            m.put("preset", run.preset());
            m.put("iterations", run.iterations());
            m.put("val_scenes", run.validationScenes());
            m.put("aAcc", IoUMetric.Result.percent(r.aAcc()));
            m.put("mAcc", IoUMetric.Result.percent(r.mAcc()));
            m.put("mIoU", IoUMetric.Result.percent(r.mIoU()));
            m.put("fwIoU", IoUMetric.Result.percent(r.fwIoU()));
            m.put("boundary_acc", IoUMetric.Result.percent(run.boundaryAcc()));
            m.put("train_seconds", run.trainSeconds());
            m.put("seconds", run.seconds());
        }
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
