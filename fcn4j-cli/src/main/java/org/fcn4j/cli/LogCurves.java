package org.fcn4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fcn4j.util.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * Curves of {@code log.jsonl} keys against the iteration, as MMSegmentation's {@code analyze_logs.py} draws them:
 * one series per (log, key), losses on the left axis and everything else (accuracies, mIoU, in %) on a second
 * axis on the right when both kinds are plotted. A key is read from the lines that have it, training or validation.
 */
final class LogCurves {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LogCurves() {}

    /** One key of one log: (iteration, value) where the line has the key. */
    record Series(String name, List<Double> iters, List<Double> values) {}

    static List<Series> read(Path log, List<String> keys, String prefix) throws IOException {
        List<Series> out = new ArrayList<>();
        for (String key : keys) {
            out.add(new Series(prefix + key, new ArrayList<>(), new ArrayList<>()));
        }
        int lineNo = 0;
        for (String line : Files.readAllLines(log)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new UserError(log + ":" + lineNo + ": not a JSON line: " + e.getOriginalMessage());
            }
            for (int k = 0; k < keys.size(); k++) {
                JsonNode v = n.get(keys.get(k));
                if (v != null && v.isNumber() && n.has("iter")) {
                    out.get(k).iters().add(n.get("iter").asDouble());
                    out.get(k).values().add(v.asDouble());
                }
            }
        }
        return out;
    }

    /** Plots every (log, key) series into a PNG; fails when a key has no value in any log. */
    static void write(List<Path> logs, List<String> keys, String title, Path png) throws IOException {
        List<Series> all = new ArrayList<>();
        for (Path log : logs) {
            all.addAll(read(log, keys, logs.size() > 1 ? log.toString() + ": " : ""));
        }
        for (String key : keys) {
            if (all.stream().noneMatch(s -> s.name().endsWith(key) && !s.iters().isEmpty())) {
                throw new UserError("--keys: '" + key + "' appears in no line of " + logs);
            }
        }
        boolean losses = keys.stream().anyMatch(LogCurves::isLoss);
        boolean others = keys.stream().anyMatch(k -> !isLoss(k));
        XYChart chart = new XYChartBuilder()
                .width(800)
                .height(450)
                .title(title)
                .xAxisTitle("iteration")
                .yAxisTitle(losses ? "loss" : "%")
                .build();
        for (Series s : all) {
            if (s.iters().isEmpty()) {
                continue;
            }
            XYSeries series = chart.addSeries(s.name(), s.iters(), s.values());
            if (losses && others && !isLoss(s.name())) {
                series.setYAxisGroup(1);
            }
        }
        if (losses && others) {
            chart.setYAxisGroupTitle(1, "%");
            chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        }
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(png, out -> out.write(bytes));
    }

    /** The training curve every run writes: the loss, and validation mIoU on the right. */
    static void trainingCurve(Path log, Path png) throws IOException {
        boolean validated = read(log, List.of("mIoU"), "").get(0).iters().size() > 0;
        write(List.of(log), validated ? List.of("loss", "mIoU") : List.of("loss"), "Training curve", png);
    }

    private static boolean isLoss(String key) {
        return key.contains("loss");
    }
}
