package org.fcn4j.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fcn4j.Fixtures;
import org.fcn4j.experiment.Config;
import org.fcn4j.image.RgbImage;
import org.fcn4j.io.Checkpoints;
import org.fcn4j.model.Segmentor;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against tools/fixtures/gen_inference.py (PyTorch with MMSegmentation's inference formulas). */
class SegmenterTest {
    private static final double RTOL = 1e-5;
    private static NDManager m;
    private static Map<String, NDArray> fx;
    private static Segmenter segmenter;
    private static RgbImage image;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() {
        m = Torch.newManager();
        fx = Fixtures.tensors("inference.safetensors", m);
        Map<String, NDArray> state = new LinkedHashMap<>();
        Fixtures.tensors("parity_r18.safetensors", m).forEach((k, v) -> {
            if (k.startsWith("state.")) {
                state.put(k.substring(6), v);
            }
        });
        Path ckpt = tmp.resolve("r18.safetensors");
        Checkpoints.write(ckpt, state, Map.of(), null);
        segmenter =
                Segmenter.load(Config.load(Fixtures.path("inference_r18.yaml").toString()), ckpt, w -> {
                    throw new AssertionError(w);
                });
        image = new RgbImage(45, 70, fx.get("image").toByteArray());
    }

    @AfterAll
    static void tearDown() {
        segmenter.close();
        m.close();
    }

    @Test
    void slideLogitsMatchMmsegSlideInference() {
        Segmentor model = segmenter.model();
        NDArray logits = model.slideInference(fx.get("slide.input"), new int[] {48, 64}, new int[] {32, 40});
        assertClose("slide logits", logits, fx.get("slide.logits"), RTOL);
    }

    @Test
    void wholePipelineScoresAndLabelsMatch() {
        Segmentation s = segmenter.segment(image, SegmentOptions.DEFAULT.withScores(true));
        NDArray scores = m.create(s.scores(), new Shape(1, 5, 45, 70));
        assertClose("whole scores", scores, fx.get("whole.scores"), RTOL);
        int[] expected = fx.get("whole.scores")
                .argMax(1)
                .toType(ai.djl.ndarray.types.DataType.INT32, false)
                .toIntArray();
        assertThat(s.labels().labels()).containsExactly(expected);
        assertThat(s.labels().height()).isEqualTo(45);
    }

    @Test
    void ttaAveragesSoftmaxOfScalesAndFlips() {
        Segmentation s =
                segmenter.segment(image, SegmentOptions.DEFAULT.withTta(true).withScores(true));
        assertClose("tta probabilities", m.create(s.scores(), new Shape(1, 5, 45, 70)), fx.get("tta.scores"), RTOL);
    }

    @Test
    void aPerCallSlideConfigReplacesTheConfigsWholeMode() {
        Segmentation whole = segmenter.segment(image, SegmentOptions.DEFAULT.withScores(true));
        // one window covering the whole resized input is one whole-image pass
        Segmentation oneWindow = segmenter.segment(
                image,
                SegmentOptions.DEFAULT
                        .withScores(true)
                        .withTestCfg(org.fcn4j.model.TestConfig.slide(new int[] {200, 200}, new int[] {100, 100})));
        assertThat(oneWindow.scores()).containsExactly(whole.scores());
        // small windows: the slide path, resized to the original size like the whole path
        org.fcn4j.model.TestConfig small = org.fcn4j.model.TestConfig.slide(new int[] {24, 32}, new int[] {16, 20});
        Segmentation slid =
                segmenter.segment(image, SegmentOptions.DEFAULT.withScores(true).withTestCfg(small));
        try (NDManager scope = m.newSubManager()) {
            NDArray input = segmenter.preprocess(scope, image);
            NDArray expected = segmenter.toOriginalSize(
                    segmenter.model().slideInference(input, small.crop(), small.stride()), 45, 70);
            assertClose("slide scores", scope.create(slid.scores(), new Shape(1, 5, 45, 70)), expected, RTOL);
            assertThat(slid.scores()).isNotEqualTo(whole.scores());
        }
    }

    @Test
    void concurrentCallsGiveTheSameAnswer() throws Exception {
        int[] reference = segmenter.segment(image).labels().labels();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> segmenter.segment(image).labels().labels()));
            }
            for (Future<int[]> f : futures) {
                assertThat(f.get()).containsExactly(reference);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void djlPredictorGivesTheSegmentersMaskAtTheOriginalSize() throws Exception {
        java.awt.image.BufferedImage buffered = buffered();
        ai.djl.modality.cv.Image djlImage =
                ai.djl.modality.cv.ImageFactory.getInstance().fromImage(buffered);
        int[] expected = segmenter.segment(image).labels().labels();
        try (ai.djl.Model model = SegmenterTranslator.model(segmenter);
                ai.djl.inference.Predictor<ai.djl.modality.cv.Image, ai.djl.modality.cv.output.CategoryMask> p =
                        model.newPredictor(new SegmenterTranslator(segmenter))) {
            ai.djl.modality.cv.output.CategoryMask mask = p.predict(djlImage);
            assertThat(mask.getMask()).hasNumberOfRows(45);
            assertThat(mask.getMask()[0]).hasSize(70);
            assertThat(mask.getClasses()).hasSize(5);
            int[] flat = new int[45 * 70];
            for (int y = 0; y < 45; y++) {
                System.arraycopy(mask.getMask()[y], 0, flat, y * 70, 70);
            }
            assertThat(flat).containsExactly(expected);
        }
    }

    @Test
    void filesBytesAndBufferedImagesGiveTheSameLabels() throws Exception {
        java.awt.image.BufferedImage buffered = buffered();
        Path png = tmp.resolve("image.png");
        javax.imageio.ImageIO.write(buffered, "png", png.toFile());
        int[] expected = segmenter.segment(image).labels().labels();
        assertThat(segmenter.segment(buffered).labels().labels()).containsExactly(expected);
        assertThat(segmenter.segment(png).labels().labels()).containsExactly(expected);
        assertThat(segmenter
                        .segment(java.nio.file.Files.readAllBytes(png))
                        .labels()
                        .labels())
                .containsExactly(expected);
    }

    /** The fixture image as a BufferedImage. */
    private static java.awt.image.BufferedImage buffered() {
        java.awt.image.BufferedImage b =
                new java.awt.image.BufferedImage(70, 45, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 45; y++) {
            for (int x = 0; x < 70; x++) {
                b.setRGB(x, y, (image.at(y, x, 0) << 16) | (image.at(y, x, 1) << 8) | image.at(y, x, 2));
            }
        }
        return b;
    }

    /** A DJL Serving-style model directory: configs, the checkpoint and serving.properties. */
    @Test
    void djlCriteriaLoadsAnFcn4jModelDirectory() throws Exception {
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("model-dir"));
        java.nio.file.Files.copy(Fixtures.path("inference_r18.yaml"), dir.resolve("config.yaml"));
        java.nio.file.Files.copy(Fixtures.path("parity_r18.yaml"), dir.resolve("parity_r18.yaml")); // its _base_
        java.nio.file.Files.copy(tmp.resolve("r18.safetensors"), dir.resolve("weights.safetensors"));
        // two configs: DJL Serving's serving.properties says which one is the model's
        java.nio.file.Files.writeString(dir.resolve("serving.properties"), "engine=fcn4j\noption.config=config.yaml\n");
        ai.djl.repository.zoo.Criteria<ai.djl.modality.cv.Image, ai.djl.modality.cv.output.CategoryMask> criteria =
                ai.djl.repository.zoo.Criteria.builder()
                        .setTypes(ai.djl.modality.cv.Image.class, ai.djl.modality.cv.output.CategoryMask.class)
                        .optModelPath(dir)
                        .optEngine("fcn4j")
                        .optTranslatorFactory(new org.fcn4j.infer.djl.Fcn4jTranslatorFactory())
                        .build();
        int[] expected = segmenter.segment(image).labels().labels();
        try (ai.djl.repository.zoo.ZooModel<ai.djl.modality.cv.Image, ai.djl.modality.cv.output.CategoryMask> model =
                        criteria.loadModel();
                ai.djl.inference.Predictor<ai.djl.modality.cv.Image, ai.djl.modality.cv.output.CategoryMask> p =
                        model.newPredictor()) {
            ai.djl.modality.cv.output.CategoryMask mask =
                    p.predict(ai.djl.modality.cv.ImageFactory.getInstance().fromImage(buffered()));
            int[] flat = new int[45 * 70];
            for (int y = 0; y < 45; y++) {
                System.arraycopy(mask.getMask()[y], 0, flat, y * 70, 70);
            }
            assertThat(flat).containsExactly(expected);
        }
        // PyTorch stays DJL's default engine
        assertThat(ai.djl.engine.Engine.getDefaultEngineName()).isEqualTo("PyTorch");
    }
}
