package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.fcn4j.config.InvalidParameter;
import org.fcn4j.data.DatasetMeta;
import org.fcn4j.data.Images;
import org.fcn4j.data.SegDataset;
import org.fcn4j.eval.EvaluatorSpec;
import org.fcn4j.eval.IoUMetric;
import org.fcn4j.eval.MetricsJson;
import org.fcn4j.image.LabelMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fcn4j metrics}: IoUMetric over prediction and ground-truth label PNGs matched by file name. */
@Command(
        name = "metrics",
        mixinStandardHelpOptions = true,
        description = "Score prediction label PNGs against ground-truth label PNGs (matched by file name) with "
                + "MMSegmentation's IoUMetric; prints aAcc/mIoU/mAcc and the per-class table.")
final class MetricsCommand implements Callable<Integer> {
    @Option(names = "--pred", required = true, paramLabel = "DIR", description = "Predicted label PNGs.")
    Path pred;

    @Option(names = "--gt", required = true, paramLabel = "DIR", description = "Ground-truth label PNGs.")
    Path gt;

    @Option(names = "--num-classes", required = true, paramLabel = "N", description = "Number of classes.")
    int numClasses;

    @Option(
            names = "--ignore-index",
            defaultValue = "255",
            paramLabel = "I",
            description = "Ignored label (default: ${DEFAULT-VALUE}).")
    int ignoreIndex;

    @Option(names = "--reduce-zero-label", description = "Ground truth 0 becomes ignore and v becomes v-1 (ADE20K).")
    boolean reduceZeroLabel;

    @Option(names = "--classes", paramLabel = "FILE", description = "Class names, one per line.")
    Path classesFile;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the metrics as JSON.")
    Path json;

    @Option(
            names = "--iou-metrics",
            arity = "1..*",
            defaultValue = "mIoU",
            paramLabel = "M",
            description = "IoUMetric's iou_metrics: mIoU, mDice, mFscore (default: ${DEFAULT-VALUE}).")
    List<String> iouMetrics;

    @Override
    public Integer call() throws IOException {
        if (numClasses < 1) {
            throw new UserError("--num-classes: must be >= 1 but got " + numClasses);
        }
        List<String> classes = classesFile == null
                ? DatasetMeta.generated(numClasses).classes()
                : Files.readAllLines(classesFile).stream()
                        .filter(l -> !l.isBlank())
                        .map(String::trim)
                        .toList();
        if (classes.size() != numClasses) {
            throw new UserError("--classes: " + classesFile + " names " + classes.size()
                    + " classes but --num-classes is " + numClasses);
        }
        List<Path> gts = new ArrayList<>();
        try (Stream<Path> s = Files.list(gt)) {
            s.filter(f -> f.getFileName().toString().toLowerCase().endsWith(".png"))
                    .sorted()
                    .forEach(gts::add);
        }
        if (gts.isEmpty()) {
            throw new UserError("--gt: no .png label maps in " + gt);
        }
        EvaluatorSpec evaluator;
        try {
            evaluator = new EvaluatorSpec(iouMetrics, ignoreIndex);
        } catch (InvalidParameter e) {
            throw new UserError("--" + e.key().replace('_', '-') + ": " + e.problem());
        }
        IoUMetric metric = evaluator.newMetric(numClasses);
        for (Path g : gts) {
            Path p = pred.resolve(g.getFileName());
            if (!Files.exists(p)) {
                throw new UserError("--pred: no prediction " + p + " for ground truth " + g);
            }
            LabelMap truth = Images.readLabel(g);
            LabelMap guess = Images.readLabel(p);
            if (truth.height() != guess.height() || truth.width() != guess.width()) {
                throw new UserError(p + " is " + guess.width() + "x" + guess.height() + " but " + g + " is "
                        + truth.width() + "x" + truth.height());
            }
            int[] labels = (reduceZeroLabel ? SegDataset.reduceZeroLabel(truth) : truth).labels();
            try {
                metric.add(guess.labels(), labels);
            } catch (IllegalArgumentException e) {
                throw new UserError(g + ": " + e.getMessage());
            }
        }
        IoUMetric.Result r = metric.result();
        System.out.print(r.table(classes));
        if (json != null) {
            MetricsJson.write(json, r, classes, evaluator);
        }
        return 0;
    }
}
