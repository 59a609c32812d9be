package org.fcn4j.cli;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import org.fcn4j.data.SegDataset;
import org.fcn4j.eval.IoUMetric;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Evaluation;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.util.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fcn4j confusion-matrix}: MMSegmentation's {@code tools/analysis_tools/confusion_matrix.py}. */
@Command(
        name = "confusion-matrix",
        mixinStandardHelpOptions = true,
        description = "Predict the config's test set as fcn4j test does and write the confusion matrix (rows: ground "
                + "truth, columns: prediction, labelled pixels only) as a PNG heat map and, beside it, a CSV of the "
                + "pixel counts (OUT with .csv for .png).")
final class ConfusionMatrixCommand implements Callable<Integer> {
    @Mixin
    ModelArgs model;

    @Option(names = "--out", required = true, paramLabel = "PNG", description = "The heat map to write.")
    Path out;

    @Option(names = "--normalize", description = "Plot each row as percentages of its ground-truth pixels.")
    boolean normalize;

    @Option(names = "--tta", description = "Test-time augmentation (the config's tta_pipeline).")
    boolean tta;

    @Override
    public Integer call() throws IOException {
        if (!out.getFileName().toString().endsWith(".png")) {
            throw new UserError("--out: expected a .png file name but got " + out);
        }
        Config cfg = model.load();
        SegDataset data = cfg.testData().load(true);
        long[][] counts;
        List<String> classes;
        try (Segmenter segmenter = model.open(cfg)) {
            Progress progress = new Progress("confusion-matrix", data.samples().size());
            IoUMetric metric =
                    Evaluation.metric(segmenter, data, cfg.testEvaluator(), tta, (sample, image, s) -> progress.step());
            progress.done();
            counts = metric.confusionMatrix();
            classes = segmenter.meta().classes();
        }
        Path csv = out.resolveSibling(out.getFileName().toString().replaceAll("\\.png$", ".csv"));
        AtomicFiles.write(csv, o -> o.write(csv(classes, counts).getBytes(StandardCharsets.UTF_8)));
        byte[] png = BitmapEncoder.getBitmapBytes(chart(classes, counts), BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(out, o -> o.write(png));
        System.out.println("wrote " + out + " and " + csv);
        return 0;
    }

    /** Header "label\prediction,<classes>", then one row of counts per ground-truth class. */
    static String csv(List<String> classes, long[][] counts) {
        StringBuilder sb = new StringBuilder("label\\prediction");
        classes.forEach(c -> sb.append(',').append(quote(c)));
        sb.append('\n');
        for (int y = 0; y < counts.length; y++) {
            sb.append(quote(classes.get(y)));
            for (long n : counts[y]) {
                sb.append(',').append(n);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    private HeatMapChart chart(List<String> classes, long[][] counts) {
        int n = classes.size();
        int side = Math.max(500, Math.min(2000, 60 + 40 * n));
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(side + 150)
                .height(side)
                .title(normalize ? "Confusion matrix (% of each ground-truth class)" : "Confusion matrix (pixels)")
                .xAxisTitle("prediction")
                .yAxisTitle("ground truth")
                .build();
        chart.getStyler().setShowValue(n <= 30).setRangeColors(new Color[] {Color.WHITE, new Color(0, 70, 140)});
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            long rowSum = 0;
            for (long v : counts[r]) {
                rowSum += v;
            }
            for (int c = 0; c < n; c++) {
                long v = counts[r][c];
                double value = normalize ? (rowSum == 0 ? 0 : Math.round(1000.0 * v / rowSum) / 10.0) : v;
                // the heat map draws its first row at the bottom: flip, so ground truth reads top-down
                cells.add(new Number[] {c, n - 1 - r, value});
            }
        }
        List<String> reversed = new ArrayList<>(classes);
        Collections.reverse(reversed);
        chart.addSeries("pixels", classes, reversed, cells);
        chart.getStyler().setXAxisLabelRotation(n > 8 ? 45 : 0);
        return chart;
    }
}
