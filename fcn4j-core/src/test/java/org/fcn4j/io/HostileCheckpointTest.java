package org.fcn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.fcn4j.Fixtures;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile corpus of tools/fixtures/gen_hostile.py (its {@code --check} shows that each code-running file
 * does run under {@code torch.load}): every file in the directory, including ones added later, is refused with
 * one of fcn4j's exceptions whose single-line message starts with the file, nothing is executed, and reading
 * it allocates a bounded amount of heap.
 */
class HostileCheckpointTest {
    static final Path MARKER = Path.of("/tmp/fcn4j-pickle-executed");
    /** Unpickling is bounded at ~64 MiB of objects (Unpickler.MAX_VALUES); the rest is buffers. */
    static final long HEAP_BOUND = 160L << 20;

    private NDManager m;

    @BeforeEach
    void open() throws IOException {
        m = Torch.newManager();
        Files.deleteIfExists(MARKER);
    }

    @AfterEach
    void close() {
        m.close();
    }

    static Path corpus() {
        return Fixtures.path("ckpt/hostile");
    }

    static Stream<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(corpus())) {
            return s
                    .filter(p -> !p.getFileName().toString().endsWith(".tsv"))
                    .sorted()
                    .collect(Collectors.toList())
                    .stream();
        }
    }

    static Map<String, String> expected() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(corpus().resolve("expected.tsv"))) {
            if (!line.startsWith("#")) {
                String[] kv = line.split("\t", 2);
                out.put(kv[0], kv[1]);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void isRefusedWithOneLineNamingTheFileAndTheProblem(Path file) throws IOException {
        long heapBefore = allocatedBytes();
        Throwable thrown = catchThrowable(() -> Checkpoints.read(file, m));
        long heap = allocatedBytes() - heapBefore;
        assertThat(thrown).as(file.getFileName().toString()).isInstanceOf(CheckpointException.class);
        assertThat(thrown.getMessage()).startsWith(file.toString()).doesNotContain("\n");
        String fragment = expected().get(file.getFileName().toString());
        if (fragment != null) {
            assertThat(thrown.getMessage()).contains(fragment);
        }
        assertThat(MARKER).as("a payload ran").doesNotExist();
        assertThat(heap).as("heap allocated reading " + file.getFileName()).isLessThan(HEAP_BOUND);
    }

    @Test
    void everyExpectationNamesAFileOfTheCorpusAndTheCorpusCoversEveryCallingOpcode() throws IOException {
        List<String> names = files().map(p -> p.getFileName().toString()).collect(Collectors.toList());
        assertThat(names).containsAll(expected().keySet());
        assertThat(names).hasSizeGreaterThan(100);
        for (String path : List.of(
                "reduce",
                "inst",
                "obj",
                "newobj",
                "newobj_ex",
                "build_setstate",
                "ext1",
                "ext2",
                "ext4",
                "stack_global_getattr_import",
                "stack_global_importlib",
                "stack_global_dotted_through_torch")) {
            assertThat(names)
                    .as(path)
                    .contains("zip_state_dict_" + (path.equals("reduce") ? "reduce_posix_system" : path) + ".pth");
        }
        for (String context : List.of(
                "zip_root",
                "zip_meta",
                "zip_optimizer",
                "zip_persistent_id",
                "legacy_magic_pickle",
                "legacy_protocol_pickle",
                "legacy_sys_info_pickle",
                "legacy_state_dict",
                "legacy_storage_keys_pickle")) {
            assertThat(names).as(context).contains(context + "_reduce_posix_system.pth");
        }
    }

    /** Bytes this thread allocated on the heap so far (HotSpot's per-thread counter). */
    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
