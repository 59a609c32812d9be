package org.fcn4j.data;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.fcn4j.data.transform.LabeledImage;
import org.fcn4j.data.transform.TrainPipeline;
import org.fcn4j.model.PreprocessorSpec;

/**
 * The training data loader: samples from an {@link InfiniteSampler}, loads and augments them on worker
 * threads ahead of the training step, and stacks them into {@link TrainBatch}es (normalised and padded
 * as {@code SegDataPreProcessor} does). Each stream position gets its own random stream derived from
 * the seed, so results do not depend on the number of workers or their timing, and a run resumed at
 * position p sees exactly what the uninterrupted run saw.
 */
public final class BatchLoader implements AutoCloseable {
    private final SegDataset dataset;
    private final TrainPipeline pipeline;
    private final PreprocessorSpec preprocessor;
    private final int numClasses;
    private final int batchSize;
    private final long seed;
    private final boolean reduceZeroLabel;
    private final InfiniteSampler sampler;
    private final ExecutorService workers;
    private final int window;
    private final Deque<CompletableFuture<Prepared>> ahead = new ArrayDeque<>();
    private long nextPosition;

    /**
     * @param numWorkers threads preparing samples (0: prepare them on the caller's thread)
     * @param startPosition stream position of the first sample (iteration x batch size when resuming)
     */
    public BatchLoader(SegDataset dataset, TrainPipeline pipeline, PreprocessorSpec preprocessor, int numClasses,
            int batchSize, boolean shuffle, int numWorkers, long seed, long startPosition) {
        this.dataset = dataset;
        this.pipeline = pipeline;
        this.preprocessor = preprocessor;
        this.numClasses = numClasses;
        this.batchSize = batchSize;
        this.seed = seed;
        this.reduceZeroLabel = pipeline.reduceZeroLabel() != null ? pipeline.reduceZeroLabel() : dataset.reduceZeroLabel();
        this.sampler = new InfiniteSampler(dataset.samples().size(), shuffle, seed);
        this.workers = numWorkers == 0 ? null : Executors.newFixedThreadPool(numWorkers, r -> {
            Thread t = new Thread(r, "fcn4j-data");
            t.setDaemon(true);
            return t;
        });
        this.window = Math.max(2, numWorkers) * batchSize;
        this.nextPosition = startPosition;
    }

    /** The next batch; blocks until its samples are ready. A bad sample fails here, naming its files. */
    public TrainBatch next() {
        fill();
        Prepared[] prepared = new Prepared[batchSize];
        for (int i = 0; i < batchSize; i++) {
            try {
                prepared[i] = ahead.removeFirst().join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : e;
            }
        }
        fill();
        return stack(prepared);
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

    /** One augmented sample: the normalised CHW image and its labels. */
    private record Prepared(int h, int w, float[] image, int[] labels) {}

    /** Loads, augments and normalises one sample. */
    private Prepared prepare(long position) {
        SegDataset.Sample sample = dataset.samples().get(sampler.index(position));
        RgbImage image = Images.readRgb(sample.image());
        LabelMap labels = SegDataset.labels(sample, reduceZeroLabel);
        if (image.height() != labels.height() || image.width() != labels.width()) {
            throw new DataException(sample.image() + " is " + image.width() + "x" + image.height()
                    + " but its label map " + sample.labels() + " is " + labels.width() + "x" + labels.height());
        }
        for (int v : labels.labels()) {
            if (v != 255 && (v < 0 || v >= numClasses)) {
                throw new DataException(sample.labels() + ": label " + v + " is out of range for "
                        + numClasses + " classes (255 = ignore)");
            }
        }
        SplittableRandom rng = new SplittableRandom(seed * 0xBF58476D1CE4E5B9L + position);
        LabeledImage out = pipeline.apply(new LabeledImage(image, labels), rng);
        return new Prepared(out.image().height(), out.image().width(), preprocessor.normalise(out.image()),
                out.labels().labels());
    }

    /** Pads every sample to the preprocessor's size (or the batch's largest) and stacks them. */
    private TrainBatch stack(Prepared[] prepared) {
        int[] size = preprocessor.size();
        int h = size == null ? 0 : size[0];
        int w = size == null ? 0 : size[1];
        for (Prepared p : prepared) {
            h = Math.max(h, p.h());
            w = Math.max(w, p.w());
        }
        float[] images = new float[batchSize * 3 * h * w];
        long[] labels = new long[batchSize * h * w];
        Arrays.fill(images, (float) preprocessor.padVal());
        Arrays.fill(labels, preprocessor.segPadVal());
        for (int n = 0; n < batchSize; n++) {
            Prepared p = prepared[n];
            for (int y = 0; y < p.h(); y++) {
                for (int c = 0; c < 3; c++) {
                    System.arraycopy(p.image(), (c * p.h() + y) * p.w(), images, ((n * 3 + c) * h + y) * w, p.w());
                }
                for (int x = 0; x < p.w(); x++) {
                    labels[(n * h + y) * w + x] = p.labels()[y * p.w() + x];
                }
            }
        }
        return new TrainBatch(batchSize, h, w, images, labels);
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
