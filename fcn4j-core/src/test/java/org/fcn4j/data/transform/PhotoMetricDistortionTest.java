package org.fcn4j.data.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.fcn4j.Fixtures;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.LabeledImage;
import org.fcn4j.image.RgbImage;
import org.fcn4j.io.Safetensors;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Against mmseg's PhotoMetricDistortion on numpy and cv2 4.6 (tools/fixtures/gen_photometric.py). */
class PhotoMetricDistortionTest {
    private static final Map<String, RgbImage> IMAGES = new HashMap<>();
    private static Map<String, String> metadata;

    @BeforeAll
    static void load() {
        try (NDManager m = Torch.newManager()) {
            Safetensors.Contents c = Safetensors.readWithMetadata(Fixtures.path("photometric.safetensors"), m);
            c.tensors().forEach((name, t) -> IMAGES.put(name, image(t)));
            metadata = c.metadata();
        }
    }

    private static RgbImage image(NDArray t) {
        long[] s = t.getShape().getShape();
        return new RgbImage((int) s[0], (int) s[1], t.toByteArray());
    }

    private static int differingPixels(byte[] expected, byte[] actual) {
        assertThat(actual).hasSameSizeAs(expected);
        int n = 0;
        for (int i = 0; i < expected.length; i += 3) {
            n += Arrays.equals(expected, i, i + 3, actual, i, i + 3) ? 0 : 1;
        }
        return n;
    }

    @Test
    void rgbToHsvEqualsOpenCvOnRandomAndEdgePixels() {
        byte[] hsv = OpenCvHsv.rgbToHsv(IMAGES.get("rgb2hsv.rgb"));
        assertThat(differingPixels(IMAGES.get("rgb2hsv.hsv").pixels(), hsv)).isZero();
    }

    @Test
    void hsvToRgbEqualsOpenCvOnRandomAndEdgePixels() {
        RgbImage hsv = IMAGES.get("hsv2rgb.hsv");
        RgbImage rgb = OpenCvHsv.hsvToRgb(hsv.height(), hsv.width(), hsv.pixels());
        assertThat(differingPixels(IMAGES.get("hsv2rgb.rgb").pixels(), rgb.pixels()))
                .isZero();
    }

    /** Every RGB value, 65536 at a time (one red level), in the generator's order. */
    @Test
    void rgbToHsvEqualsOpenCvOnEveryColour() {
        String digest = sha256(256, r -> {
            byte[] rgb = new byte[65536 * 3];
            for (int i = 0; i < 65536; i++) {
                rgb[3 * i] = (byte) r;
                rgb[3 * i + 1] = (byte) (i >> 8);
                rgb[3 * i + 2] = (byte) i;
            }
            return OpenCvHsv.rgbToHsv(new RgbImage(16, 4096, rgb));
        });
        assertThat(digest).isEqualTo(metadata.get("sha256.rgb2hsv.all"));
    }

    /** Every valid HSV triple, one hue at a time, in rows of 256 (all AVX2 blocks) or 16 (all scalar tail). */
    @ParameterizedTest
    @ValueSource(ints = {256, 16})
    void hsvToRgbEqualsOpenCvOnEveryTriple(int width) {
        String digest = sha256(180, h -> {
            byte[] hsv = new byte[65536 * 3];
            for (int i = 0; i < 65536; i++) {
                hsv[3 * i] = (byte) h;
                hsv[3 * i + 1] = (byte) (i >> 8);
                hsv[3 * i + 2] = (byte) i;
            }
            return OpenCvHsv.hsvToRgb(65536 / width, width, hsv).pixels();
        });
        assertThat(digest).isEqualTo(metadata.get("sha256.hsv2rgb.all.w" + width));
    }

    private static String sha256(int chunks, IntFunction<byte[]> chunk) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int c = 0; c < chunks; c++) {
                md.update(chunk.apply(c));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"brightness", "contrast", "saturation", "hue"})
    void eachStepEqualsMmsegWithItsDrawFixed(String step) {
        RgbImage img = IMAGES.get("img");
        // Python float reprs: Double.valueOf gives back the very doubles mmseg's draws would be.
        double[] params = Arrays.stream(metadata.get("params." + step).split(","))
                .mapToDouble(Double::valueOf)
                .toArray();
        for (int i = 0; i < params.length; i++) {
            double p = params[i];
            RgbImage out = switch (step) {
                case "brightness" -> PhotoMetricDistortion.brightness(img, p);
                case "contrast" -> PhotoMetricDistortion.contrast(img, p);
                case "saturation" -> PhotoMetricDistortion.saturation(img, p);
                default -> PhotoMetricDistortion.hue(img, (int) p);
            };
            assertThat(differingPixels(IMAGES.get(step + "." + i).pixels(), out.pixels()))
                    .as("pixels differing from mmseg's %s(%s)", step, p)
                    .isZero();
        }
    }

    /** Replays a fixed sequence of draws; fails if apply() asks for them in another order or number. */
    private static final class Script implements RandomGenerator {
        private final Deque<Number> draws;

        Script(Number... draws) {
            this.draws = new ArrayDeque<>(List.of(draws));
        }

        @Override
        public int nextInt(int bound) {
            return nextInt(0, bound);
        }

        @Override
        public int nextInt(int origin, int bound) {
            int v = (Integer) draws.remove();
            assertThat(v).as("scripted int draw").isBetween(origin, bound - 1);
            return v;
        }

        @Override
        public double nextDouble() {
            return (Double) draws.remove();
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("not a draw mmseg makes");
        }

        boolean exhausted() {
            return draws.isEmpty();
        }
    }

    private static LabeledImage labeled() {
        RgbImage img = IMAGES.get("img");
        int[] labels = new int[img.height() * img.width()];
        Arrays.setAll(labels, i -> i % 7);
        return new LabeledImage(img, new LabelMap(img.height(), img.width(), labels));
    }

    @Test
    void applyRunsContrastFirstInModeOneWithMmsegsDistributions() {
        RgbImage img = IMAGES.get("img");
        // brightness on, U=0.75 -> beta -32 + 64 * 0.75; mode 1; contrast on, 0.5 + 1 * 0.25;
        // saturation on, 0.5 + 1 * 0.9; hue on, -5
        Script rng = new Script(1, 0.75, 1, 1, 0.25, 1, 0.9, 1, -5);
        RgbImage out = new PhotoMetricDistortion().apply(labeled(), rng).image();
        RgbImage expected = PhotoMetricDistortion.hue(
                PhotoMetricDistortion.saturation(
                        PhotoMetricDistortion.contrast(PhotoMetricDistortion.brightness(img, 16.0), 0.75), 1.4),
                -5);
        assertThat(rng.exhausted()).isTrue();
        assertThat(out.pixels()).isEqualTo(expected.pixels());
    }

    @Test
    void applyRunsContrastLastInModeZeroAndSkipsStepsThatDrawZero() {
        RgbImage img = IMAGES.get("img");
        // brightness off; mode 0; saturation off; hue on, +7; contrast on, 0.5 + 1 * 0.1
        Script rng = new Script(0, 0, 0, 1, 7, 1, 0.1);
        RgbImage out = new PhotoMetricDistortion().apply(labeled(), rng).image();
        RgbImage expected = PhotoMetricDistortion.contrast(PhotoMetricDistortion.hue(img, 7), 0.6);
        assertThat(rng.exhausted()).isTrue();
        assertThat(out.pixels()).isEqualTo(expected.pixels());
    }

    @Test
    void applyIsDeterministicPerSeedAndKeepsLabels() {
        PhotoMetricDistortion t = new PhotoMetricDistortion();
        LabeledImage in = labeled();
        byte[] original = in.image().pixels().clone();
        int changed = 0;
        for (long seed = 0; seed < 8; seed++) {
            LabeledImage a = t.apply(in, new SplittableRandom(seed));
            LabeledImage b = t.apply(in, new SplittableRandom(seed));
            assertThat(a.image().pixels())
                    .as("seed %d", seed)
                    .isEqualTo(b.image().pixels());
            assertThat(a.labels()).isSameAs(in.labels());
            changed += Arrays.equals(a.image().pixels(), original) ? 0 : 1;
        }
        assertThat(in.image().pixels()).as("input left alone").isEqualTo(original);
        assertThat(changed).as("seeds that changed the image").isGreaterThan(0);
    }

    private static PhotoMetricDistortion parse(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>(Map.of("type", "PhotoMetricDistortion"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return PhotoMetricDistortion.parse(new ConfigNode("train_pipeline[3]", m));
    }

    @Test
    void parseReadsMmsegKeys() {
        // Only the parameters decide the draws: a narrow config must give the distortion it names.
        PhotoMetricDistortion narrow = parse(
                "brightness_delta",
                0,
                "contrast_range",
                List.of(2, 2),
                "saturation_range",
                List.of(1.0, 1.0),
                "hue_delta",
                1);
        PhotoMetricDistortion direct = new PhotoMetricDistortion(0, 2, 2, 1, 1, 1);
        LabeledImage in = labeled();
        for (long seed = 0; seed < 4; seed++) {
            assertThat(narrow.apply(in, new SplittableRandom(seed)).image().pixels())
                    .isEqualTo(
                            direct.apply(in, new SplittableRandom(seed)).image().pixels());
        }
        assertThat(parse().apply(in, new SplittableRandom(3)).image().pixels())
                .isEqualTo(new PhotoMetricDistortion()
                        .apply(in, new SplittableRandom(3))
                        .image()
                        .pixels());
    }

    static Stream<Arguments> badSteps() {
        String at = "train_pipeline[3].";
        return Stream.of(
                Arguments.of(
                        "contrast_range",
                        List.of(1.5, 0.5),
                        at + "contrast_range: expected [lower, upper] with 0 <= lower <= upper but got [1.5, 0.5]"),
                Arguments.of("saturation_range", List.of(-0.5, 1.5), at + "saturation_range: expected [lower, upper]"),
                Arguments.of("saturation_range", List.of(0.5), at + "saturation_range: expected 2 numbers but got 1"),
                Arguments.of("brightness_delta", -1, at + "brightness_delta: must be >= 0 but got -1.0"),
                Arguments.of("hue_delta", 0, at + "hue_delta: must be >= 1 but got 0"),
                Arguments.of("hue_delta", 1.5, at + "hue_delta: expected an integer"),
                Arguments.of("hue_range", 3, at + "hue_range: unknown key"));
    }

    @ParameterizedTest
    @MethodSource("badSteps")
    void parseRejectsBadValuesNamingTheKey(String key, Object value, String message) {
        assertThatThrownBy(() -> parse(key, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message);
    }
}
