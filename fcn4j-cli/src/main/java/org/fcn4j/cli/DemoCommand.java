package org.fcn4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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
 * {@code fcn_demo_synthetic} preset from scratch, evaluates it on the held-out split and writes
 * predictions, overlays, metrics.json and the training curve.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Generate a synthetic dataset, train a small FCN on it from scratch, evaluate it on held-out "
                        + "scenes and write metrics.json, the checkpoint, predictions, overlays and training_curve.png to WORK_DIR.")
final class DemoCommand implements Callable<Integer> {
    static final String PRESET = "fcn_demo_synthetic";

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where everything goes (default: work_dirs/demo).")
    Path workDir = Path.of("work_dirs", "demo");

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
            names = "--cfg-options",
            paramLabel = "KEY=VALUE",
            arity = "1..*",
            description = "Override entries of the demo config (e.g. train_cfg.max_iters=100).")
    List<String> cfgOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        if (trainImages < 1 || valImages < 1) {
            throw new UserError("--train-images and --val-images must be >= 1");
        }
        Path data = workDir.resolve("data");
        System.err.println("Generating " + trainImages + " + " + valImages + " synthetic scenes in " + data);
        SyntheticScenes.write(data, trainImages, valImages, 96, 2024);
        List<String> options = new ArrayList<>();
        for (String loader : new String[] {"train_dataloader", "val_dataloader", "test_dataloader"}) {
            options.add(loader + ".dataset.data_root=" + data.toAbsolutePath());
        }
        options.addAll(cfgOptions);
        Config cfg = Config.load(PRESET, options);
        Trainer.Result trained = TrainRun.train(cfg, workDir, null);
        if (trained.interrupted()) {
            return 130;
        }
        double trainSeconds = (System.nanoTime() - start) / 1e9;

        Path predictions = Files.createDirectories(workDir.resolve("predictions"));
        Path overlays = Files.createDirectories(workDir.resolve("overlays"));
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
        MetricsJson.write(workDir.resolve("metrics.json"), r, classes, cfg.testEvaluator());
        TrainingCurve.write(workDir.resolve("log.jsonl"), workDir.resolve("training_curve.png"));
        double total = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%nmIoU %.2f on %d held-out scenes (trained %d iterations in %.0f s, %.0f s in all)%n",
                IoUMetric.Result.percent(r.mIoU()), val.samples().size(), trained.iterations(), trainSeconds, total);
        System.out.println("checkpoint      " + trained.checkpoint());
        System.out.println("metrics         " + workDir.resolve("metrics.json"));
        System.out.println("training curve  " + workDir.resolve("training_curve.png"));
        System.out.println("predictions     " + predictions + "  (label PNGs)");
        System.out.println("overlays        " + overlays);
        System.out.println("training log    " + workDir.resolve("log.jsonl"));
        return 0;
    }
}
