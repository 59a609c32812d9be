package org.fcn4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's peak resident set size so far: VmHWM in /proc/self/status (Linux only). */
public final class PeakMemory {
    private PeakMemory() {}

    /** Peak RSS in MiB, or NaN where /proc is not available. */
    public static double mebibytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    // "VmHWM:   123456 kB"
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
