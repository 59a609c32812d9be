package org.fcn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A damaged checkpoint is reported, never turned into weights: the zip format's CRC-32s are checked, files
 * fcn4j writes as safetensors carry a SHA-256 of their data, and a file cut short anywhere is refused.
 */
class CheckpointIntegrityTest {
    @TempDir
    Path tmp;

    private NDManager m;

    @BeforeEach
    void open() {
        m = Torch.newManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    @Test
    void aFlippedByteInAStoredTensorEntryIsReportedNotTurnedIntoWeights() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path("ckpt/small_zip.pth"));
        all[dataOffset(all, "small_zip/data/4") + 5] ^= 0x01;
        Path flipped = tmp.resolve("flipped.pth");
        Files.write(flipped, all);
        assertThatThrownBy(() -> Checkpoints.read(flipped, m))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(flipped + ": zip entry small_zip/data/4 fails its CRC-32 check");
    }

    @Test
    void everySingleFlippedByteOfAZipCheckpointIsRefusedOrChangesNoTensor() throws IOException {
        byte[] original = Files.readAllBytes(Fixtures.path("ckpt/small_zip.pth"));
        Map<String, String> expected = contents(Checkpoints.read(Fixtures.path("ckpt/small_zip.pth"), m));
        Path file = tmp.resolve("flipped.pth");
        int refused = 0;
        for (int at = 0; at < original.length; at++) {
            byte[] all = original.clone();
            all[at] ^= 0x10;
            Files.write(file, all);
            try (NDManager each = Torch.newManager()) {
                Checkpoint read;
                try {
                    read = Checkpoints.read(file, each);
                } catch (CheckpointException e) {
                    assertThat(e.getMessage()).startsWith(file.toString()).doesNotContain("\n");
                    refused++;
                    continue;
                }
                assertThat(contents(read)).as("byte %d flipped", at).containsExactlyEntriesOf(expected);
            }
        }
        // flips in fields no reader uses (times, versions, torch's alignment padding) change nothing
        assertThat(refused).isGreaterThan(original.length / 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"small_zip.pth", "small_legacy.pth", "small.safetensors"})
    void aFileCutAtAnyOffsetIsRefusedWithOneLine(String name) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path("ckpt/" + name));
        Path cut = tmp.resolve("cut_" + name);
        for (int length = 0; length < all.length; length++) {
            Files.write(cut, Arrays.copyOf(all, length));
            try (NDManager each = Torch.newManager()) {
                Throwable thrown = catchThrowable(() -> Checkpoints.read(cut, each));
                assertThat(thrown).as("cut at %d", length).isInstanceOf(CheckpointException.class);
                assertThat(thrown.getMessage())
                        .as("cut at %d", length)
                        .startsWith(cut.toString())
                        .doesNotContain("\n");
            }
        }
    }

    @Test
    void safetensorsFcn4jWritesCarryTheSha256OfTheirDataAndEveryAlteredDataByteIsRefused() throws Exception {
        Map<String, NDArray> small = Safetensors.read(Fixtures.path("ckpt/small.safetensors"), m);
        Path file = tmp.resolve("small.safetensors");
        Safetensors.write(small, Map.of("format", "pt"), file);
        byte[] all = Files.readAllBytes(file);
        int dataStart =
                8 + (int) ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] payload = Arrays.copyOfRange(all, dataStart, all.length);
        String digest =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        assertThat(Safetensors.readWithMetadata(file, m).metadata())
                .containsEntry(Safetensors.DIGEST_KEY, digest)
                .containsEntry("format", "pt");
        assertThat(new String(all, 8, dataStart - 8, StandardCharsets.UTF_8))
                .contains("\"fcn4j.sha256\":\"" + digest + "\"");
        for (int at = dataStart; at < all.length; at++) {
            byte[] altered = all.clone();
            altered[at] ^= 0x01;
            Files.write(file, altered);
            try (NDManager each = Torch.newManager()) {
                assertThatThrownBy(() -> Safetensors.read(file, each))
                        .as("data byte %d", at - dataStart)
                        .hasMessage(
                                file + ": the tensor data does not match its fcn4j.sha256 digest: the file is corrupt"
                                        + " or was altered");
            }
        }
    }

    @Test
    void safetensorsFromElsewhereHaveNoDigestAndReadAsBefore() {
        Safetensors.Contents c = Safetensors.readWithMetadata(Fixtures.path("ckpt/small.safetensors"), m);
        assertThat(c.metadata()).doesNotContainKey(Safetensors.DIGEST_KEY);
        assertThat(c.tensors()).hasSize(10);
    }

    /** Where an entry's data starts: after its local header (30 bytes), its name and its extra field. */
    static int dataOffset(byte[] zip, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int at = 30; at + n.length <= zip.length; at++) {
            if (Arrays.equals(zip, at, at + n.length, n, 0, n.length)) {
                ByteBuffer header = ByteBuffer.wrap(zip, at - 30, 30).order(ByteOrder.LITTLE_ENDIAN);
                int extra = header.getShort(at - 30 + 28) & 0xffff;
                return at + n.length + extra;
            }
        }
        throw new IllegalArgumentException(name + " not in the archive");
    }

    private static Map<String, String> contents(Checkpoint c) {
        Map<String, String> out = new LinkedHashMap<>();
        c.stateDict()
                .forEach((k, v) -> out.put(
                        k + " " + v.getDataType() + " " + v.getShape(),
                        HexFormat.of().formatHex(Safetensors.bytes(v))));
        return out;
    }
}
