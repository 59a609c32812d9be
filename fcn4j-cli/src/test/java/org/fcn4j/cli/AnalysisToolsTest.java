package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** analyze-logs and confusion-matrix, MMSegmentation's analysis tools, as a user runs them. */
class AnalysisToolsTest {
    @TempDir
    Path tmp;

    private Path log(String name, double lossScale) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 10; i++) {
            sb.append(String.format(
                    java.util.Locale.ROOT,
                    "{\"mode\": \"train\", \"iter\": %d, \"loss\": %.3f, \"decode.acc_seg\": %.1f}%n",
                    i * 10,
                    lossScale / i,
                    50.0 + i));
            if (i % 5 == 0) {
                sb.append(String.format(
                        java.util.Locale.ROOT,
                        "{\"mode\": \"val\", \"iter\": %d, \"mIoU\": %.1f}%n",
                        i * 10,
                        30.0 + i));
            }
        }
        return Files.writeString(tmp.resolve(name), sb.toString());
    }

    @Test
    void analyzeLogsOverlaysRunsAndReportsWhatItCannotPlot() throws Exception {
        Path a = log("a.jsonl", 2.0);
        Path b = log("b.jsonl", 3.0);
        Path png = tmp.resolve("curve.png");
        CliRun r = CliRun.of(
                "analyze-logs",
                a.toString(),
                b.toString(),
                "--keys",
                "loss",
                "decode.acc_seg",
                "mIoU",
                "--out",
                png.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(800);
        assertThat(img.getHeight()).isEqualTo(450);

        r = CliRun.of(
                "analyze-logs",
                a.toString(),
                "--keys",
                "aux.loss_ce",
                "--out",
                tmp.resolve("x.png").toString());
        assertThat(r.err().trim()).isEqualTo("error: --keys: 'aux.loss_ce' appears in no line of [" + a + "]");
        Path bad = Files.writeString(tmp.resolve("bad.jsonl"), "{\"iter\": 1, \"loss\": 1.0}\nnot json\n");
        r = CliRun.of(
                "analyze-logs", bad.toString(), "--out", tmp.resolve("y.png").toString());
        assertThat(r.err().trim()).startsWith("error: " + bad + ":2: not a JSON line");
        assertThat(tmp.resolve("x.png")).doesNotExist();
        assertThat(tmp.resolve("y.png")).doesNotExist();
    }

    @Test
    void theConfusionMatrixCsvIsTheOneComputedFromPredictsMasks() throws Exception {
        SmallModel small = SmallModel.write(tmp);
        Path images = Files.createDirectories(tmp.resolve("data/images"));
        Path masks = Files.createDirectories(tmp.resolve("data/masks"));
        for (int i = 0; i < 2; i++) {
            ImageIO.write(
                    SmallModel.image(48 + 8 * i, 40),
                    "jpg",
                    images.resolve("img" + i + ".jpg").toFile());
            // ground truth: vertical bands of classes 0..4, and an ignored (255) row
            BufferedImage gt = new BufferedImage(48 + 8 * i, 40, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < gt.getWidth(); x++) {
                    gt.getRaster().setSample(x, y, 0, y == 0 ? 255 : Math.min(4, (x + i) * 5 / gt.getWidth()));
                }
            }
            ImageIO.write(gt, "png", masks.resolve("img" + i + ".png").toFile());
        }
        Path predicted = tmp.resolve("pred");
        CliRun p = CliRun.of(
                "predict",
                small.config().toString(),
                small.checkpoint().toString(),
                images.toString(),
                "--out-dir",
                predicted.toString());
        assertThat(p.code()).as(p.err()).isEqualTo(0);
        long[][] expected = new long[5][5];
        for (int i = 0; i < 2; i++) {
            Raster gt = ImageIO.read(masks.resolve("img" + i + ".png").toFile()).getRaster();
            Raster pred =
                    ImageIO.read(predicted.resolve("img" + i + ".png").toFile()).getRaster();
            for (int y = 0; y < gt.getHeight(); y++) {
                for (int x = 0; x < gt.getWidth(); x++) {
                    int label = gt.getSample(x, y, 0);
                    if (label != 255) {
                        expected[label][pred.getSample(x, y, 0)]++;
                    }
                }
            }
        }
        Path png = tmp.resolve("cm.png");
        CliRun r = CliRun.of(
                "confusion-matrix",
                small.config().toString(),
                small.checkpoint().toString(),
                "--out",
                png.toString(),
                "--normalize");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(ImageIO.read(png.toFile()).getWidth()).isGreaterThan(400);
        List<String> rows = Files.readAllLines(tmp.resolve("cm.csv"));
        assertThat(rows.get(0)).isEqualTo("label\\prediction,road,sidewalk,building,wall,fence");
        assertThat(rows).hasSize(6);
        long total = 0;
        for (int y = 0; y < 5; y++) {
            String[] cells = rows.get(y + 1).split(",");
            for (int x = 0; x < 5; x++) {
                assertThat(Long.parseLong(cells[x + 1])).as("[%d][%d]", y, x).isEqualTo(expected[y][x]);
                total += expected[y][x];
            }
        }
        assertThat(total).isEqualTo(39L * 48 + 39L * 56);
    }

    @Test
    void browseDatasetDrawsTheImageTheLabelsAndThePipelinesOutput() throws Exception {
        Path data = tmp.resolve("scenes");
        org.fcn4j.demo.SyntheticScenes.write(data, 3, 1, 96, 7);
        Path out = tmp.resolve("browse");
        CliRun r = CliRun.of(
                "browse-dataset",
                "fcn_demo_synthetic",
                "--out-dir",
                out.toString(),
                "--n",
                "2",
                "--cfg-options",
                "train_dataloader.dataset.data_root=" + data,
                "train_dataloader.dataset.pipeline=[{type: LoadImageFromFile}, {type: LoadAnnotations}, "
                        + "{type: RandomCrop, crop_size: [64, 48]}, {type: PackSegInputs}]");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        try (var files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("0000.png", "0001.png");
        }
        BufferedImage grid = ImageIO.read(out.resolve("0000.png").toFile());
        // image and overlay at 96x96, the crop (crop_size is h, w: 64 high, 48 wide) and its overlay, 4 px apart
        assertThat(grid.getWidth()).isEqualTo(96 + 4 + 96 + 4 + 48 + 4 + 48);
        assertThat(grid.getHeight()).isEqualTo(96);
        BufferedImage original =
                ImageIO.read(data.resolve("images/train/0000.png").toFile());
        for (int y = 0; y < 96; y += 7) {
            for (int x = 0; x < 96; x += 7) {
                assertThat(grid.getRGB(x, y) & 0xffffff).isEqualTo(original.getRGB(x, y) & 0xffffff);
            }
        }
    }
}
