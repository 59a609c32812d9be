package org.fcn4j.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress counter with ETA on a terminal; otherwise (a log file, CI) a plain line at most every
 * {@link #LOG_EVERY_S} seconds, so long jobs still show they move.
 */
final class Progress {
    private final String task;
    private final long total;
    private final long start = System.nanoTime();
    private final boolean terminal = System.console() != null;
    private final PrintStream err = System.err;
    private long done;
    private double lastLogged;

    static final double LOG_EVERY_S = 30;

    Progress(String task, long total) {
        this.task = task;
        this.total = total;
    }

    void step() {
        step(done + 1, "");
    }

    /** Shows {@code count} of the total done, with a note (e.g. the current loss). */
    void step(long count, String note) {
        done = count;
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = elapsed / done * (total - done);
        if (terminal) {
            err.print(line("\r%s %d/%d [%3.0f%%] %s%.1fs elapsed, ETA %.1fs   ", note, elapsed, eta));
        } else if (elapsed - lastLogged >= LOG_EVERY_S && done < total) {
            lastLogged = elapsed;
            err.print(line("%s %d/%d (%.0f%%) %s%.0f s elapsed, ETA %.0f s%n", note, elapsed, eta));
        }
    }

    private String line(String pattern, String note, double elapsed, double eta) {
        return String.format(Locale.ROOT, pattern, task, done, total, 100.0 * done / total, note, elapsed, eta);
    }

    /** A line that stays on screen (the counter redraws below it). */
    void message(String line) {
        if (terminal) {
            err.print("\r");
        }
        err.println(line);
    }

    /**
     * A byte counter for a file being written ({@code total} bytes expected), shown in MiB and redrawn only when
     * the MiB count changes; call {@link #done()} at the end.
     */
    static Progress ofBytes(String task, long total) {
        return new Progress(task + " (MiB)", Math.max(1, total >> 20));
    }

    /** Feeds {@link #ofBytes} a running byte count. */
    void bytes(long written) {
        long mib = Math.min(total, written >> 20);
        if (mib > done) {
            step(mib, "");
        }
    }

    void done() {
        if (terminal) {
            err.println();
        }
    }
}
