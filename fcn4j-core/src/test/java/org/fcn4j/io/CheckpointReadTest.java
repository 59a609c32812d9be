package org.fcn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.experiment.Config;
import org.fcn4j.model.CheckpointLoader;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.KeyMap;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.LoadReport;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fixtures from tools/fixtures/gen_checkpoints.py, written by PyTorch 1.13. */
class CheckpointReadTest {
    private static final Path MARKER = Path.of("/tmp/fcn4j-pickle-executed");
    private NDManager m;

    @TempDir
    Path tmp;

    @BeforeEach
    void open() throws IOException {
        m = Torch.newManager();
        Files.deleteIfExists(MARKER);
    }

    @AfterEach
    void close() {
        m.close();
    }

    private static Path ckpt(String name) {
        return Fixtures.path("ckpt/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"small_zip.pth", "small_legacy.pth"})
    void pthFormatsReadBackIdenticalToSafetensors(String name) {
        Map<String, NDArray> expected = Safetensors.read(ckpt("small.safetensors"), m);
        Checkpoint c = Checkpoints.read(ckpt(name), m);
        assertThat(c.stateDict().keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((k, v) -> {
            NDArray a = c.stateDict().get(k);
            assertThat(a.getDataType()).as(k).isEqualTo(v.getDataType());
            assertThat(a.getShape()).as(k).isEqualTo(v.getShape());
            assertThat(Safetensors.bytes(a)).as(k).isEqualTo(Safetensors.bytes(v));
        });
        assertThat(c.stateDict().get("e.i64").toLongArray()).containsExactly(-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8);
        // floating-point weights of every width arrive as float32
        for (String k : List.of("a.f32", "b.f16", "c.bf16", "d.f64")) {
            assertThat(c.stateDict().get(k).getDataType()).as(k).isEqualTo(DataType.FLOAT32);
        }
        assertThat(c.stateDict().get("f.u8").getDataType()).isEqualTo(DataType.UINT8);
        assertThat(c.stateDict().get("g.bool").toBooleanArray()).containsExactly(true, false, true);
        assertThat(c.stateDict().get("j.scalar").getShape().dimension()).isZero();
    }

    @Test
    void mmsegCheckpointWithMetaOptimizerAndAnMmengineObject() {
        Checkpoint c = Checkpoints.read(ckpt("mmseg_zip.pth"), m);
        assertThat(KeyMap.detect(c.stateDict())).isEqualTo(KeyMap.Layout.MMSEG);
        assertThat(c.classes()).containsExactly("road", "sidewalk", "building", "wall", "fence");
        assertThat(c.palette()[0]).containsExactly(128, 64, 128);
        assertThat(c.iteration()).isEqualTo(40000);
        assertThat(c.optimizer()).isInstanceOf(Map.class);
        assertThat(String.valueOf(c.meta().get("message_hub")))
                .contains("mmengine.logging.history_buffer.HistoryBuffer");
        EncoderDecoder model = new EncoderDecoder(
                m, Config.load(Fixtures.path("parity_r18.yaml").toString()).model());
        LoadReport report = model.loadStateDict(c.stateDict());
        assertThat(report.clean()).as(report.toString()).isTrue();
    }

    @Test
    void legacyZooLayoutWithUppercaseMeta() {
        Checkpoint zip = Checkpoints.read(ckpt("mmseg_zip.pth"), m);
        Checkpoint legacy = Checkpoints.read(ckpt("mmseg_legacy.pth"), m);
        assertThat(legacy.classes()).containsExactly("road", "sidewalk", "building", "wall", "fence");
        assertThat(legacy.palette()[4]).containsExactly(190, 153, 153);
        assertThat(legacy.iteration()).isEqualTo(80000);
        assertThat(legacy.stateDict().keySet())
                .containsExactlyElementsOf(zip.stateDict().keySet());
        zip.stateDict()
                .forEach((k, v) -> assertThat(
                                Safetensors.bytes(legacy.stateDict().get(k)))
                        .as(k)
                        .isEqualTo(Safetensors.bytes(v)));
    }

    @Test
    void torchvisionFcnRunsWithTorchvisionsOutputs() {
        Checkpoint c = Checkpoints.read(ckpt("tv_fcn.pth"), m);
        assertThat(KeyMap.detect(c.stateDict())).isEqualTo(KeyMap.Layout.TORCHVISION_FCN);
        Map<String, NDArray> io = Safetensors.read(ckpt("tv_fcn_io.safetensors"), m);
        EncoderDecoder model = new EncoderDecoder(
                m, Config.load(ckpt("tv_fcn.yaml").toString()).model());
        LoadReport report = model.loadStateDict(KeyMap.toMmseg(c.stateDict()));
        assertThat(report.clean()).as(report.toString()).isTrue();
        model.eval();
        NDArray x = io.get("input");
        assertClose("out", model.encodeDecode(x), io.get("out"), 1e-5);
        NDArray aux = model.forward(x).auxiliary();
        assertClose("aux", Functional.resizeBilinear(aux, 61, 83, false), io.get("aux"), 1e-5);
    }

    @Test
    void torchvisionFullSizeFcnResnet50WhenGenerated() {
        String dir = System.getenv("FCN4J_TORCHVISION_FULL");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dir != null,
                "set FCN4J_TORCHVISION_FULL to the --full directory of gen_checkpoints.py (140 MB, not committed)");
        Checkpoint c = Checkpoints.read(Path.of(dir, "fcn_resnet50.pth"), m);
        Map<String, NDArray> io = Safetensors.read(Path.of(dir, "fcn_resnet50_io.safetensors"), m);
        EncoderDecoder model =
                new EncoderDecoder(m, Config.load("torchvision_fcn_resnet50").model());
        LoadReport report = model.loadStateDict(c.stateDict());
        assertThat(report.clean()).as(report.toString()).isTrue();
        model.eval();
        assertClose("out", model.encodeDecode(io.get("input")), io.get("out"), 1e-5);
    }

    @Test
    void fineTuningWithAnotherClassCountReinitialisesConvSegWithAWarning() {
        Checkpoint c = Checkpoints.read(ckpt("mmseg_zip.pth"), m);
        EncoderDecoder model = new EncoderDecoder(
                m,
                Config.load(
                                Fixtures.path("parity_r18.yaml").toString(),
                                List.of("model.decode_head.num_classes=3", "model.auxiliary_head.num_classes=3"))
                        .model());
        NDArray freshSeg = model.decodeHead().convSeg().weight().get().duplicate();
        List<String> warnings = new java.util.ArrayList<>();
        LoadReport report = CheckpointLoader.loadInto(model, c, warnings::add);
        assertThat(report.shapeMismatch()).hasSize(4).allMatch(k -> k.contains("conv_seg."));
        assertThat(report.missing()).isEmpty();
        assertThat(warnings.get(0))
                .startsWith(
                        "re-initialising decode_head.conv_seg.weight (checkpoint (5, 16, 1, 1), model (3, 16, 1, 1))");
        assertThat(model.decodeHead().convSeg().weight().get().toFloatArray()).containsExactly(freshSeg.toFloatArray());
        assertClose(
                "loaded backbone weight",
                model.stateDict().get("backbone.stem.0.weight").get(),
                c.stateDict().get("backbone.stem.0.weight"),
                0);
    }

    @Test
    void backboneOnlyCheckpointsGetTheBackbonePrefixAndLoseFc() {
        Map<String, NDArray> torchvisionResnet = new java.util.LinkedHashMap<>();
        torchvisionResnet.put("conv1.weight", m.zeros(new ai.djl.ndarray.types.Shape(1)));
        torchvisionResnet.put("layer1.0.conv1.weight", m.zeros(new ai.djl.ndarray.types.Shape(1)));
        torchvisionResnet.put("fc.weight", m.zeros(new ai.djl.ndarray.types.Shape(1)));
        assertThat(KeyMap.detect(torchvisionResnet)).isEqualTo(KeyMap.Layout.BACKBONE);
        assertThat(KeyMap.toMmseg(torchvisionResnet, KeyMap.Layout.BACKBONE).keySet())
                .containsExactly("backbone.conv1.weight", "backbone.layer1.0.conv1.weight");
        Map<String, NDArray> v1c = Map.of("stem.0.weight", m.zeros(new ai.djl.ndarray.types.Shape(1)));
        assertThat(KeyMap.toMmseg(v1c, KeyMap.detect(v1c)).keySet()).containsExactly("backbone.stem.0.weight");
        Map<String, NDArray> dataParallel =
                Map.of("module.backbone.stem.0.weight", m.zeros(new ai.djl.ndarray.types.Shape(1)));
        assertThat(KeyMap.toMmseg(dataParallel, KeyMap.detect(dataParallel)).keySet())
                .containsExactly("backbone.stem.0.weight");
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil_os_system.pth", "evil_eval.pth", "evil_unknown.pth"})
    void picklesNamingCodeAreRefusedAndNothingRuns(String name) {
        assertThatThrownBy(() -> Checkpoints.read(ckpt(name), m))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("refusing global");
        assertThat(MARKER).doesNotExist();
    }

    @Test
    void refusalNamesTheGlobal() {
        assertThatThrownBy(() -> Checkpoints.read(ckpt("evil_os_system.pth"), m))
                .hasMessageContaining("refusing global posix.system");
        assertThatThrownBy(() -> Checkpoints.read(ckpt("evil_eval.pth"), m))
                .hasMessageContaining("refusing global __builtin__.eval");
    }

    @Test
    void aNonTensorInsideTheStateDictIsAClearError() {
        assertThatThrownBy(() -> Checkpoints.read(ckpt("opaque_in_state.pth"), m))
                .hasMessageContaining(
                        "state_dict entry 'hub' is an object of class mmengine.logging.history_buffer.HistoryBuffer");
    }

    @Test
    void truncatedFilesAndShortStoragesAreRefused() throws IOException {
        assertThatThrownBy(() -> Checkpoints.read(ckpt("short_storage.pth"), m))
                .hasMessageContaining("storage '0' needs 400 bytes but its zip entry holds 40");
        for (String name : List.of("small_zip.pth", "small_legacy.pth", "mmseg_legacy.pth")) {
            byte[] all = Files.readAllBytes(ckpt(name));
            for (int cut : new int[] {all.length / 3, all.length - 7}) {
                Path truncated = tmp.resolve("cut_" + cut + "_" + name);
                Files.write(truncated, java.util.Arrays.copyOf(all, cut));
                assertThatThrownBy(() -> Checkpoints.read(truncated, m))
                        .as(name + " cut at " + cut)
                        .isInstanceOf(CheckpointException.class)
                        .hasMessageStartingWith(truncated.toString());
            }
        }
        Path junk = tmp.resolve("junk.pth");
        Files.writeString(junk, "hello");
        assertThatThrownBy(() -> Checkpoints.read(junk, m)).hasMessageContaining("not a PyTorch checkpoint");
    }
}
