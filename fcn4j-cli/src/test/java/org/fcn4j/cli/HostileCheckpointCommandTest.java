package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public command refuses every file of fcn4j-core's hostile-checkpoint corpus (tools/fixtures/gen_hostile.py)
 * the way a user sees it: one line naming the file and the problem, exit code 2, and no output file.
 */
class HostileCheckpointCommandTest {
    /** The corpus lives with the reader's tests; Maven runs this module's tests in fcn4j-cli/. */
    private static final Path CORPUS =
            Path.of("..", "fcn4j-core", "src", "test", "resources", "fixtures", "ckpt", "hostile");

    private static final Path MARKER = Path.of("/tmp/fcn4j-pickle-executed");

    @TempDir
    Path tmp;

    @Test
    void convertRefusesEveryHostileCheckpointWithOneLineAndWritesNothing() throws IOException {
        List<Path> corpus;
        try (Stream<Path> s = Files.list(CORPUS)) {
            corpus = s.filter(p -> !p.toString().endsWith(".tsv")).sorted().collect(Collectors.toList());
        }
        assertThat(corpus).hasSizeGreaterThan(100);
        Files.deleteIfExists(MARKER);
        for (Path evil : corpus) {
            Path in = Files.copy(evil, tmp.resolve(evil.getFileName()));
            for (String out : List.of("out.safetensors", "out.pth")) {
                CliRun r = CliRun.of("convert", in.toString(), tmp.resolve(out).toString());
                assertThat(r.code())
                        .as(evil.getFileName() + " -> " + out + ": " + r.err())
                        .isEqualTo(2);
                assertThat(r.err())
                        .as(evil.getFileName().toString())
                        .startsWith("error: " + in + ": ")
                        .endsWith("\n");
                assertThat(r.err().trim()).as(evil.getFileName().toString()).doesNotContain("\n");
                assertThat(r.out()).as(evil.getFileName().toString()).isEmpty();
            }
            assertThat(tmp.toFile().list())
                    .as("nothing written for " + evil.getFileName())
                    .containsExactly(in.getFileName().toString());
            Files.delete(in);
        }
        assertThat(MARKER).as("a payload ran").doesNotExist();
    }
}
