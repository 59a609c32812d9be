package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fcn4j.io.Safetensors;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoints users of the FCN paper's models have, through the commands: a torchfcn state dict and a
 * torchvision vgg16 state dict of a width-reduced VGG16 FCN-8s (tools/fixtures/gen_paper_checkpoints.py, which
 * also checks torchvision's own classifier against fc6/fc7 as convolutions), with the fcn8s preset narrowed by
 * --cfg-options as a user would.
 */
class PaperCheckpointsCommandTest {
    private static final String PRESET = "fcn8s_vgg16_1xb1-100k_voc12aug";
    private static final String[] WIDTH = {
        "--cfg-options",
        "model.backbone.base_channels=4",
        "model.backbone.fc_channels=16",
        "model.decode_head.in_channels=[16,32,16]",
        "model.decode_head.num_classes=5"
    };

    @TempDir
    Path tmp;

    @BeforeEach
    void copyFixtures() throws Exception {
        for (String f : new String[] {"torchfcn_fcn8s.pth", "tv_vgg16.pth", "image.png", "expected.safetensors"}) {
            Files.copy(Path.of(getClass().getResource("/paper_fcn/" + f).toURI()), tmp.resolve(f));
        }
    }

    private static String[] args(String... head) {
        List<String> all = new ArrayList<>(List.of(head));
        all.addAll(List.of(WIDTH));
        return all.toArray(new String[0]);
    }

    /** A (C, H, W) float32 .npy as fcn4j writes it: a 128-byte header, then little-endian floats. */
    private static float[] npy(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(128);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    @Test
    void aTorchfcnCheckpointPredictsPyTorchsLogits() throws Exception {
        CliRun r = CliRun.of(args(
                "predict",
                PRESET,
                tmp.resolve("torchfcn_fcn8s.pth").toString(),
                tmp.resolve("image.png").toString(),
                "--out-dir",
                tmp.resolve("out").toString(),
                "--save-logits"));
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.err()).as("every key matched").doesNotContain("warning");
        float[] got = npy(tmp.resolve("out/image.npy"));
        try (NDManager m = Torch.newManager()) {
            float[] want = Safetensors.read(tmp.resolve("expected.safetensors"), m)
                    .get("logits")
                    .toFloatArray();
            assertThat(got).hasSize(want.length);
            double scale = 0;
            double err = 0;
            for (int i = 0; i < want.length; i++) {
                scale = Math.max(scale, Math.abs(want[i]));
                err = Math.max(err, Math.abs(got[i] - want[i]));
            }
            // float32 through 15 convolutions and 3 deconvolutions: the parity tests' rtol
            assertThat(err / scale).isLessThan(1e-5);
        }
    }

    @Test
    void bothLayoutsConvertToTheSameTrunk() throws Exception {
        CliRun fcn = CliRun.of(args(
                "convert",
                tmp.resolve("torchfcn_fcn8s.pth").toString(),
                tmp.resolve("fcn.safetensors").toString(),
                "--config",
                PRESET));
        assertThat(fcn.code()).as(fcn.err()).isEqualTo(0);
        assertThat(fcn.out())
                .contains("39 tensors, TORCHFCN layout")
                .contains("against " + PRESET + ": all keys matched");

        CliRun tv = CliRun.of(args(
                "convert",
                tmp.resolve("tv_vgg16.pth").toString(),
                tmp.resolve("tv.safetensors").toString(),
                "--config",
                PRESET));
        assertThat(tv.code()).as(tv.err()).isEqualTo(0);
        assertThat(tv.out())
                .contains("32 tensors, TORCHVISION_VGG layout")
                .contains("note: dropped classifier.6 (fc8, torchvision's 10-class ImageNet classifier)")
                .contains("note: torchvision's VGG weights expect RGB input")
                .contains("missing keys in source state_dict: decode_head.score_fr.weight")
                .doesNotContain("unexpected")
                .doesNotContain("size mismatch");
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> fromFcn = Safetensors.read(tmp.resolve("fcn.safetensors"), m);
            Map<String, NDArray> fromTv = Safetensors.read(tmp.resolve("tv.safetensors"), m);
            assertThat(fromTv.keySet()).allMatch(k -> k.startsWith("backbone.")).hasSize(30);
            for (Map.Entry<String, NDArray> e : fromTv.entrySet()) {
                // a reshape moves no value: the same trunk, bit for bit
                assertThat(e.getValue().getShape())
                        .as(e.getKey())
                        .isEqualTo(fromFcn.get(e.getKey()).getShape());
                assertThat(e.getValue().toFloatArray())
                        .as(e.getKey())
                        .containsExactly(fromFcn.get(e.getKey()).toFloatArray());
            }
        }
    }

    @Test
    void aTorchvisionVggIsNoSegmentationModelForPredict() throws Exception {
        // ImageNet weights leave the score layers unset: inference refuses them (they are for load_from / convert)
        CliRun r = CliRun.of(args(
                "predict",
                PRESET,
                tmp.resolve("tv_vgg16.pth").toString(),
                tmp.resolve("image.png").toString(),
                "--out-dir",
                tmp.resolve("out").toString()));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("warning: dropped classifier.6");
        assertThat(r.err().lines().filter(l -> l.startsWith("error: ")))
                .singleElement()
                .asString()
                .contains("does not fit the config's model")
                .contains("missing, e.g. decode_head.score_fr.weight")
                .contains("--cfg-options model.decode_head.num_classes=N");
        assertThat(tmp.resolve("out")).doesNotExist();
    }
}
