package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict, test and metrics on a small R-18 checkpoint and generated images, as a user runs them. */
class PredictAndTestCommandTest {
    @TempDir
    Path tmp;

    private Path ckpt;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        SmallModel small = SmallModel.write(tmp);
        ckpt = small.checkpoint();
        config = small.config();
        Path images = Files.createDirectories(tmp.resolve("data/images"));
        for (int i = 0; i < 3; i++) {
            BufferedImage img = SmallModel.image(48 + 8 * i, 40);
            ImageIO.write(
                    img,
                    i == 0 ? "png" : "jpg",
                    images.resolve("img" + i + (i == 0 ? ".png" : ".jpg")).toFile());
        }
        Files.write(images.resolve("broken.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3});
    }

    @Test
    void predictWritesMasksForTheReadableImagesAndOneLineForTheBadOne() throws Exception {
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of(
                "predict",
                config.toString(),
                ckpt.toString(),
                tmp.resolve("data/images").toString(),
                "--out-dir",
                out.toString(),
                "--overlay",
                "--save-logits");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().lines().filter(l -> l.contains("broken.jpg"))).hasSize(1);
        assertThat(r.err()).contains("skipped: ").contains("corrupt or truncated image");
        for (int i = 0; i < 3; i++) {
            BufferedImage mask = ImageIO.read(out.resolve("img" + i + ".png").toFile());
            assertThat(mask.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
            assertThat(mask.getWidth()).isEqualTo(48 + 8 * i);
            assertThat(mask.getHeight()).isEqualTo(40);
            assertThat(out.resolve("img" + i + "_overlay.png")).exists();
            // .npy: 128-byte header then 5 x 40 x W float32
            assertThat(Files.size(out.resolve("img" + i + ".npy"))).isEqualTo(128 + 4L * 5 * 40 * (48 + 8 * i));
        }
        assertThat(r.out()).contains("wrote 3 of 4").contains("images/s");
    }

    @Test
    void theFastPathsPredictTheSameClasses() throws Exception {
        Path images = tmp.resolve("data/images");
        Files.delete(images.resolve("broken.jpg"));
        CliRun.of(
                "predict",
                config.toString(),
                ckpt.toString(),
                images.toString(),
                "--out-dir",
                tmp.resolve("plain").toString());
        CliRun r = CliRun.of(
                "predict",
                config.toString(),
                ckpt.toString(),
                images.toString(),
                "--out-dir",
                tmp.resolve("fast").toString(),
                "--channels-last");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        long same = 0;
        long total = 0;
        for (int i = 0; i < 3; i++) {
            int[] plain = ImageIO.read(tmp.resolve("plain/img" + i + ".png").toFile())
                    .getRaster()
                    .getPixels(0, 0, 48 + 8 * i, 40, (int[]) null);
            int[] fast = ImageIO.read(tmp.resolve("fast/img" + i + ".png").toFile())
                    .getRaster()
                    .getPixels(0, 0, 48 + 8 * i, 40, (int[]) null);
            for (int p = 0; p < plain.length; p++) {
                same += plain[p] == fast[p] ? 1 : 0;
            }
            total += plain.length;
        }
        // folded BN and NHWC kernels round differently; a class flips only where two logits nearly tie
        assertThat((double) same / total).isGreaterThanOrEqualTo(0.999);
        assertThat(CliRun.of(
                                "predict",
                                config.toString(),
                                ckpt.toString(),
                                images.toString(),
                                "--out-dir",
                                tmp.resolve("x").toString(),
                                "--precision",
                                "fp8")
                        .err()
                        .trim())
                .isEqualTo("error: --precision: expected fp32 or bf16 but got 'fp8'");
    }

    /** The test set with the readable images only, and the model's own predictions as their label maps. */
    private Path modelsOwnMasks() throws Exception {
        Path masks = Files.createDirectories(tmp.resolve("data/masks"));
        Files.delete(tmp.resolve("data/images/broken.jpg"));
        Files.delete(tmp.resolve("data/images/img0.png"));
        CliRun.of(
                "predict",
                config.toString(),
                ckpt.toString(),
                tmp.resolve("data/images").toString(),
                "--out-dir",
                masks.toString());
        return masks;
    }

    @Test
    void testScoresTheDatasetAndMetricsAgreesOnTheSameMaps() throws Exception {
        // ground truth = the model's own predictions for two images: both scores must be 100
        Path masks = modelsOwnMasks();
        CliRun r = CliRun.of(
                "test",
                config.toString(),
                ckpt.toString(),
                "--work-dir",
                tmp.resolve("work").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("aAcc: 100.00");
        assertThat(Files.readString(tmp.resolve("work/metrics.json")))
                .contains("\"mIoU\" : 100.0")
                .contains("\"classes\" : [ \"road\", \"sidewalk\", \"building\", \"wall\", \"fence\" ]");
        r = CliRun.of("metrics", "--pred", masks.toString(), "--gt", masks.toString(), "--num-classes", "5");
        assertThat(r.out()).contains("aAcc: 100.00");
    }

    @Test
    void aModelDirectoryStandsForConfigAndCheckpoint() throws Exception {
        modelsOwnMasks(); // the label maps the model directory's test set reads
        Path dir = Files.createDirectories(tmp.resolve("model-dir"));
        Files.copy(config, dir.resolve("cfg.yaml"));
        Files.copy(ckpt, dir.resolve("model.pth"));
        CliRun r = CliRun.of(
                "test", dir.toString(), "--work-dir", tmp.resolve("work").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(Files.readString(tmp.resolve("work/metrics.json"))).contains("\"mIoU\" : 100.0");

        Files.copy(config, dir.resolve("other.yaml"));
        r = CliRun.of("test", dir.toString(), "--work-dir", tmp.resolve("work").toString());
        assertThat(r.err().trim())
                .isEqualTo("error: CONFIG: " + dir + ": expected one .yaml or .yml file but found 2 (name them in "
                        + "serving.properties: option.config=..., option.checkpoint=...)");
        Files.writeString(dir.resolve("serving.properties"), "option.config=cfg.yaml\n");
        r = CliRun.of("test", dir.toString(), "--work-dir", tmp.resolve("work").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
    }
}
