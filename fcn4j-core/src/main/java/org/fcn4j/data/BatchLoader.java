package org.fcn4j.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.fcn4j.data.transform.TrainPipeline;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.LabeledImage;
import org.fcn4j.image.RgbImage;

/**
 * The training data loader: samples from an {@link InfiniteSampler}, loads and augments them on worker
 * threads ahead of the training step, and hands each augmented uint8 sample to {@code prepare} on the same
 * worker (the model's data preprocessor normalises there, off the training thread). Each stream position
 * gets its own random stream derived from the seed, so results do not depend on the number of workers or
 * their timing, and a run resumed at position p sees exactly what the uninterrupted run saw.
 *
 * @param <S> what {@code prepare} makes of a sample
 */
public final class BatchLoader<S> implements AutoCloseable {
    private final SegDataset dataset;
    private final TrainPipeline pipeline;
    private final Function<LabeledImage, S> prepare;
    private final int numClasses;
    private final int batchSize;
    private final long seed;
    private final boolean reduceZeroLabel;
    private final InfiniteSampler sampler;
    private final ExecutorService workers;
    private final int window;
    private final Deque<CompletableFuture<S>> ahead = new ArrayDeque<>();
    private long nextPosition;

    /**
     * @param prepare applied to each augmented sample on the worker that made it
     * @param numWorkers threads preparing samples (0: prepare them on the caller's thread)
     * @param startPosition stream position of the first sample (iteration x batch size when resuming)
     */
    public BatchLoader(
            SegDataset dataset,
            TrainPipeline pipeline,
            Function<LabeledImage, S> prepare,
            int numClasses,
            int batchSize,
            boolean shuffle,
            int numWorkers,
            long seed,
            long startPosition) {
        this.dataset = dataset;
        this.pipeline = pipeline;
        this.prepare = prepare;
        this.numClasses = numClasses;
        this.batchSize = batchSize;
        this.seed = seed;
        this.reduceZeroLabel =
                pipeline.reduceZeroLabel() != null ? pipeline.reduceZeroLabel() : dataset.reduceZeroLabel();
        this.sampler = new InfiniteSampler(dataset.samples().size(), shuffle, seed);
        this.workers = numWorkers == 0
                ? null
                : Executors.newFixedThreadPool(numWorkers, r -> {
                    Thread t = new Thread(r, "fcn4j-data");
                    t.setDaemon(true);
                    return t;
                });
        this.window = Math.max(2, numWorkers) * batchSize;
        this.nextPosition = startPosition;
    }

    /** The next batch's samples; blocks until they are ready. A bad sample fails here, naming its files. */
    public List<S> next() {
        fill();
        List<S> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            try {
                batch.add(ahead.removeFirst().join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : e;
            }
        }
        fill();
        return batch;
    }

    private void fill() {
        while (ahead.size() < (workers == null ? batchSize : window)) {
            long position = nextPosition++;
            if (workers == null) {
                ahead.addLast(CompletableFuture.completedFuture(prepare(position)));
            } else {
                ahead.addLast(CompletableFuture.supplyAsync(() -> prepare(position), workers));
            }
        }
    }

    /** Loads, augments and prepares one sample. */
    private S prepare(long position) {
        SegDataset.Sample sample = dataset.samples().get(sampler.index(position));
        RgbImage image = Images.readRgb(sample.image());
        LabelMap labels = SegDataset.labels(sample, reduceZeroLabel);
        if (image.height() != labels.height() || image.width() != labels.width()) {
            throw new DataException(sample.image() + " is " + image.width() + "x" + image.height()
                    + " but its label map " + sample.labels() + " is " + labels.width() + "x" + labels.height());
        }
        for (int v : labels.labels()) {
            if (v != 255 && (v < 0 || v >= numClasses)) {
                throw new DataException(sample.labels() + ": label " + v + " is out of range for " + numClasses
                        + " classes (255 = ignore)");
            }
        }
        SplittableRandom rng = new SplittableRandom(seed * 0xBF58476D1CE4E5B9L + position);
        return prepare.apply(pipeline.apply(new LabeledImage(image, labels), rng));
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
