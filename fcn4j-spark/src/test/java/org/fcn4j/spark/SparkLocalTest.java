package org.fcn4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fcn4j.cli.CliRun;
import org.fcn4j.cli.SmallModel;
import org.fcn4j.experiment.Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fcn4j spark predict|test} on {@code local[2]} against {@code fcn4j predict|test} on the same files:
 * the same masks byte for byte, the same metrics.json to the last digit, an unreadable image as an error
 * row, and bad arguments refused on the driver with one line. One Spark session for the class.
 */
class SparkLocalTest {
    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static SmallModel model;

    @BeforeAll
    static void start() throws Exception {
        model = SmallModel.write(tmp);
        Path images = Files.createDirectories(tmp.resolve("images/nested"));
        int[][] sizes = {{64, 48}, {50, 70}, {33, 33}, {96, 40}, {40, 96}, {64, 64}};
        for (int i = 0; i < sizes.length; i++) {
            Path dir = i % 2 == 0 ? images.getParent() : images;
            ImageIO.write(
                    SmallModel.image(sizes[i][0], sizes[i][1]),
                    i < 3 ? "png" : "jpg",
                    dir.resolve("im" + i + (i < 3 ? ".png" : ".jpg")).toFile());
        }
        Files.write(tmp.resolve("images/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Path data = Files.createDirectories(tmp.resolve("data/images"));
        Path masks = Files.createDirectories(tmp.resolve("data/masks"));
        for (int i = 0; i < 5; i++) {
            int w = 40 + 8 * i;
            int h = 30 + 5 * i;
            ImageIO.write(
                    SmallModel.image(w, h),
                    "jpg",
                    data.resolve("s" + i + ".jpg").toFile());
            java.awt.image.BufferedImage mask =
                    new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    mask.getRaster().setSample(x, y, 0, (x + y + i) % 7 == 6 ? 255 : (x / 9 + y / 7) % 5);
                }
            }
            ImageIO.write(mask, "png", masks.resolve("s" + i + ".png").toFile());
        }
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("SparkLocalTest")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void predictWritesTheMasksFcn4jPredictWritesAndATableWithTheUnreadableImageAsAnErrorRow() throws Exception {
        for (String[] fastPath : new String[][] {{}, {"--channels-last"}}) {
            String name = fastPath.length == 0 ? "fp32" : "cl";
            Path sparkOut = tmp.resolve("spark-" + name);
            Path cliOut = tmp.resolve("cli-" + name);
            String[] predict = {
                "predict",
                model.config().toString(),
                model.checkpoint().toString(),
                tmp.resolve("images").toString(),
                "--overlay"
            };
            CliRun s = spark(concat(predict, fastPath, new String[] {"--out-dir", sparkOut.toString()}));
            CliRun c = CliRun.of(concat(predict, fastPath, new String[] {"--out-dir", cliOut.toString()}));
            assertThat(s.code()).as(s.err()).isEqualTo(1); // one unreadable input, as fcn4j predict
            assertThat(c.code()).as(c.err()).isEqualTo(1);
            assertThat(s.out()).contains("wrote 3 of 4").contains("1 unreadable");
            Map<String, byte[]> expected = files(cliOut);
            assertThat(expected).as(c.out() + c.err()).hasSize(6); // 3 masks, 3 overlays (not those of images/nested)
            Map<String, byte[]> actual = files(sparkOut);
            actual.remove("table.parquet");
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            expected.forEach(
                    (f, bytes) -> assertThat(actual.get(f)).as(name + " " + f).isEqualTo(bytes));

            List<Row> table = spark.read()
                    .parquet(sparkOut.resolve("table.parquet").toString())
                    .collectAsList();
            assertThat(table).hasSize(4);
            for (Row r : table) {
                String path = r.getAs("path");
                if (path.endsWith("broken.png")) {
                    assertThat((String) r.getAs("error")).contains("broken.png");
                    assertThat(r.isNullAt(r.fieldIndex("output"))).isTrue();
                    continue;
                }
                assertThat(r.isNullAt(r.fieldIndex("error"))).isTrue();
                int w = r.getAs("width");
                int h = r.getAs("height");
                List<Long> pixels = r.getList(r.fieldIndex("class_pixels"));
                assertThat(pixels).hasSize(5);
                assertThat(pixels.stream().mapToLong(Long::longValue).sum()).isEqualTo((long) w * h);
                String stem = path.substring(path.lastIndexOf('/') + 1).replaceAll("\\.[a-z]+$", "");
                assertThat((String) r.getAs("output")).endsWith("/" + stem + ".png");
                assertThat(ImageIO.read(sparkOut.resolve(stem + ".png").toFile())
                                .getWidth())
                        .isEqualTo(w);
            }
        }
    }

    @Test
    void testGivesFcn4jTestsMetricsJsonToTheLastDigit() throws Exception {
        String[] common = {
            model.config().toString(),
            model.checkpoint().toString(),
            "--cfg-options",
            "test_dataloader.dataset.img_suffix=.jpg",
            "test_dataloader.dataset.seg_map_suffix=.png"
        };
        CliRun s = spark(concat(new String[] {"test"}, common, new String[] {
            "--work-dir", tmp.resolve("w-spark").toString(), "--partitions", "3"
        }));
        CliRun c = CliRun.of(concat(new String[] {"test"}, common, new String[] {
            "--work-dir", tmp.resolve("w-cli").toString()
        }));
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(c.code()).as(c.err()).isZero();
        String expected = Files.readString(tmp.resolve("w-cli/metrics.json"));
        assertThat(expected).contains("\"mIoU\"");
        assertThat(Files.readString(tmp.resolve("w-spark/metrics.json"))).isEqualTo(expected);
        assertThat(s.out()).contains(c.out().substring(0, c.out().indexOf("metrics written")));

        // the same images and label maps as two URI lists, matched by name
        CliRun lists = spark(concat(new String[] {"test"}, common, new String[] {
            "--work-dir", tmp.resolve("w-lists").toString(),
            "--images", tmp.resolve("data/images").toUri().toString(),
            "--labels", tmp.resolve("data/masks").toString()
        }));
        assertThat(lists.code()).as(lists.err()).isZero();
        assertThat(Files.readString(tmp.resolve("w-lists/metrics.json"))).isEqualTo(expected);
    }

    @Test
    void theApiSegmentsADataFrameTheUserAlreadyHas() {
        Config cfg = Config.load(model.config().toString());
        SparkSegmentOptions options =
                FcnSpark.ship(spark, cfg, model.checkpoint().toString());
        var images = FcnSpark.readImages(spark, List.of(tmp.resolve("images").toString()))
                .withColumnRenamed("content", "bytes");
        List<Row> rows = FcnSpark.segment(images, "bytes", options).collectAsList();
        assertThat(rows).hasSize(4);
        assertThat(rows.stream().filter(r -> r.getAs("error") == null).count()).isEqualTo(3);
        assertThat(rows).allMatch(r -> r.getAs("output") == null);
    }

    @Test
    void badArgumentsFailOnTheDriverWithOneLineBeforeAnyTask() throws Exception {
        int jobsBefore = spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;
        String cfg = model.config().toString();
        String ckpt = model.checkpoint().toString();
        String images = tmp.resolve("images").toString();
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        String out = tmp.resolve("never").toString();
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put(
                "CHECKPOINT: no such file",
                new String[] {"predict", cfg, tmp.resolve("nope.pth").toString(), images, "--out-dir", out});
        cases.put(
                "INPUT: no PNG, JPEG or BMP images in " + empty,
                new String[] {"predict", cfg, ckpt, empty.toString(), "--out-dir", out});
        cases.put(
                "INPUT: no such file or folder",
                new String[] {"predict", cfg, ckpt, tmp.resolve("absent").toString(), "--out-dir", out});
        cases.put(
                "--master spark://127.0.0.1:1: cannot connect",
                new String[] {"test", cfg, ckpt, "--master", "spark://127.0.0.1:1"});
        cases.put("model.decode_head.num_classes: expected an integer", new String[] {
            "predict", cfg, ckpt, images, "--out-dir", out, "--cfg-options", "model.decode_head.num_classes=five"
        });
        cases.put("does not fit the config's model", new String[] {
            "predict", cfg, ckpt, images, "--out-dir", out, "--cfg-options", "model.decode_head.num_classes=7"
        });
        cases.put("has no label map of the same name", new String[] {
            "test",
            cfg,
            ckpt,
            "--images",
            images,
            "--labels",
            tmp.resolve("data/masks").toString()
        });
        cases.put(
                "--precision: expected fp32 or bf16",
                new String[] {"predict", cfg, ckpt, images, "--out-dir", out, "--precision", "fp8"});
        for (Map.Entry<String, String[]> e : cases.entrySet()) {
            CliRun r = spark(e.getValue());
            assertThat(r.code()).as(e.getKey() + "\n" + r.err()).isEqualTo(2);
            assertThat(r.err().lines().filter(l -> !l.isBlank()).collect(Collectors.toList()))
                    .as(e.getKey())
                    .hasSize(1)
                    .first()
                    .asString()
                    .startsWith("error: ")
                    .contains(e.getKey());
        }
        assertThat(spark.sparkContext().statusTracker().getJobIdsForGroup(null)).hasSize(jobsBefore);
        assertThat(Path.of(out)).doesNotExist();
    }

    /** Runs {@code fcn4j spark ARGS} in this JVM, capturing what it prints. */
    private static CliRun spark(String... args) {
        return CliRun.of(SparkMain::run, args);
    }

    private static Map<String, byte[]> files(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            Map<String, byte[]> m = new java.util.TreeMap<>();
            for (Path f : files.toList()) {
                m.put(f.getFileName().toString(), Files.isRegularFile(f) ? Files.readAllBytes(f) : new byte[0]);
            }
            return m;
        }
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
