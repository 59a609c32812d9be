package org.fcn4j.data.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.LabeledImage;
import org.fcn4j.image.RgbImage;
import org.junit.jupiter.api.Test;

/** The geometric training transforms against mmseg/mmcv semantics. */
class TransformsTest {
    private static LabeledImage blank(int h, int w, int[] labels) {
        return new LabeledImage(new RgbImage(h, w, new byte[h * w * 3]), new LabelMap(h, w, labels));
    }

    /** A 4x4 label map; the window of {@code RandomCrop(2, 2)} at (y, x) is tested directly. */
    @Test
    void catMaxRatioAcceptsOnlyMixedWindowsBelowTheRatio() {
        int[] l = {
            0, 0, 1, 1,
            0, 0, 1, 2,
            255, 255, 3, 3,
            255, 0, 3, 3
        };
        LabelMap labels = new LabelMap(4, 4, l);
        RandomCrop crop = new RandomCrop(2, 2, 0.75, 255);
        assertThat(crop.acceptable(labels, new RandomCrop.Window(0, 0, 2, 2)))
                .as("one class only")
                .isFalse();
        assertThat(crop.acceptable(labels, new RandomCrop.Window(0, 2, 2, 2)))
                .as("1,1,1,2: 75% is not < 75%")
                .isFalse();
        assertThat(crop.acceptable(labels, new RandomCrop.Window(0, 1, 2, 2)))
                .as("0,1,0,1: 50%")
                .isTrue();
        assertThat(crop.acceptable(labels, new RandomCrop.Window(2, 0, 2, 2)))
                .as("255s do not count: only class 0")
                .isFalse();
        assertThat(crop.acceptable(labels, new RandomCrop.Window(1, 1, 2, 2)))
                .as("0,1,255,3 -> 1/3 each")
                .isTrue();
    }

    @Test
    void randomCropRetriesUntilAWindowIsAcceptedAndNeverExceedsTheImage() {
        // left half class 0, right half class 1: only windows straddling the middle are acceptable
        int h = 8;
        int w = 40;
        int[] l = new int[h * w];
        for (int i = 0; i < l.length; i++) {
            l[i] = i % w < w / 2 ? 0 : 1;
        }
        RandomCrop crop = new RandomCrop(4, 8, 0.75, 255);
        int accepted = 0;
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            LabeledImage out = crop.apply(blank(h, w, l), rng);
            assertThat(out.labels().height()).isEqualTo(4);
            assertThat(out.labels().width()).isEqualTo(8);
            long ones = Arrays.stream(out.labels().labels()).filter(v -> v == 1).count();
            if (ones > 8 && ones < 24) {
                accepted++;
            }
        }
        // a single random window straddles acceptably with p = 3/33; with 11 tries nearly always
        assertThat(accepted).isGreaterThan(100);
        LabeledImage small = new RandomCrop(16, 16, 1.0, 255).apply(blank(5, 7, new int[35]), rng);
        assertThat(small.image().height()).isEqualTo(5);
        assertThat(small.image().width()).isEqualTo(7);
    }

    @Test
    void randomResizeDrawsRatioThenKeepsAspectLikeMmcv() {
        // image 100x50 (w x h), scale (2048, 1024): ratio r -> scale (int(2048r), int(1024r)), then
        // factor = min(long/100, short/50), size int(x*f + 0.5)
        RandomResize resize = new RandomResize(2048, 1024, 0.5, 2.0, true);
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 20; i++) {
            double r = new SplittableRandom(100 + i).nextDouble() * 1.5 + 0.5;
            LabeledImage out = resize.apply(blank(50, 100, new int[5000]), new SplittableRandom(100 + i));
            int sw = (int) (2048 * r);
            int sh = (int) (1024 * r);
            double f = Math.min(Math.max(sw, sh) / 100.0, Math.min(sw, sh) / 50.0);
            assertThat(out.image().width()).isEqualTo((int) (100 * f + 0.5));
            assertThat(out.image().height()).isEqualTo((int) (50 * f + 0.5));
            assertThat(out.labels().width()).isEqualTo(out.image().width());
        }
        LabeledImage exact = new RandomResize(30, 20, 1, 1, false).apply(blank(50, 100, new int[5000]), rng);
        assertThat(exact.image().width()).isEqualTo(30);
        assertThat(exact.image().height()).isEqualTo(20);
    }

    @Test
    void flipMirrorsImageAndLabelsTogether() {
        byte[] px = new byte[2 * 3 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        LabeledImage in = new LabeledImage(new RgbImage(2, 3, px), new LabelMap(2, 3, new int[] {0, 1, 2, 3, 4, 5}));
        LabeledImage out = new RandomFlip(1.0).apply(in, new SplittableRandom(1));
        assertThat(out.labels().labels()).containsExactly(2, 1, 0, 5, 4, 3);
        assertThat(out.image().at(0, 0, 1)).isEqualTo(in.image().at(0, 2, 1));
        assertThat(new RandomFlip(0.0).apply(in, new SplittableRandom(1))).isSameAs(in);
    }

    @Test
    void padExtendsBottomRightWithImageAndIgnoreValues() {
        LabeledImage out = new Pad(4, 3, 0, 7, 255).apply(blank(2, 2, new int[] {1, 2, 3, 4}), new SplittableRandom(1));
        assertThat(out.labels().labels()).containsExactly(1, 2, 255, 255, 3, 4, 255, 255, 255, 255, 255, 255);
        assertThat(out.image().at(2, 3, 0)).isEqualTo(7);
        assertThat(out.image().at(1, 1, 0)).isEqualTo(0);
        LabeledImage divisible = new Pad(0, 0, 8, 0, 255).apply(blank(9, 3, new int[27]), new SplittableRandom(1));
        assertThat(divisible.image().height()).isEqualTo(16);
        assertThat(divisible.image().width()).isEqualTo(8);
    }

    @Test
    void pipelineParsesMmsegStepsAndRejectsWhatItCannotDo() {
        ConfigNode ok = new ConfigNode(
                "",
                Map.of(
                        "pipeline",
                        List.of(
                                Map.of("type", "LoadImageFromFile"),
                                Map.of("type", "LoadAnnotations", "reduce_zero_label", true),
                                Map.of(
                                        "type",
                                        "RandomResize",
                                        "scale",
                                        List.of(2048, 512),
                                        "ratio_range",
                                        List.of(0.5, 2.0),
                                        "keep_ratio",
                                        true),
                                Map.of("type", "RandomCrop", "crop_size", List.of(512, 512), "cat_max_ratio", 0.75),
                                Map.of("type", "RandomFlip", "prob", 0.5),
                                Map.of("type", "PhotoMetricDistortion"),
                                Map.of("type", "Pad", "size", List.of(512, 512)),
                                Map.of("type", "PackSegInputs"))));
        TrainPipeline p = TrainPipeline.parse(ok, "pipeline");
        assertThat(p.steps()).hasSize(5);
        assertThat(p.reduceZeroLabel()).isTrue();
        assertThat(p.steps().get(1)).isEqualTo(new RandomCrop(512, 512, 0.75, 255));

        ConfigNode badRatio = new ConfigNode(
                "",
                Map.of(
                        "pipeline",
                        List.of(Map.of("type", "RandomCrop", "crop_size", List.of(512, 512), "cat_max_ratio", 1.5))));
        assertThatThrownBy(() -> TrainPipeline.parse(badRatio, "pipeline"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("pipeline[0].cat_max_ratio");
        ConfigNode unknown = new ConfigNode("", Map.of("pipeline", List.of(Map.of("type", "RandomRotate"))));
        assertThatThrownBy(() -> TrainPipeline.parse(unknown, "pipeline"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("RandomRotate");
        ConfigNode typo =
                new ConfigNode("", Map.of("pipeline", List.of(Map.of("type", "RandomFlip", "probability", 0.5))));
        assertThatThrownBy(() -> TrainPipeline.parse(typo, "pipeline")).hasMessageContaining("probability");
    }
}
