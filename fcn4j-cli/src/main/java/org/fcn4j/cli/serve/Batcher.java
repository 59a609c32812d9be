package org.fcn4j.cli.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.fcn4j.image.RgbImage;
import org.fcn4j.infer.Segmentation;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.model.TestConfig;

/**
 * Micro-batching ({@code --batch-window}, {@code --max-batch}): requests for images of one size and inference
 * mode that arrive within the window of the first share one forward pass. One dispatcher thread per worker
 * takes the oldest waiting request, gathers the ones that match it until the window closes or the batch is
 * full, and runs them holding one of {@link Admission}'s workers, so at most {@code workers} passes run at
 * once, batched or not. Under load a dispatcher finds a batch waiting and starts at once; an idle server
 * delays a lone request by the window.
 */
final class Batcher implements AutoCloseable {
    private final Segmenter segmenter;
    private final Admission admission;
    private final long windowNanos;
    private final int maxBatch;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private final List<Thread> dispatchers = new ArrayList<>();
    private final LongAdder batches = new LongAdder();
    private final LongAdder images = new LongAdder();
    /** Whether a dispatcher is gathering a batch: one at a time, so that two do not split one window's requests. */
    private boolean gathering;

    /** One request: its image, what it may share a pass with, and its answer once run. */
    private record Pending(
            RgbImage image, Key key, long arrivalNanos, AtomicBoolean taken, CompletableFuture<Segmentation> result) {}

    /**
     * Requests with equal keys can be stacked into one input. The test_cfg is compared by identity (its record
     * holds arrays), which suits: the handler passes one of three shared instances (the config's, whole, slide).
     */
    private record Key(int width, int height, TestConfig testCfg) {}

    Batcher(Segmenter segmenter, Admission admission, ServeOptions.Batching batching, int workers) {
        this.segmenter = segmenter;
        this.admission = admission;
        this.windowNanos = batching.window().toNanos();
        this.maxBatch = batching.maxBatch();
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::dispatch, "fcn4j-batch-" + i);
            t.setDaemon(true);
            dispatchers.add(t);
            t.start();
        }
    }

    /**
     * The segmentation of {@code image}, run in a batch within {@code waitNanos} or refused with 503. Once its
     * batch has started, it is waited for to the end, as a request holding a worker is.
     */
    Segmentation segment(RgbImage image, TestConfig testCfg, long waitNanos) throws InterruptedException {
        Pending p = new Pending(
                image,
                new Key(image.width(), image.height(), testCfg),
                System.nanoTime(),
                new AtomicBoolean(),
                new CompletableFuture<>());
        lock.lock();
        try {
            waiting.add(p);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            try {
                return p.result().get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (p.taken().compareAndSet(false, true)) {
                    throw HttpError.busy("timed out waiting for a worker");
                }
                return p.result().get(); // its batch is running
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private void dispatch() {
        try {
            while (true) {
                List<Pending> batch = nextBatch();
                if (batch.isEmpty()) {
                    continue;
                }
                admission.awaitWorker(Long.MAX_VALUE);
                try {
                    run(batch);
                } finally {
                    admission.releaseWorker();
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void run(List<Pending> batch) {
        try {
            List<Segmentation> out = segmenter.segment(
                    batch.stream().map(Pending::image).toList(),
                    batch.get(0).key().testCfg());
            batches.increment();
            images.add(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(out.get(i));
            }
        } catch (RuntimeException | Error e) { // every waiting request gets the failure, not a hang
            batch.forEach(p -> p.result().completeExceptionally(e));
        }
    }

    /** The oldest waiting request and those that match it, gathered until the window closes or the batch is full. */
    private List<Pending> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (waiting.isEmpty() || gathering) {
                arrived.await();
            }
            Pending first = waiting.poll();
            List<Pending> batch = new ArrayList<>();
            if (!first.taken().compareAndSet(false, true)) {
                return batch; // its request timed out
            }
            batch.add(first);
            gathering = true;
            try {
                long deadline = first.arrivalNanos() + windowNanos;
                while (true) {
                    gather(first.key(), batch);
                    long left = deadline - System.nanoTime();
                    if (batch.size() >= maxBatch || left <= 0) {
                        return batch;
                    }
                    arrived.awaitNanos(left);
                }
            } finally {
                gathering = false;
                arrived.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves the waiting requests with {@code key} into {@code batch}, oldest first, while there is room. */
    private void gather(Key key, List<Pending> batch) {
        for (Iterator<Pending> it = waiting.iterator(); it.hasNext() && batch.size() < maxBatch; ) {
            Pending p = it.next();
            if (p.key().equals(key)) {
                it.remove();
                if (p.taken().compareAndSet(false, true)) {
                    batch.add(p);
                }
            }
        }
    }

    /** Forward passes run so far. */
    long batches() {
        return batches.sum();
    }

    /** Requests answered by those passes (over {@link #batches}: the mean batch size). */
    long images() {
        return images.sum();
    }

    /** Stops the dispatchers; requests still waiting are left to their timeouts. */
    @Override
    public void close() {
        dispatchers.forEach(Thread::interrupt);
    }
}
