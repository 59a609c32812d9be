package org.fcn4j.cli;

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

/** Draws a run's {@code log.jsonl} as a PNG: training loss and, on a second axis, validation mIoU per iteration. */
final class TrainingCurve {
    private TrainingCurve() {}

    static void write(Path log, Path png) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Double> lossIters = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Double> valIters = new ArrayList<>();
        List<Double> miou = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode n = json.readTree(line);
            if ("val".equals(n.path("mode").asText())) {
                valIters.add(n.get("iter").asDouble());
                miou.add(n.get("mIoU").asDouble());
            } else if (n.has("loss")) {
                lossIters.add(n.get("iter").asDouble());
                loss.add(n.get("loss").asDouble());
            }
        }
        XYChart chart = new XYChartBuilder()
                .width(800)
                .height(450)
                .title("Training curve")
                .xAxisTitle("iteration")
                .yAxisTitle("loss")
                .build();
        chart.addSeries("train loss", lossIters, loss);
        if (!valIters.isEmpty()) {
            XYSeries val = chart.addSeries("val mIoU (%)", valIters, miou);
            val.setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, "mIoU (%)");
        }
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(png, out -> out.write(bytes));
    }
}
