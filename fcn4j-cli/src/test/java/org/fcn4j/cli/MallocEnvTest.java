package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's allocator choice (malloc-env.sh, sourced by ./fcn4j): jemalloc where found, glibc's settings always. */
class MallocEnvTest {
    private static final Path SCRIPT = Path.of("..", "malloc-env.sh").toAbsolutePath();
    private static final String GLIBC = "1|1073741824|17179869184";

    @TempDir
    Path dir;

    @Test
    void preloadsTheNamedJemallocWithReuseSettings() throws Exception {
        Path lib = Files.createFile(dir.resolve("libjemalloc.so.2"));
        assertThat(source(Map.of("FCN4J_JEMALLOC", lib.toString())))
                .isEqualTo(lib + "|narenas:1,dirty_decay_ms:-1,muzzy_decay_ms:-1|" + GLIBC);
    }

    @Test
    void glibcOnRequestOrWhenTheLibraryIsMissing() throws Exception {
        Path lib = Files.createFile(dir.resolve("libjemalloc.so.2"));
        assertThat(source(Map.of("FCN4J_JEMALLOC", lib.toString(), "FCN4J_MALLOC", "glibc")))
                .isEqualTo("||" + GLIBC);
        // a named library that is not there falls through to the system's (this machine may have one) or to glibc
        String missing =
                source(Map.of("FCN4J_JEMALLOC", dir.resolve("absent.so").toString()));
        assertThat(missing).doesNotContain("absent.so").endsWith(GLIBC);
    }

    @Test
    void leavesWhatTheUserSet() throws Exception {
        Path lib = Files.createFile(dir.resolve("libjemalloc.so.2"));
        assertThat(source(Map.of("FCN4J_JEMALLOC", lib.toString(), "LD_PRELOAD", "/opt/libtcmalloc.so")))
                .isEqualTo("/opt/libtcmalloc.so||" + GLIBC);
        assertThat(source(Map.of(
                        "FCN4J_JEMALLOC", lib.toString(),
                        "MALLOC_CONF", "narenas:4",
                        "MALLOC_ARENA_MAX", "2")))
                .isEqualTo(lib + "|narenas:4|2|1073741824|17179869184");
    }

    /** Sources the script in a clean bash with {@code env} and returns the variables it leaves, '|'-separated. */
    private static String source(Map<String, String> env) throws IOException, InterruptedException {
        // bash's own echo, so no new process starts with a made-up LD_PRELOAD
        ProcessBuilder pb = new ProcessBuilder(
                "bash",
                "-c",
                ". \"$0\"; echo \"${LD_PRELOAD:-}|${MALLOC_CONF:-}|$MALLOC_ARENA_MAX|$MALLOC_MMAP_THRESHOLD_|"
                        + "$MALLOC_TRIM_THRESHOLD_\"",
                SCRIPT.toString());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().putAll(env);
        // the dynamic loader complains on stderr about a made-up user LD_PRELOAD, and starts bash anyway
        Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
