package org.fcn4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fcn4j.Close.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The module around Functional.convTranspose2d, and the FCN paper's bilinear initialisation. */
class ConvTranspose2dTest {
    @Test
    void kernelFourHasTapsQuarterThreeQuartersOnTheDiagonalAndZerosElsewhere() {
        try (NDManager m = Torch.newManager()) {
            float[] w = ConvTranspose2d.bilinearWeight(m, 3, 4).toFloatArray();
            float[] taps = {0.25f, 0.75f, 0.75f, 0.25f};
            for (int o = 0; o < 3; o++) {
                for (int i = 0; i < 3; i++) {
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 4; x++) {
                            float expected = o == i ? taps[y] * taps[x] : 0f;
                            assertThat(w[((o * 3 + i) * 4 + y) * 4 + x])
                                    .as("weight[%d, %d, %d, %d]", o, i, y, x)
                                    .isEqualTo(expected);
                        }
                    }
                }
            }
        }
    }

    @Test
    void oddKernelsPeakAtTheirCentre() {
        try (NDManager m = Torch.newManager()) {
            // k = 3: factor 2, center 1, taps 0.5, 1, 0.5
            assertThat(ConvTranspose2d.bilinearWeight(m, 1, 3).toFloatArray())
                    .containsExactly(0.25f, 0.5f, 0.25f, 0.5f, 1f, 0.5f, 0.25f, 0.5f, 0.25f);
        }
    }

    @ParameterizedTest
    @CsvSource({"4,2", "16,8", "32,16", "64,32"})
    void bilinearUpsamplerKeepsEachChannelsConstantInsideTheBorder(int kernel, int stride) {
        try (NDManager m = Torch.newManager()) {
            int h = 3;
            int w = 4;
            float[] constants = {1.5f, -2f, 7f};
            NDArray x = m.create(constants, new Shape(1, 3, 1, 1))
                    .broadcast(new Shape(1, 3, h, w))
                    .duplicate();
            NDArray y = ConvTranspose2d.bilinearUpsampler(m, 3, kernel, stride, false)
                    .forward(x);
            assertThat(y.getShape()).isEqualTo(new Shape(1, 3, (h - 1) * stride + kernel, (w - 1) * stride + kernel));
            // every output from stride to h * stride - 1 is covered by two neighbouring taps summing to 1
            NDArray interior = y.get(new NDIndex(":, :, {}:{}, {}:{}", stride, h * stride, stride, w * stride));
            NDArray expected = m.create(constants, new Shape(1, 3, 1, 1)).broadcast(interior.getShape());
            assertClose("interior", interior, expected, 1e-6);
            // and the border fades: the first output row sees only the smallest tap
            assertThat(Math.abs(y.getFloat(0, 2, 0, stride))).isLessThan(7f / stride);
        }
    }

    @Test
    void aFixedLayerKeepsItsWeightAsAnUntrainedBufferUnderTheSameKey() {
        try (NDManager m = Torch.newManager()) {
            ConvTranspose2d fixed = ConvTranspose2d.bilinearUpsampler(m, 5, 4, 2, false);
            assertThat(fixed.stateDict().keySet()).containsExactly("weight");
            assertThat(fixed.weight().trainable()).isFalse();
            assertThat(fixed.parameterCount()).isZero();
            ConvTranspose2d learned = ConvTranspose2d.bilinearUpsampler(m, 5, 4, 2, true);
            assertThat(learned.parameterCount()).isEqualTo(5 * 5 * 4 * 4);
            assertThat(learned.weight().get().getShape()).isEqualTo(new Shape(5, 5, 4, 4));
        }
    }

    @Test
    void moduleWithGroupsAndBiasMatchesConvTranspose2dAndCountsItsMacs() {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> fx = Fixtures.tensors("ops.safetensors", m);
            // the fixture's "groups" case: 4 -> 6 channels, k 3, stride 3, padding 1, output_padding 2, groups 2
            ConvTranspose2d layer = new ConvTranspose2d(m, 4, 6, 3, 3, 1, 2, 2, 1, true, true);
            assertThat(layer.stateDict().keySet()).containsExactly("weight", "bias");
            assertThat(layer.weight().get().getShape()).isEqualTo(new Shape(4, 3, 3, 3));
            layer.weight().set(fx.get("deconv.groups.w").duplicate());
            layer.bias().set(fx.get("deconv.groups.b").duplicate());
            NDArray x = fx.get("deconv.groups.in");
            try (MacCounter macs = MacCounter.start()) {
                assertClose("output", layer.forward(x), fx.get("deconv.groups.out"), 1e-5);
                // each of the 2 x 4 x 5 x 8 input values scatters into 3 output channels x 3 x 3 taps
                assertThat(macs.macs()).isEqualTo(2L * 4 * 5 * 8 * 3 * 9);
            }
        }
    }

    @Test
    void pyTorchsDefaultInitIsUniformWithinOneOverSqrtFanIn() {
        try (NDManager m = Torch.newManager()) {
            ConvTranspose2d layer = new ConvTranspose2d(m, 8, 6, 4, 2, 0, 0, 2, 1, true, true);
            // fan_in as PyTorch computes it for this weight layout: out / groups * k * k = 48
            float bound = (float) (1 / Math.sqrt(48));
            NDArray w = layer.weight().get();
            assertThat(w.abs().max().getFloat()).isLessThanOrEqualTo(bound).isGreaterThan(bound * 0.9f);
            assertThat(layer.bias().get().abs().max().getFloat()).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void groupsMustDivideTheChannelsAndOutputPaddingStaySmallerThanStrideOrDilation() {
        try (NDManager m = Torch.newManager()) {
            assertThatThrownBy(() -> new ConvTranspose2d(m, 4, 6, 3, 2, 0, 0, 4, 1, false, true))
                    .hasMessageContaining("groups 4 must divide");
            assertThatThrownBy(() -> new ConvTranspose2d(m, 4, 6, 3, 2, 0, 2, 1, 1, false, true))
                    .hasMessageContaining("output_padding 2 must be smaller than stride (2) or dilation (1)");
        }
    }
}
