package org.fcn4j.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {
    @Test
    void growsByWhatTheProcessTouches() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/proc/self/clear_refs")), "needs Linux's /proc");
        // resets VmHWM to the present RSS (Linux >= 4.0), so earlier tests' peaks do not hide the growth
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        double before = ProcessMemory.peakResidentMb();
        // direct memory is outside the Java heap, so the JVM cannot have reserved it already
        ByteBuffer b = ByteBuffer.allocateDirect(256 << 20);
        for (int i = 0; i < b.capacity(); i += 4096) {
            b.put(i, (byte) 1);
        }
        double after = ProcessMemory.peakResidentMb();
        assertThat(before).isPositive();
        assertThat(after - before).isBetween(200.0, 300.0);
    }
}
