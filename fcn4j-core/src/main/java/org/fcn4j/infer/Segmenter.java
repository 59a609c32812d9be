package org.fcn4j.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.fcn4j.data.CvResize;
import org.fcn4j.data.DatasetMeta;
import org.fcn4j.data.Images;
import org.fcn4j.data.TestPipeline;
import org.fcn4j.experiment.Config;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.RgbImage;
import org.fcn4j.io.Checkpoint;
import org.fcn4j.io.Checkpoints;
import org.fcn4j.model.CheckpointLoader;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.SegDataPreProcessor;
import org.fcn4j.model.Segmentor;
import org.fcn4j.model.TestConfig;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.TensorFormat;
import org.fcn4j.nn.Torch;

/**
 * Segments images with a model loaded once (the public inference API). The test pipeline resizes
 * the image (mmcv's keep-ratio Resize, OpenCV INTER_LINEAR), normalises it, runs whole or slide
 * inference per {@code model.test_cfg}, resizes the logits to the resized image and then to the
 * original size, and takes the argmax. Safe to call from several threads: each call works in its own
 * NDManager scope and the model is only read.
 */
public final class Segmenter implements AutoCloseable {
    private final NDManager manager;
    private final Segmentor model;
    private final TestPipeline pipeline;
    private final TestPipeline.TtaViews tta;
    private final DatasetMeta meta;

    private Segmenter(
            NDManager manager, Segmentor model, TestPipeline pipeline, TestPipeline.TtaViews tta, DatasetMeta meta) {
        this.manager = manager;
        this.model = model;
        this.pipeline = pipeline;
        this.tta = tta;
        this.meta = meta;
    }

    /**
     * Loads {@code config}'s model with the weights of {@code checkpoint}, which must fill every tensor of it
     * with its shape ({@link CheckpointLoader#loadForInference}); layout notes go to {@code warn}.
     */
    public static Segmenter load(Config config, Path checkpoint, Consumer<String> warn) {
        return Torch.withoutGrad(() -> loadHere(config, checkpoint, warn));
    }

    private static Segmenter loadHere(Config config, Path checkpoint, Consumer<String> warn) {
        NDManager m = Torch.newManager();
        try {
            EncoderDecoder model = new EncoderDecoder(m, config.model());
            Checkpoint ckpt = Checkpoints.read(checkpoint, m);
            CheckpointLoader.loadForInference(model, ckpt, checkpoint, warn);
            ckpt.stateDict().values().forEach(NDArray::close);
            model.eval();
            int n = model.numClasses();
            DatasetMeta meta = ckpt.classes() != null && ckpt.classes().size() == n
                    ? new DatasetMeta(
                            ckpt.classes(),
                            ckpt.palette() != null && ckpt.palette().length == n
                                    ? ckpt.palette()
                                    : DatasetMeta.forDataset(config.datasetType(), n)
                                            .palette())
                    : DatasetMeta.forDataset(config.datasetType(), n);
            return new Segmenter(m, model, config.testPipeline(), config.tta(), meta);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * A Segmenter over a network of another engine (an exported graph in ONNX Runtime): the config's test
     * pipeline and TTA around {@code model}; closing it closes {@code manager} (its scratch memory) and the
     * model, when that is {@link AutoCloseable}.
     */
    public static Segmenter over(NDManager manager, Segmentor model, Config config, DatasetMeta meta) {
        return new Segmenter(manager, model, config.testPipeline(), config.tta(), meta);
    }

    /**
     * A Segmenter over a model that lives elsewhere (e.g. during training): it runs {@code pipeline}, and
     * closing it frees only its own scratch memory, not the model. The caller puts the model in eval mode.
     */
    public static Segmenter of(EncoderDecoder model, TestPipeline pipeline, DatasetMeta meta) {
        NDManager owner = model.manager();
        return new Segmenter(owner.newSubManager(), model, pipeline, TestPipeline.TtaViews.FLIP_ONLY, meta);
    }

    /**
     * Switches this segmenter to an inference fast path for good ({@link EncoderDecoder#freezeForInference}):
     * BatchNorm folded, weights and activations in {@code format}. Only for a segmenter that loaded its own
     * model; one that borrows a model ({@link #of}) must leave it trainable.
     *
     * @return this
     */
    public Segmenter freeze(TensorFormat format) {
        if (!(model instanceof EncoderDecoder own) || own.manager() != manager) {
            throw new IllegalStateException(
                    "this segmenter borrows its model or runs another engine; only a loaded fcn4j model can be frozen");
        }
        Torch.withoutGrad(() -> {
            own.freezeForInference(format);
            return null;
        });
        return this;
    }

    public Segmentor model() {
        return model;
    }

    public DatasetMeta meta() {
        return meta;
    }

    public TestPipeline pipeline() {
        return pipeline;
    }

    /** Segments an image file (JPEG, PNG, ...). */
    public Segmentation segment(Path image) {
        return segment(Images.readRgb(image));
    }

    /** Segments encoded image bytes (JPEG, PNG, ...). */
    public Segmentation segment(byte[] encoded) {
        return segment(Images.decodeRgb(encoded, "image bytes", Images.DEFAULT_MAX_PIXELS));
    }

    /** Segments a decoded image. */
    public Segmentation segment(BufferedImage image) {
        return segment(Images.fromBufferedImage(image));
    }

    /** Segments a decoded image as the config says. */
    public Segmentation segment(RgbImage image) {
        return segment(image, SegmentOptions.DEFAULT);
    }

    /**
     * Segments one image. With {@code tta}, every scale x flip view of the config's tta_pipeline is
     * brought to the original size (un-flipped), softmaxed and averaged before the argmax; a
     * {@code testCfg} (whole or slide) replaces the config's {@code model.test_cfg} for this call only (a
     * server lets each request choose).
     */
    public Segmentation segment(RgbImage image, SegmentOptions options) {
        return Torch.withoutGrad(() -> run(image, options));
    }

    private Segmentation run(RgbImage image, SegmentOptions options) {
        boolean useTta = options.tta();
        boolean keepScores = options.keepScores();
        TestConfig testCfg =
                options.testCfg() != null ? options.testCfg() : model.spec().testCfg();
        try (NDManager scope = manager.newSubManager()) {
            NDArray scores;
            if (useTta) {
                NDArray sum = null;
                int views = 0;
                for (double factor : tta.scaleFactors()) {
                    int[] size = tta.viewSize(image.width(), image.height(), factor);
                    for (boolean flip : tta.flips()) {
                        NDArray p =
                                view(scope, List.of(image), size, flip, testCfg).softmax(1);
                        sum = sum == null ? p : sum.addi(p);
                        views++;
                    }
                }
                scores = sum.divi(views);
            } else {
                scores =
                        view(scope, List.of(image), pipeline.targetSize(image.width(), image.height()), false, testCfg);
            }
            int[] labels = labels(scores);
            float[] kept = keepScores ? scores.toFloatArray() : null;
            return new Segmentation(new LabelMap(image.height(), image.width(), labels), model.numClasses(), kept);
        }
    }

    /**
     * Segments images of one size in one forward pass, a batch of N (a server's micro-batch): the same labels as
     * N calls of {@link #segment(RgbImage, SegmentOptions)} without TTA, up to the float rounding of the batched
     * kernels. {@code testCfg} null means the config's.
     *
     * @throws IllegalArgumentException when the images differ in size
     */
    public List<Segmentation> segment(List<RgbImage> images, TestConfig testCfg) {
        RgbImage first = images.get(0);
        for (RgbImage image : images) {
            if (image.width() != first.width() || image.height() != first.height()) {
                throw new IllegalArgumentException("a batch needs images of one size, got " + first.width() + "x"
                        + first.height() + " and " + image.width() + "x" + image.height());
            }
        }
        return Torch.withoutGrad(
                () -> runBatch(images, testCfg != null ? testCfg : model.spec().testCfg()));
    }

    private List<Segmentation> runBatch(List<RgbImage> images, TestConfig testCfg) {
        int height = images.get(0).height();
        int width = images.get(0).width();
        try (NDManager scope = manager.newSubManager()) {
            int[] labels = labels(view(scope, images, pipeline.targetSize(width, height), false, testCfg));
            List<Segmentation> out = new ArrayList<>();
            int pixels = height * width;
            for (int i = 0; i < images.size(); i++) {
                int[] one = Arrays.copyOfRange(labels, i * pixels, (i + 1) * pixels);
                out.add(new Segmentation(new LabelMap(height, width, one), model.numClasses(), null));
            }
            return out;
        }
    }

    /**
     * One view's logits (N, C, H0, W0) of same-size images in one pass: each resized to (w, h), optionally
     * flipped, and the logits brought back to the original size.
     */
    private NDArray view(NDManager scope, List<RgbImage> images, int[] size, boolean flip, TestConfig testCfg) {
        NDList inputs = new NDList();
        for (RgbImage image : images) {
            RgbImage resized = CvResize.bilinear(image, size[0], size[1]);
            inputs.add(normalise(
                    scope, flip ? resized.flipped() : resized, model.spec().preprocessor()));
        }
        NDArray logits = model.inference(inputs.size() == 1 ? inputs.get(0) : NDArrays.concat(inputs), testCfg);
        if (flip) {
            logits = logits.flip(3);
        }
        return toOriginalSize(logits, images.get(0).height(), images.get(0).width());
    }

    /** Each pixel's class: the argmax over the channels of (N, C, H, W) scores, row-major. */
    private static int[] labels(NDArray scores) {
        return Functional.argmaxChannels(scores).toIntArray();
    }

    /** The test pipeline's resize and normalisation: the (1, 3, h, w) model input for {@code image}. */
    public NDArray preprocess(NDManager m, RgbImage image) {
        return normalise(m, pipeline.resize(image), model.spec().preprocessor());
    }

    /** Logits at the input's size, whole or slide per {@code model.test_cfg} ({@code EncoderDecoder.inference}). */
    public NDArray inference(NDArray input) {
        return model.inference(input, model.spec().testCfg());
    }

    /** Logits resized (bilinear, the head's align_corners) to an original image size. */
    public NDArray toOriginalSize(NDArray logits, int height, int width) {
        return Functional.resizeBilinear(
                logits, height, width, model.spec().decodeHead().alignCorners());
    }

    /** (1, 3, h, w) float: the image normalised as the preprocessor specifies. */
    static NDArray normalise(NDManager m, RgbImage img, SegDataPreProcessor pre) {
        return m.create(pre.normalise(img), new Shape(1, 3, img.height(), img.width()));
    }

    @Override
    public void close() {
        manager.close();
        if (model instanceof AutoCloseable engine) {
            try {
                engine.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the inference engine: " + e.getMessage(), e);
            }
        }
    }
}
