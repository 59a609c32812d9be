package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fcn4j export, then predict and test with --engine onnxruntime on the graph, as a user runs them: the same
 * logits as fcn4j's own engine (whole, slide and TTA around the graph), and one-line errors for what cannot
 * be exported or run.
 */
class ExportCommandTest {
    /** Relative to the largest logit, as the core parity tests measure. */
    private static final double RTOL = 1e-4;

    @TempDir
    Path tmp;

    private SmallModel small;
    private Path images;

    @BeforeEach
    void setUp() throws Exception {
        small = SmallModel.write(tmp);
        images = Files.createDirectories(tmp.resolve("data/images"));
        for (int i = 0; i < 2; i++) {
            ImageIO.write(
                    SmallModel.image(48 + 8 * i, 40),
                    "jpg",
                    images.resolve("img" + i + ".jpg").toFile());
        }
    }

    private Path export(String name, String... options) {
        Path onnx = tmp.resolve(name);
        List<String> args = new ArrayList<>(
                List.of("export", small.config().toString(), small.checkpoint().toString(), onnx.toString()));
        args.addAll(List.of(options));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("wrote " + onnx);
        return onnx;
    }

    /** predict into out with the given weights and options; returns out. */
    private Path predict(Path weights, String out, String... options) {
        List<String> args = new ArrayList<>(List.of(
                "predict",
                small.config().toString(),
                weights.toString(),
                images.toString(),
                "--out-dir",
                tmp.resolve(out).toString(),
                "--save-logits"));
        args.addAll(List.of(options));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        return tmp.resolve(out);
    }

    private static float[] npy(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(128);
        FloatBuffer f = b.asFloatBuffer();
        float[] out = new float[f.remaining()];
        f.get(out);
        return out;
    }

    private static void assertSameLogits(Path fcn4j, Path ort) throws Exception {
        for (int i = 0; i < 2; i++) {
            float[] a = npy(fcn4j.resolve("img" + i + ".npy"));
            float[] b = npy(ort.resolve("img" + i + ".npy"));
            assertThat(b).hasSameSizeAs(a);
            float scale = 0;
            for (float v : a) {
                scale = Math.max(scale, Math.abs(v));
            }
            double worst = 0;
            for (int k = 0; k < a.length; k++) {
                worst = Math.max(worst, Math.abs(a[k] - b[k]) / scale);
            }
            assertThat(worst)
                    .as("img%d: largest difference relative to the largest logit", i)
                    .isLessThan(RTOL);
        }
    }

    @Test
    void aDynamicGraphInOnnxRuntimeGivesFcn4jsLogitsWholeSlideAndTta() throws Exception {
        Path onnx = export("model.onnx", "--dynamic", "--shape", "48x48");
        assertSameLogits(predict(small.checkpoint(), "fcn4j"), predict(onnx, "ort", "--engine", "onnxruntime"));
        String[] slide = {
            "--cfg-options",
            "model.test_cfg.mode=slide",
            "model.test_cfg.crop_size=[32,32]",
            "model.test_cfg.stride=[24,24]"
        };
        assertSameLogits(predict(small.checkpoint(), "fcn4j-slide", slide), predictSlide(onnx, slide));
        assertSameLogits(
                predict(small.checkpoint(), "fcn4j-tta", "--tta"),
                predict(onnx, "ort-tta", "--engine", "onnxruntime", "--tta"));
    }

    private Path predictSlide(Path onnx, String[] slide) {
        List<String> options = new ArrayList<>(List.of("--engine", "onnxruntime"));
        options.addAll(List.of(slide));
        return predict(onnx, "ort-slide", options.toArray(String[]::new));
    }

    @Test
    void testWithOnnxRuntimeScoresAsFcn4jDoes() throws Exception {
        // ground truth = fcn4j's own predictions: the exported graph must score 100 on them
        Path masks = Files.createDirectories(tmp.resolve("data/masks"));
        CliRun.of(
                "predict",
                small.config().toString(),
                small.checkpoint().toString(),
                images.toString(),
                "--out-dir",
                masks.toString());
        Path onnx = export("folded.onnx", "--dynamic", "--fold-bn", "--argmax");
        CliRun r = CliRun.of(
                "test",
                small.config().toString(),
                onnx.toString(),
                "--engine",
                "onnxruntime",
                "--work-dir",
                tmp.resolve("work").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(Files.readString(tmp.resolve("work/metrics.json"))).contains("\"mIoU\" : 100.0");
    }

    @Test
    void whatCannotBeExportedOrRunGetsOneLineAndNoPartialFile() throws Exception {
        Path cfg7 = tmp.resolve("seven.yaml");
        Files.writeString(cfg7, "_base_: " + small.config() + "\nmodel: {decode_head: {num_classes: 7}}\n");
        CliRun r = CliRun.of(
                "export",
                cfg7.toString(),
                small.checkpoint().toString(),
                tmp.resolve("a.onnx").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> l.startsWith("error: ")))
                .singleElement()
                .asString()
                .contains("does not fit the config's model")
                .contains("decode_head.conv_seg.weight");
        r = CliRun.of(
                "export",
                small.config().toString(),
                small.checkpoint().toString(),
                tmp.resolve("b.onnx").toString(),
                "--opset",
                "9");
        assertThat(r.err().trim()).isEqualTo("error: opset 9 is not supported (13 to 21)");
        Files.writeString(tmp.resolve("file"), "x");
        r = CliRun.of(
                "export",
                small.config().toString(),
                small.checkpoint().toString(),
                tmp.resolve("file/c.onnx").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().trim()).startsWith("error: ").contains("cannot write");
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(".onnx") || n.endsWith(".tmp"));
        }

        Path onnx = export("five.onnx");
        r = CliRun.of(
                "predict",
                small.config().toString(),
                onnx.toString(),
                images.toString(),
                "--out-dir",
                tmp.resolve("x").toString());
        assertThat(r.err().trim())
                .isEqualTo("error: CHECKPOINT: " + onnx + " is an ONNX graph; run it with --engine onnxruntime");
        r = CliRun.of(
                "predict",
                cfg7.toString(),
                onnx.toString(),
                images.toString(),
                "--out-dir",
                tmp.resolve("y").toString(),
                "--engine",
                "onnxruntime");
        assertThat(r.err().trim()).isEqualTo("error: " + onnx + ": the graph gives 5 classes but the config has 7");
        r = CliRun.of(
                "predict",
                small.config().toString(),
                onnx.toString(),
                images.toString(),
                "--out-dir",
                tmp.resolve("z").toString(),
                "--engine",
                "onnxruntime",
                "--precision",
                "bf16");
        assertThat(r.err().trim()).startsWith("error: --engine onnxruntime runs the exported float32 graph");
        Path fixed = export("fixed.onnx", "--shape", "48x64");
        r = CliRun.of(
                "predict",
                small.config().toString(),
                fixed.toString(),
                images.toString(),
                "--out-dir",
                tmp.resolve("w").toString(),
                "--engine",
                "onnxruntime");
        assertThat(r.err())
                .contains("the graph takes input (1, 3, 48, 64) but got (1, 3, ")
                .contains("export it with --dynamic");
    }

    @Test
    void benchTimesTheGraphInOnnxRuntime() throws Exception {
        Path onnx = export("bench.onnx", "--shape", "64x64");
        Path json = tmp.resolve("ort.json");
        CliRun r = CliRun.of(
                "bench",
                small.config().toString(),
                "--engine",
                "onnxruntime",
                "--onnx",
                onnx.toString(),
                "--shape",
                "64x64",
                "--iters",
                "2",
                "--json",
                json.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("engine onnxruntime").contains("forward ").doesNotContain("train step");
        assertThat(Files.readString(json)).contains("\"engine\" : \"onnxruntime\"");
        r = CliRun.of("bench", small.config().toString(), "--engine", "onnxruntime", "--shape", "64x64");
        assertThat(r.err().trim())
                .isEqualTo("error: --engine onnxruntime: give the graph to time with --onnx FILE (from fcn4j export)");
    }
}
