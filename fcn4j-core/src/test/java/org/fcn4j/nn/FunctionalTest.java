package org.fcn4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Operators against torch.nn.functional (fixture: tools/fixtures/gen_ops_parity.py). */
class FunctionalTest {
    private static final double RTOL = 1e-5;
    private static NDManager m;
    private static Map<String, NDArray> fx;

    @BeforeAll
    static void load() {
        m = Torch.newManager();
        fx = Fixtures.tensors("ops.safetensors", m);
    }

    @AfterAll
    static void close() {
        m.close();
    }

    @ParameterizedTest
    @CsvSource({
        "23,35,false",
        "23,35,true",
        "5,8,false",
        "5,8,true",
        "11,17,false",
        "11,17,true",
        "1,1,false",
        "1,1,true",
        "30,4,false",
        "30,4,true"
    })
    void bilinearResizeAndItsGradientMatchInterpolate(int h, int w, boolean alignCorners) {
        String key = "resize." + h + "x" + w + "." + alignCorners;
        NDArray x = fx.get("resize.in").duplicate();
        x.setRequiresGradient(true);
        try (GradientCollector gc = Torch.gradientCollector()) {
            NDArray y = Functional.resizeBilinear(x, h, w, alignCorners);
            assertClose(key + " output", y, fx.get(key + ".out"), RTOL);
            gc.backward(y.mul(fx.get(key + ".w")).sum());
        }
        assertClose(key + " gradient", x.getGradient(), fx.get(key + ".grad"), RTOL);
    }

    @Test
    void convWithStrideDilationGroupsAndBias() {
        NDArray y = Functional.conv2d(fx.get("conv.in"), fx.get("conv.w"), fx.get("conv.b"), 2, 3, 3, 2);
        assertClose("conv", y, fx.get("conv.out"), RTOL);
    }

    @Test
    void batchNormTrainUpdatesRunningStatsWithMomentumPointOne() {
        NDArray mean = fx.get("bn.mean").duplicate();
        NDArray var = fx.get("bn.var").duplicate();
        NDArray y = Functional.batchNorm(
                fx.get("bn.in"),
                mean,
                var,
                fx.get("bn.weight"),
                fx.get("bn.bias"),
                true,
                BatchNorm2d.MOMENTUM,
                BatchNorm2d.EPS);
        assertClose("bn train output", y, fx.get("bn.train_out"), RTOL);
        assertClose("running_mean", mean, fx.get("bn.mean_after"), RTOL);
        assertClose("running_var", var, fx.get("bn.var_after"), RTOL);
    }

    @Test
    void batchNormEvalUsesRunningStats() {
        NDArray mean = fx.get("bn.mean").duplicate();
        NDArray y = Functional.batchNorm(
                fx.get("bn.in"),
                mean,
                fx.get("bn.var"),
                fx.get("bn.weight"),
                fx.get("bn.bias"),
                false,
                BatchNorm2d.MOMENTUM,
                BatchNorm2d.EPS);
        assertClose("bn eval output", y, fx.get("bn.eval_out"), RTOL);
        assertClose("running_mean untouched", mean, fx.get("bn.mean"), 0);
    }

    @Test
    void maxPool() {
        assertClose("max pool", Functional.maxPool2d(fx.get("pool.in"), 3, 2, 1, false), fx.get("pool.out"), 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"upscore2", "upscore8", "groups", "dilated"})
    void transposedConvAndItsInputWeightAndBiasGradientsMatchConvTranspose2d(String name) {
        String key = "deconv." + name;
        long[] a = fx.get(key + ".args").toLongArray();
        NDArray x = fx.get(key + ".in").duplicate();
        NDArray w = fx.get(key + ".w").duplicate();
        NDArray b = fx.containsKey(key + ".b") ? fx.get(key + ".b").duplicate() : null;
        for (NDArray p : new NDArray[] {x, w, b}) {
            if (p != null) {
                p.setRequiresGradient(true);
            }
        }
        try (GradientCollector gc = Torch.gradientCollector()) {
            NDArray y = Functional.convTranspose2d(x, w, b, (int) a[0], (int) a[1], (int) a[2], (int) a[3], (int) a[4]);
            assertClose(key + " output", y, fx.get(key + ".out"), RTOL);
            gc.backward(y.mul(fx.get(key + ".r")).sum());
        }
        assertClose(key + " input gradient", x.getGradient(), fx.get(key + ".grad_in"), RTOL);
        assertClose(key + " weight gradient", w.getGradient(), fx.get(key + ".grad_w"), RTOL);
        if (b != null) {
            assertClose(key + " bias gradient", b.getGradient(), fx.get(key + ".grad_b"), RTOL);
        }
    }

    @Test
    void transposedConvRecordsNoGraphOutsideAGradientCollector() {
        NDArray w = fx.get("deconv.upscore2.w").duplicate();
        w.setRequiresGradient(true);
        assertThat(Functional.convTranspose2d(fx.get("deconv.upscore2.in"), w, null, 2, 0, 0, 1, 1)
                        .hasGradient())
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"odd", "padded"})
    void ceilModeMaxPoolAndItsGradientMatchPyTorch(String name) {
        String key = "ceilpool." + name;
        long[] a = fx.get(key + ".args").toLongArray();
        NDArray x = fx.get(key + ".in").duplicate();
        x.setRequiresGradient(true);
        try (GradientCollector gc = Torch.gradientCollector()) {
            NDArray y = Functional.maxPool2d(x, (int) a[0], (int) a[1], (int) a[2], true);
            // a max is one of its inputs: exact
            assertClose(key + " output", y, fx.get(key + ".out"), 0);
            gc.backward(y.mul(fx.get(key + ".r")).sum());
        }
        assertClose(key + " input gradient", x.getGradient(), fx.get(key + ".grad_in"), 0);
    }

    @Test
    void vggsPoolWithoutAutogradMatchesPyTorchExactly() {
        // ceilpool.odd is (2, 3, 13, 11), kernel 2, stride 2, ceil mode: the path by row and column maxima
        NDArray y = Torch.withoutGrad(() -> Functional.maxPool2d(fx.get("ceilpool.odd.in"), 2, 2, 0, true));
        assertClose("ceil-mode pool", y, fx.get("ceilpool.odd.out"), 0);
    }

    @ParameterizedTest
    @CsvSource({"13,11,true", "13,11,false", "12,10,true", "12,10,false", "1,1,true", "7,2,false"})
    void vggsPoolWithoutAutogradGivesLibtorchsMaxPoolValuesNanIncludedInEitherLayout(int h, int w, boolean ceil) {
        NDArray x = m.randomNormal(new Shape(2, 3, h, w));
        x.set(new NDIndex("0, 1, 0, 0"), Float.NaN); // a NaN wins its window, as in max_pool2d
        float[] expected = JniUtils.maxPool((PtNDArray) x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), ceil)
                .toFloatArray();
        for (NDArray in : new NDArray[] {x, Torch.toChannelsLast(x)}) {
            NDArray y = Torch.withoutGrad(() -> Functional.maxPool2d(in, 2, 2, 0, ceil));
            assertThat(y.getShape()).isEqualTo(new Shape(2, 3, ceil ? (h + 1) / 2 : h / 2, ceil ? (w + 1) / 2 : w / 2));
            assertThat(y.toFloatArray()).containsExactly(expected);
        }
    }

    @Test
    void dropout2dZeroesWholeChannelsAndScalesSurvivors() {
        NDArray x = m.ones(new Shape(8, 64, 3, 4));
        NDArray y = Functional.dropout2d(x, 0.25, true);
        float[] v = y.toFloatArray();
        int dropped = 0;
        for (int c = 0; c < 8 * 64; c++) {
            float first = v[c * 12];
            assertThat(first).isIn(0f, 1f / 0.75f);
            for (int i = 1; i < 12; i++) {
                assertThat(v[c * 12 + i]).as("channel %d is all-or-nothing", c).isEqualTo(first);
            }
            dropped += first == 0 ? 1 : 0;
        }
        // 512 channels at p = 0.25: 128 expected, sd about 10
        assertThat(dropped).isBetween(80, 176);
        assertThat(Functional.dropout2d(x, 0.25, false)).isSameAs(x);
    }

    @Test
    void interpolationRowsSumToOne() {
        float[] w = Functional.interpolationMatrix(7, 3, false);
        for (int i = 0; i < 3; i++) {
            float sum = 0;
            for (int j = 0; j < 7; j++) {
                sum += w[i * 7 + j];
            }
            assertThat(sum).isEqualTo(1f);
        }
    }

    @Test
    void argmaxChannelsIsLibtorchsArgmaxWithTiesAndNaN() {
        NDArray x = m.randomNormal(new Shape(2, 7, 9, 11));
        // ties: channels 2 and 5 equal and largest at (0, :, 0, 0); NaN beside a larger value at (1, :, 3, 4)
        x.set(new NDIndex("0, :, 0, 0"), -9f);
        x.set(new NDIndex("0, 2, 0, 0"), 9f);
        x.set(new NDIndex("0, 5, 0, 0"), 9f);
        x.set(new NDIndex("1, 4, 3, 4"), Float.NaN);
        x.set(new NDIndex("1, 6, 3, 4"), 99f);
        NDArray labels = Functional.argmaxChannels(x);
        assertThat(labels.getDataType()).isEqualTo(DataType.INT32);
        assertThat(labels.getShape()).isEqualTo(new Shape(2, 9, 11));
        assertThat(labels.toIntArray())
                .isEqualTo(x.argMax(1).toType(DataType.INT32, false).toIntArray());
        assertThat(labels.getInt(0, 0, 0)).isEqualTo(2);
        assertThat(labels.getInt(1, 3, 4)).isEqualTo(4);
    }
}
