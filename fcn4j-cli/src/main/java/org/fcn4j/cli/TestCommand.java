package org.fcn4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.fcn4j.data.SegDataset;
import org.fcn4j.eval.IoUMetric;
import org.fcn4j.eval.MetricsJson;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Evaluation;
import org.fcn4j.infer.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fcn4j test}: evaluates a checkpoint on the config's test set with IoUMetric. */
@Command(
        name = "test",
        mixinStandardHelpOptions = true,
        description = "Evaluate CHECKPOINT on the config's test_dataloader dataset: prints aAcc/mIoU/mAcc and the "
                + "per-class table, writes WORK_DIR/metrics.json.")
final class TestCommand implements Callable<Integer> {
    @Mixin
    ModelArgs model;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Where metrics.json goes (default: work_dirs/<config name>).")
    Path workDir;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write each prediction as a label PNG.")
    Path out;

    @Option(names = "--show-dir", paramLabel = "DIR", description = "Also write colour overlays of the predictions.")
    Path showDir;

    @Option(names = "--tta", description = "Test-time augmentation (the config's tta_pipeline).")
    boolean tta;

    @Override
    public Integer call() throws Exception {
        Config cfg = model.load();
        SegDataset data = cfg.testData().load(true);
        Path dir = workDir != null ? workDir : ModelArgs.defaultWorkDir(model.config);
        for (Path d : new Path[] {dir, out, showDir}) {
            if (d != null) {
                Files.createDirectories(d);
            }
        }
        try (Segmenter segmenter = model.open(cfg)) {
            Progress progress = new Progress("test", data.samples().size());
            PredictionFiles files =
                    new PredictionFiles(out, showDir, segmenter.meta().palette());
            IoUMetric.Result r = Evaluation.run(segmenter, data, cfg.testEvaluator(), tta, (sample, image, s) -> {
                files.visit(sample, image, s);
                progress.step();
            });
            progress.done();
            System.out.print(r.table(segmenter.meta().classes()));
            Path json = dir.resolve("metrics.json");
            MetricsJson.write(json, r, segmenter.meta().classes(), cfg.testEvaluator());
            System.out.println("metrics written to " + json);
        }
        return 0;
    }
}
