package org.fcn4j.cli;

import java.io.PrintStream;

/** A one-line progress counter with ETA on a terminal; silent (but for messages) otherwise. */
final class Progress {
    private final String task;
    private final long total;
    private final long start = System.nanoTime();
    private final boolean terminal = System.console() != null;
    private final PrintStream err = System.err;
    private long done;

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
        if (terminal) {
            double elapsed = (System.nanoTime() - start) / 1e9;
            double eta = elapsed / done * (total - done);
            err.printf(
                    "\r%s %d/%d [%3.0f%%] %s%.1fs elapsed, ETA %.1fs   ",
                    task, done, total, 100.0 * done / total, note, elapsed, eta);
        }
    }

    /** A line that stays on screen (the counter redraws below it). */
    void message(String line) {
        if (terminal) {
            err.print("\r");
        }
        err.println(line);
    }

    void done() {
        if (terminal) {
            err.println();
        }
    }
}
