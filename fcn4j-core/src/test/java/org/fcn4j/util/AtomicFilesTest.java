package org.fcn4j.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte count AtomicFiles reports for progress bars; the temp files a killed writer leaves behind. */
class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void theByteCountEndsAtTheFilesSizeAndOnlyGrows() throws Exception {
        List<Long> counts = new ArrayList<>();
        Path file = tmp.resolve("f.bin");
        AtomicFiles.write(
                file,
                out -> {
                    out.write(new byte[3000]);
                    out.write(7);
                    out.write(new byte[100], 10, 50);
                },
                counts::add);
        assertThat(Files.size(file)).isEqualTo(3051);
        assertThat(counts).containsExactly(3000L, 3001L, 3051L);
    }

    @Test
    void removeLeftoversDeletesOnlyTheTempFilesWriteCreates() throws Exception {
        Path left = Files.createTempFile(tmp, ".iter_4.pth", ".tmp"); // the name write gives a temp file
        Files.writeString(tmp.resolve("iter_4.pth"), "complete");
        Files.writeString(tmp.resolve("notes.tmp"), "a user's file");
        Files.writeString(tmp.resolve(".hidden"), "another");
        assertThat(AtomicFiles.removeLeftovers(tmp))
                .containsExactly(left.getFileName().toString());
        try (var files = Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("iter_4.pth", "notes.tmp", ".hidden");
        }
        assertThat(AtomicFiles.removeLeftovers(tmp.resolve("absent"))).isEmpty();
    }
}
