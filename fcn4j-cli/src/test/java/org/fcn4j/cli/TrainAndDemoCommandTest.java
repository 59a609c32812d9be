package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.nn.TensorFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fcn4j train} and {@code fcn4j demo} end to end, the demo doubling as the learning test. */
class TrainAndDemoCommandTest {
    /**
     * The demo, shortened: generated scenes, a small FCN trained from scratch, evaluated on held-out
     * scenes. A model that learned nothing scores about 13 mIoU (background everywhere).
     */
    @Test
    void demoLearnsTheSyntheticScenesAndWritesItsOutputs(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of(
                "demo",
                "--work-dir",
                dir.toString(),
                "--train-images",
                "200",
                "--val-images",
                "20",
                "--cfg-options",
                "train_cfg.max_iters=800",
                "param_scheduler.1.end=800",
                "train_cfg.val_interval=800",
                "default_hooks.checkpoint.interval=800");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        JsonNode metrics =
                new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        System.out.println("demo learning test: mIoU " + metrics.get("mIoU") + " after 800 iterations");
        assertThat(metrics.get("mIoU").asDouble())
                .as("background everywhere scores about 13")
                .isGreaterThan(50);
        assertThat(metrics.has("aAcc")).isTrue();
        assertThat(metrics.has("mAcc")).isTrue();
        assertThat(r.out()).contains("mIoU ").contains("training_curve.png");
        assertThat(ImageIO.read(dir.resolve("training_curve.png").toFile()).getWidth())
                .isEqualTo(800);
        assertThat(dir.resolve("iter_800.pth")).isRegularFile();
        assertThat(dir.resolve("predictions/0000.png")).isRegularFile();
        assertThat(dir.resolve("overlays/0019.png")).isRegularFile();
        assertBfloat16AgreesWithFloat32(dir.resolve("iter_800.pth"), dir.resolve("data/images/val"));
    }

    /**
     * {@code demo --model compare}, shortened to a smoke test: the three VGG FCNs train one after another on
     * the same scenes, the table has a row per model and compare.json and each model's outputs exist. In bf16
     * mixed precision, so that the transposed convolutions and dropout of the paper's models train under
     * autocast end to end (the ResNet demo test trains in float32).
     */
    @Test
    void demoCompareTrainsTheThreeVggFcnsAndWritesTheTable(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of(
                "demo",
                "--model",
                "compare",
                "--precision",
                "bf16",
                "--work-dir",
                dir.toString(),
                "--train-images",
                "4",
                "--val-images",
                "2",
                "--cfg-options",
                "train_cfg.max_iters=2",
                "train_cfg.val_interval=2",
                "param_scheduler.0.end=1",
                "param_scheduler.1.begin=1",
                "param_scheduler.1.end=2",
                "default_hooks.checkpoint.interval=2",
                "default_hooks.logger.interval=1");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out())
                .contains("pixel acc")
                .contains("mean acc")
                .contains("fwIoU")
                .contains("boundary acc")
                .containsPattern("(?m)^fcn32s ")
                .containsPattern("(?m)^fcn16s ")
                .containsPattern("(?m)^fcn8s ")
                .contains("compare.json");
        JsonNode compare =
                new ObjectMapper().readTree(dir.resolve("compare.json").toFile());
        assertThat(compare.get("models")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode m = compare.get("models").get(i);
            String name = List.of("fcn32s", "fcn16s", "fcn8s").get(i);
            assertThat(m.get("model").asText()).isEqualTo(name);
            assertThat(m.get("preset").asText()).isEqualTo(name + "_vgg_demo_synthetic");
            assertThat(m.get("iterations").asInt()).isEqualTo(2);
            for (String key : List.of("aAcc", "mAcc", "mIoU", "fwIoU", "boundary_acc")) {
                assertThat(m.get(key).asDouble()).as(name + " " + key).isBetween(0.0, 100.0);
            }
            Path out = dir.resolve(name);
            assertThat(out.resolve("metrics.json")).isRegularFile();
            assertThat(out.resolve("iter_2.pth")).isRegularFile();
            assertThat(out.resolve("predictions/0001.png")).isRegularFile();
            assertThat(out.resolve("overlays/0001.png")).isRegularFile();
            assertThat(out.resolve("training_curve.png")).isRegularFile();
        }
        CliRun bad = CliRun.of(
                "demo", "--model", "fcn4s", "--work-dir", dir.resolve("bad").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--model");
        bad = CliRun.of(
                "demo", "--precision", "fp16", "--work-dir", dir.resolve("bad").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--precision: expected fp32 or bf16 but got 'fp16'");
    }

    /**
     * The bf16 fast path on a trained model and the images it was trained for (the parity fixtures in
     * fcn4j-core only have random weights): at least 99.5 % of the pixels keep their fp32 class.
     */
    private static void assertBfloat16AgreesWithFloat32(Path checkpoint, Path images) throws Exception {
        Config cfg = Config.load("fcn_demo_synthetic", List.of());
        long agree = 0;
        long total = 0;
        try (Segmenter fp32 = Segmenter.load(cfg, checkpoint, w -> {});
                Segmenter bf16 = Segmenter.load(cfg, checkpoint, w -> {}).freeze(new TensorFormat(true, true));
                var files = Files.list(images)) {
            for (Path image : files.sorted().toList()) {
                int[] a = fp32.segment(image).labels().labels();
                int[] b = bf16.segment(image).labels().labels();
                for (int i = 0; i < a.length; i++) {
                    agree += a[i] == b[i] ? 1 : 0;
                }
                total += a.length;
            }
        }
        double agreement = (double) agree / total;
        System.out.println(
                "demo model, bf16 channels-last vs fp32: argmax agreement " + agreement + " over " + total + " pixels");
        assertThat(total).isEqualTo(20L * 96 * 96);
        assertThat(agreement).isGreaterThanOrEqualTo(0.995);
    }

    @Test
    void trainWritesCheckpointsAndResumeWithoutOneFailsClearly(@TempDir Path dir) throws Exception {
        CliRun none = CliRun.of(
                "train",
                "fcn_demo_synthetic",
                "--work-dir",
                dir.toString(),
                "--resume",
                "--cfg-options",
                "train_dataloader.dataset.data_root=" + dir);
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).startsWith("error: ");
        CliRun typo = CliRun.of("train", "fcn_demo_synthetic", "--cfg-options", "train_cfg.max_iter=5");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("train_cfg.max_iter: unknown key");

        org.fcn4j.demo.SyntheticScenes.write(dir.resolve("data"), 4, 2, 32, 3);
        String data = dir.resolve("data").toString();
        String[] args = {
            "train",
            "fcn_demo_synthetic",
            "--work-dir",
            dir.resolve("run").toString(),
            "--cfg-options",
            "train_dataloader.dataset.data_root=" + data,
            "val_dataloader.dataset.data_root=" + data,
            "train_dataloader.batch_size=2",
            "train_cfg.max_iters=4",
            "train_cfg.val_interval=4",
            "param_scheduler.0.end=2",
            "param_scheduler.1.begin=2",
            "param_scheduler.1.end=4",
            "default_hooks.checkpoint.interval=2",
            "default_hooks.logger.interval=2"
        };
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.err()).contains("Iter(train) [2/4]").contains("Iter(val) [4]");
        assertThat(dir.resolve("run/iter_2.pth")).isRegularFile();
        assertThat(Files.readString(dir.resolve("run/last_checkpoint"))).endsWith("iter_4.pth");
        assertThat(Files.readAllLines(dir.resolve("run/log.jsonl"))).hasSize(3);

        // the checkpoint says how it was made: info prints its provenance and the resolved config it stores
        CliRun info = CliRun.of("info", dir.resolve("run/iter_4.pth").toString());
        assertThat(info.code()).as(info.err()).isZero();
        assertThat(info.out())
                .contains("iteration:   4")
                .contains("seed:        0")
                .contains("config:      fcn_demo_synthetic")
                .contains("fcn4j:       " + org.fcn4j.util.Version.get())
                .contains("optimizer:   state included")
                .contains("resolved config:")
                .contains("    max_iters: 4")
                .contains("data_root: " + data);
    }
}
