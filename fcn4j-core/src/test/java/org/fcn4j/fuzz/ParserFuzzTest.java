package org.fcn4j.fuzz;

import ai.djl.ndarray.NDManager;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigLoader;
import org.fcn4j.data.DataException;
import org.fcn4j.data.Images;
import org.fcn4j.io.CheckpointException;
import org.fcn4j.io.Checkpoints;
import org.fcn4j.nn.Torch;

/**
 * Coverage-guided fuzz targets for the parsers that take outside bytes (Jazzer): checkpoints, images, label maps,
 * YAML configs and {@code --cfg-options}. Each asserts the contract: a
 * result, or fcn4j's named exception for that input kind; any other throwable (an NPE, an index error, an
 * OutOfMemoryError, a StackOverflowError) fails. The suite replays the committed seeds and any crash inputs in
 * ParserFuzzTestInputs/ (regression mode); {@code JAZZER_FUZZ=1 ./mvnw test -pl fcn4j-core -Dtest=ParserFuzzTest#TARGET}
 * fuzzes one target for its maxDuration.
 */
class ParserFuzzTest {
    private static final long MAX_PIXELS = 1L << 22;

    private static Path file(String suffix, byte[] data) throws Exception {
        Path f = Files.createTempFile("fcn4j-fuzz", suffix);
        Files.write(f, data);
        return f;
    }

    private static void checkpoint(String suffix, byte[] data) throws Exception {
        Path f = file(suffix, data);
        try (NDManager m = Torch.newManager()) {
            Checkpoints.read(f, m);
        } catch (CheckpointException expected) {
            // refusing is the contract for a bad file
        } finally {
            Files.delete(f);
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

    @FuzzTest(maxDuration = "60s")
    void image(byte[] data) {
        try {
            Images.decodeRgb(data, "fuzz", MAX_PIXELS);
        } catch (DataException expected) {
            // a corrupt, truncated or oversized image
        }
    }

    @FuzzTest(maxDuration = "60s")
    void config(byte[] data) throws Exception {
        Path f = file(".yaml", data);
        try {
            ConfigLoader.load(f.toString(), List.of());
        } catch (ConfigException expected) {
            // a malformed or unknown config
        } finally {
            Files.delete(f);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void labelMap(byte[] data) throws Exception {
        Path f = file(".png", data);
        try {
            Images.readLabel(f);
        } catch (DataException expected) {
            // not a one-channel PNG
        } finally {
            Files.delete(f);
        }
    }

    /** One {@code --cfg-options} entry applied to a small preset. */
    @FuzzTest(maxDuration = "60s")
    void cfgOptions(byte[] data) {
        try {
            ConfigLoader.load("fcn_demo_synthetic", List.of(new String(data, java.nio.charset.StandardCharsets.UTF_8)));
        } catch (ConfigException expected) {
            // a malformed override
        }
    }
}
