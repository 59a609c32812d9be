package org.fcn4j.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory, as the kernel reports it in /proc/self/status (native libtorch memory included). */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** Current resident set size (VmRSS) in MiB, or NaN where there is no /proc. */
    public static double residentMb() {
        return statusMb("VmRSS:");
    }

    /** Peak resident set size so far (VmHWM) in MiB, or NaN where there is no /proc. */
    public static double peakResidentMb() {
        return statusMb("VmHWM:");
    }

    /** A "Key:   123456 kB" line of /proc/self/status, in MiB. */
    private static double statusMb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
