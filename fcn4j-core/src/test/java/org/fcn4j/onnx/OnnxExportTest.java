package org.fcn4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.data.DatasetMeta;
import org.fcn4j.experiment.Config;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.PaperPresets;
import org.fcn4j.model.TestConfig;
import org.fcn4j.nn.LoadReport;
import org.fcn4j.nn.Torch;
import org.fcn4j.util.FileWriteException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exported graphs of the parity fixtures' models run in ONNX Runtime against fcn4j's own forward pass: the
 * dilated ResNet FCN (BatchNorm as nodes and folded) and the paper's four VGG FCNs, at a fixed size, with
 * symbolic batch and size, and under slide inference through {@link OrtSegmentor}.
 */
class OnnxExportTest {
    private static final double RTOL = 1e-4;

    @TempDir
    Path dir;

    /** parity_r18 (MMSegmentation's FCN, width-reduced) with the fixture's PyTorch weights. */
    private static EncoderDecoder resnet(NDManager m) {
        Config cfg = Config.load(Fixtures.path("parity_r18.yaml").toString());
        EncoderDecoder model = new EncoderDecoder(m, cfg.model());
        Map<String, NDArray> state = new HashMap<>();
        Fixtures.tensors("parity_r18.safetensors", m).forEach((k, v) -> {
            if (k.startsWith("state.")) {
                state.put(k.substring(6), v);
            }
        });
        LoadReport report = model.loadStateDict(state);
        assertThat(report.clean()).as(report.toString()).isTrue();
        return model;
    }

    private static EncoderDecoder model(NDManager m, String name) {
        EncoderDecoder model = switch (name) {
            case "r18" -> resnet(m);
            case "fcn8s-atonce" -> PaperPresets.load(m, "fcn8s-atonce_vgg16_1xb1-300k_voc12aug", List.of());
            default -> PaperPresets.load(m, name + "_vgg16_1xb1-100k_voc12aug", List.of());
        };
        model.eval();
        return model;
    }

    private Path export(EncoderDecoder model, String file, OnnxExport.Options o) {
        Path out = dir.resolve(file);
        DatasetMeta meta = DatasetMeta.generated(model.numClasses());
        OnnxExport.write(OnnxExport.build(model, meta, "model: {}\n", o), out);
        return out;
    }

    private static NDArray random(NDManager m, long... shape) {
        return m.randomNormal(new Shape(shape));
    }

    @ParameterizedTest
    @ValueSource(strings = {"r18", "fcn32s", "fcn16s", "fcn8s", "fcn8s-atonce"})
    void aFixedSizeExportGivesFcn4jsLogitsInOnnxRuntime(String name) {
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = model(m, name);
            Path onnx = export(model, name + ".onnx", new OnnxExport.Options(1, 37, 45, false, 17, false, false));
            NDArray x = random(m, 1, 3, 37, 45);
            try (OrtSegmentor ort = OrtSegmentor.open(model.spec(), onnx, 2)) {
                assertClose(name + " ONNX Runtime", ort.encodeDecode(x), model.encodeDecode(x), RTOL);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"r18", "fcn8s"})
    void aDynamicExportFollowsBatchAndSize(String name) {
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = model(m, name);
            Path onnx = export(model, name + "-dyn.onnx", new OnnxExport.Options(1, 40, 40, true, 17, false, false));
            try (OrtSegmentor ort = OrtSegmentor.open(model.spec(), onnx, 2)) {
                for (long[] shape : new long[][] {{2, 3, 37, 45}, {2, 3, 64, 51}}) {
                    NDArray x = random(m, shape);
                    NDArray logits = ort.encodeDecode(x);
                    assertThat(logits.getShape()).isEqualTo(new Shape(2, model.numClasses(), shape[2], shape[3]));
                    assertClose(name + " " + new Shape(shape), logits, model.encodeDecode(x), RTOL);
                }
            }
        }
    }

    @Test
    void slideInferenceThroughOnnxRuntimeMatchesFcn4jsSlideInference() {
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = model(m, "r18");
            Path onnx = export(model, "slide.onnx", new OnnxExport.Options(1, 32, 32, true, 17, false, false));
            NDArray x = random(m, 1, 3, 70, 90);
            TestConfig slide = TestConfig.slide(new int[] {48, 48}, new int[] {32, 32});
            try (OrtSegmentor ort = OrtSegmentor.open(model.spec(), onnx, 2)) {
                assertClose("slide", ort.inference(x, slide), model.inference(x, slide), RTOL);
            }
        }
    }

    @Test
    void foldedBatchNormAndTheArgmaxOutput() throws Exception {
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = model(m, "r18");
            NDArray x = random(m, 1, 3, 41, 39);
            NDArray expected = model.encodeDecode(x);
            Path onnx = export(model, "folded.onnx", new OnnxExport.Options(1, 41, 39, false, 17, true, true));
            ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(onnx));
            assertThat(proto.getGraph().getNodeList())
                    .noneMatch(n -> n.getOpType().equals("BatchNormalization"));
            assertThat(proto.getMetadataPropsList())
                    .anyMatch(p -> p.getKey().equals("mean") && p.getValue().equals("[123.675,116.28,103.53]"));
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession s = env.createSession(onnx.toString());
                    OnnxTensor in = OnnxTensor.createTensor(
                            env, FloatBuffer.wrap(x.toFloatArray()), new long[] {1, 3, 41, 39});
                    OrtSession.Result r = s.run(Map.of(OnnxExport.INPUT, in))) {
                OnnxTensor logits = (OnnxTensor) r.get(OnnxExport.LOGITS).orElseThrow();
                OnnxTensor labels = (OnnxTensor) r.get(OnnxExport.LABELS).orElseThrow();
                assertThat(labels.getInfo().getShape()).isEqualTo(new long[] {1, 1, 41, 39});
                FloatBuffer fb = logits.getFloatBuffer();
                float[] values = new float[fb.remaining()];
                fb.get(values);
                NDArray ortLogits = m.create(values, new Shape(logits.getInfo().getShape()));
                assertClose("folded", ortLogits, expected, RTOL);
                long[] got = new long[41 * 39];
                labels.getLongBuffer().get(got);
                assertThat(got).isEqualTo(ortLogits.argMax(1).toLongArray());
            }
        }
    }

    @Test
    void badOptionsAndPathsFailCleanlyAndLeaveNoFile() throws IOException {
        assertThatThrownBy(() -> new OnnxExport.Options(1, 32, 32, false, 9, false, false))
                .hasMessageContaining("opset 9 is not supported");
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = model(m, "r18");
            Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
            assertThatThrownBy(() -> export(
                            model, "not-a-dir/out.onnx", new OnnxExport.Options(1, 32, 32, false, 17, false, false)))
                    .isInstanceOf(FileWriteException.class)
                    .hasMessageContaining("cannot write");
            assertThat(Files.readString(blocker)).isEqualTo("x");
            Path onnx = export(model, "five.onnx", new OnnxExport.Options(1, 32, 32, false, 17, false, false));
            Config other = Config.load(
                    Fixtures.path("parity_r18.yaml").toString(), List.of("model.decode_head.num_classes=7"));
            assertThatThrownBy(() -> OrtSegmentor.open(other.model(), onnx, 1))
                    .hasMessageContaining("the graph gives 5 classes but the config has 7");
            Path junk = Files.write(dir.resolve("junk.onnx"), new byte[] {1, 2, 3});
            assertThatThrownBy(() -> OrtSegmentor.open(model.spec(), junk, 1))
                    .hasMessageContaining("junk.onnx: ONNX Runtime cannot load it");
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(f -> f.endsWith(".tmp"));
            }
        }
    }
}
