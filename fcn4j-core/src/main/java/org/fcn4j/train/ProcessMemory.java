package org.fcn4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory, as the kernel reports it (native libtorch memory included). */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** VmRSS in MiB from /proc/self/status, or NaN where there is no /proc. */
    public static double residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
