package org.fcn4j.fuzz;

import ai.djl.ndarray.NDManager;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigLoader;
import org.fcn4j.data.DataException;
import org.fcn4j.data.Images;
import org.fcn4j.io.Checkpoint;
import org.fcn4j.io.CheckpointException;
import org.fcn4j.io.Checkpoints;
import org.fcn4j.io.pickle.PickleException;
import org.fcn4j.io.pickle.Unpickler;
import org.fcn4j.nn.Torch;

/**
 * Coverage-guided fuzz targets for the parsers that take outside bytes (Jazzer): the unpickler, checkpoints,
 * images, label maps, YAML configs and {@code --cfg-options}. Each asserts the contract: a result, or fcn4j's
 * named exception for that input kind; any other throwable (an NPE, an index error, an OutOfMemoryError, a
 * StackOverflowError) fails, and so does a parse that allocates more than its target's bound, stated
 * beside each target as a function of the input's size ({@link Allocation}). The suite replays the
 * committed seeds and any crash inputs in ParserFuzzTestInputs/ (regression mode), then fuzzes each target
 * for a few seconds (fcn4j-core's pom, {@code fuzz.seconds}); {@code tools/fuzz/campaign.sh} runs long ones.
 */
class ParserFuzzTest {
    private static final long MAX_PIXELS = 1L << 22;
    private static final long MIB = 1L << 20;

    private static Path file(String suffix, byte[] data) throws Exception {
        Path f = Files.createTempFile("fcn4j-fuzz", suffix);
        Files.write(f, data);
        return f;
    }

    /**
     * Checkpoints: at most 16 MiB + 64 heap bytes per input byte (the unpickler's values, the zip directory),
     * and tensors of at most {@link #tensorBound} bytes in all (native memory, outside the heap).
     */
    private static void checkpoint(String suffix, byte[] data) throws Exception {
        Path f = file(suffix, data);
        try (NDManager m = Torch.newManager()) {
            Checkpoint c = Allocation.bounded(16 * MIB + 64L * data.length, () -> Checkpoints.read(f, m));
            long tensorBytes = c.stateDict().values().stream()
                    .mapToLong(t -> t.size() * t.getDataType().getNumOfBytes())
                    .sum();
            if (tensorBytes > tensorBound(data.length)) {
                throw new AssertionError(tensorBytes + " bytes of tensors from a " + data.length + "-byte file");
            }
        } catch (CheckpointException expected) {
            // refusing is the contract for a bad file
        } finally {
            Files.delete(f);
        }
    }

    /** Overlapping views may show each stored byte up to 4 times, plus 64 MiB of slack (PickleGraph's limits). */
    private static long tensorBound(long fileBytes) {
        return 4 * fileBytes + 64 * MIB;
    }

    /** Any pickle, every global allowed as an opaque class: at most 16 MiB + 64 heap bytes per input byte. */
    @FuzzTest(maxDuration = "60s")
    void unpickler(byte[] data) {
        try {
            Allocation.bounded(
                    16 * MIB + 64L * data.length,
                    () -> Unpickler.load(ByteBuffer.wrap(data), global -> Unpickler.OPAQUE, pid -> pid));
        } catch (PickleException expected) {
            // refused, cut short, or beyond the unpickler's limits
        }
    }

    @FuzzTest(maxDuration = "60s")
    void pth(byte[] data) throws Exception {
        checkpoint(".pth", data);
    }

    @FuzzTest(maxDuration = "60s")
    void safetensors(byte[] data) throws Exception {
        checkpoint(".safetensors", data);
    }

    /** Images: at most 16 MiB + 64 bytes per input byte + 32 per pixel the limit allows (rasters, the RGB copy). */
    @FuzzTest(maxDuration = "60s")
    void image(byte[] data) {
        try {
            Allocation.bounded(
                    16 * MIB + 64L * data.length + 32 * MAX_PIXELS, () -> Images.decodeRgb(data, "fuzz", MAX_PIXELS));
        } catch (DataException expected) {
            // a corrupt, truncated or oversized image
        }
    }

    /** Configs: at most 32 MiB (the presets a file may name) + 4 KiB per input byte (YAML nodes, merges). */
    @FuzzTest(maxDuration = "60s")
    void config(byte[] data) throws Exception {
        Path f = file(".yaml", data);
        try {
            Allocation.bounded(32 * MIB + 4096L * data.length, () -> ConfigLoader.load(f.toString(), List.of()));
        } catch (ConfigException expected) {
            // a malformed or unknown config
        } finally {
            Files.delete(f);
        }
    }

    /** Label maps: as images, with 8 bytes per allowed pixel (the raster and the int samples). */
    @FuzzTest(maxDuration = "60s")
    void labelMap(byte[] data) throws Exception {
        Path f = file(".png", data);
        try {
            Allocation.bounded(16 * MIB + 64L * data.length + 8 * MAX_PIXELS, () -> Images.readLabel(f, MAX_PIXELS));
        } catch (DataException expected) {
            // not a one-channel PNG
        } finally {
            Files.delete(f);
        }
    }

    /** One {@code --cfg-options} entry applied to a small preset: as configs. */
    @FuzzTest(maxDuration = "60s")
    void cfgOptions(byte[] data) {
        String option = new String(data, java.nio.charset.StandardCharsets.UTF_8);
        try {
            Allocation.bounded(
                    32 * MIB + 4096L * data.length, () -> ConfigLoader.load("fcn_demo_synthetic", List.of(option)));
        } catch (ConfigException expected) {
            // a malformed override
        }
    }
}
