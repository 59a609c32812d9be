package org.fcn4j.cli;

import java.io.PrintStream;

/** A one-line progress counter with ETA on a terminal; silent (but for messages) otherwise. */
final class Progress {
    private final String task;
    private final int total;
    private final long start = System.nanoTime();
    private final boolean terminal = System.console() != null;
    private final PrintStream err = System.err;
    private int done;

    Progress(String task, int total) {
        this.task = task;
        this.total = total;
    }

    void step() {
        done++;
        if (terminal) {
            double elapsed = (System.nanoTime() - start) / 1e9;
            double eta = done == 0 ? 0 : elapsed / done * (total - done);
            err.printf("\r%s %d/%d [%3.0f%%] %.1fs elapsed, ETA %.1fs   ", task, done, total, 100.0 * done / total, elapsed, eta);
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
