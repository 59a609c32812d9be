package org.fcn4j.cli.serve;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the work and memory of segmentation: at most {@code workers} requests run the model, at most
 * {@code queue} more are admitted to wait (holding their body and decoded image), and anything beyond is
 * refused at once, before its body is read, instead of piling up.
 */
final class Admission {
    private final Semaphore admitted;
    private final Semaphore workers;
    private final AtomicInteger running = new AtomicInteger();
    private final int capacity;

    Admission(int workers, int queue) {
        this.capacity = workers + queue;
        this.admitted = new Semaphore(capacity);
        this.workers = new Semaphore(workers, true); // fair: first admitted, first run
    }

    /** Takes a place among the admitted, or returns false when all are taken. */
    boolean tryEnter() {
        return admitted.tryAcquire();
    }

    /** Gives back the place taken by {@link #tryEnter}. */
    void leave() {
        admitted.release();
    }

    /** Waits up to {@code timeoutNanos} for a worker; true when one was taken (give it back with {@link #releaseWorker}). */
    boolean awaitWorker(long timeoutNanos) throws InterruptedException {
        if (!workers.tryAcquire(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS)) {
            return false;
        }
        running.incrementAndGet();
        return true;
    }

    void releaseWorker() {
        running.decrementAndGet();
        workers.release();
    }

    /** Admitted requests not running the model yet (reading their body, decoding, or waiting for a worker). */
    int queueDepth() {
        return Math.max(0, capacity - admitted.availablePermits() - running.get()); // two reads: clamp a race
    }

    int running() {
        return running.get();
    }

    int capacity() {
        return capacity;
    }
}
