package org.fcn4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointWriteTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"out.pth", "out.safetensors"})
    void writtenFilesReadBackIdenticallyWithMeta(String name) {
        try (NDManager m = Torch.newManager()) {
            Checkpoint src = Checkpoints.read(Fixtures.path("ckpt/mmseg_zip.pth"), m);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("dataset_meta", Map.of("classes", src.classes(), "palette", List.of(List.of(1, 2, 3))));
            meta.put("iter", 12);
            Path out = tmp.resolve(name);
            Checkpoints.write(out, src.stateDict(), meta, null);
            Checkpoint back = Checkpoints.read(out, m);
            assertThat(back.classes()).isEqualTo(src.classes());
            assertThat(back.palette()[0]).containsExactly(1, 2, 3);
            assertThat(back.iteration()).isEqualTo(12);
            assertThat(back.stateDict().keySet())
                    .containsExactlyElementsOf(src.stateDict().keySet());
            src.stateDict()
                    .forEach((k, v) -> assertThat(
                                    Safetensors.bytes(back.stateDict().get(k)))
                            .as(k)
                            .isEqualTo(Safetensors.bytes(v)));
            assertThat(tmp.toFile().list()).containsExactly(name);
        }
    }

    @Test
    void everyDtypeRoundTripsThroughPth() {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> small = Safetensors.read(Fixtures.path("ckpt/small.safetensors"), m);
            Path out = tmp.resolve("small.pth");
            Checkpoints.write(out, small, Map.of(), null);
            Checkpoint back = Checkpoints.read(out, m);
            small.forEach((k, v) -> {
                assertThat(back.stateDict().get(k).getDataType()).as(k).isEqualTo(v.getDataType());
                assertThat(Safetensors.bytes(back.stateDict().get(k))).as(k).isEqualTo(Safetensors.bytes(v));
            });
        }
    }
}
