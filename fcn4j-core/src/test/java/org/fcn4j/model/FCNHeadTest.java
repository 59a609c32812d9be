package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.nn.ConvModule;
import org.fcn4j.nn.Identity;
import org.fcn4j.nn.Sequential;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;

/** MMSegmentation's tests/test_models/test_heads/test_fcn_head.py, translated. */
class FCNHeadTest {
    private static HeadSpec spec(Map<String, Object> cfg) {
        return HeadSpec.parse(new ConfigNode("decode_head", new java.util.LinkedHashMap<>(cfg)));
    }

    private static Map<String, Object> base(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(
                Map.of("type", "FCNHead", "in_channels", 8, "channels", 4, "num_classes", 19));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void negativeNumConvsIsRejected() {
        assertThatThrownBy(() -> spec(base("num_convs", -1)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("decode_head.num_convs");
    }

    @Test
    void everyConvModuleHasBatchNormAndTwoConvsWithoutConcat() {
        try (NDManager m = Torch.newManager()) {
            FCNHead head = new FCNHead(m, spec(base("concat_input", false)));
            Sequential convs = (Sequential) head.convs();
            assertThat(convs.size()).isEqualTo(2);
            for (int i = 0; i < 2; i++) {
                assertThat(((ConvModule) convs.get(i)).bn).isNotNull();
            }
            assertThat(head.hasConvCat()).isFalse();
            assertThat(head.stateDict().keySet()).noneMatch(k -> k.startsWith("conv_cat"));
            head.eval();
            assertThat(head.forward(m.randomNormal(new Shape(1, 8, 23, 23))).getShape())
                    .isEqualTo(new Shape(1, 19, 23, 23));
        }
    }

    @Test
    void concatInputGivesConvCatWithInPlusChannelsInputs() {
        try (NDManager m = Torch.newManager()) {
            FCNHead head = new FCNHead(m, spec(base("concat_input", true)));
            assertThat(head.hasConvCat()).isTrue();
            assertThat(head.stateDict().get("conv_cat.conv.weight").get().getShape())
                    .isEqualTo(new Shape(4, 12, 3, 3));
            head.eval();
            assertThat(head.forward(m.randomNormal(new Shape(1, 8, 23, 23))).getShape())
                    .isEqualTo(new Shape(1, 19, 23, 23));
        }
    }

    @Test
    void kernelSizeSetsPadding() {
        try (NDManager m = Torch.newManager()) {
            Sequential k3 = (Sequential) new FCNHead(m, spec(base("kernel_size", 3))).convs();
            assertThat(((ConvModule) k3.get(0)).conv.padding).isEqualTo(1);
            assertThat(((ConvModule) k3.get(0)).conv.kernel).isEqualTo(3);
            Sequential k1 = (Sequential) new FCNHead(m, spec(base("kernel_size", 1))).convs();
            assertThat(((ConvModule) k1.get(0)).conv.padding).isEqualTo(0);
            Sequential dilated = (Sequential) new FCNHead(m, spec(base("dilation", 2))).convs();
            assertThat(((ConvModule) dilated.get(0)).conv.padding).isEqualTo(2);
        }
    }

    @Test
    void numConvsOneGivesOneConv() {
        try (NDManager m = Torch.newManager()) {
            assertThat(((Sequential) new FCNHead(m, spec(base("num_convs", 1))).convs()).size())
                    .isEqualTo(1);
        }
    }

    @Test
    void numConvsZeroIsIdentity() {
        try (NDManager m = Torch.newManager()) {
            FCNHead head =
                    new FCNHead(m, spec(base("in_channels", 8, "channels", 8, "num_convs", 0, "concat_input", false)));
            assertThat(head.convs()).isInstanceOf(Identity.class);
            assertThat(head.stateDict().keySet()).containsExactly("conv_seg.weight", "conv_seg.bias");
        }
        assertThatThrownBy(() -> spec(base("in_channels", 8, "channels", 4, "num_convs", 0)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("in_channels (8) must equal channels (4)");
    }

    @Test
    void convSegHasBiasAndSmallInit() {
        try (NDManager m = Torch.newManager()) {
            FCNHead head = new FCNHead(m, spec(base("channels", 256)));
            float[] w = head.convSeg().weight().get().toFloatArray();
            double sq = 0;
            for (float v : w) {
                sq += v * v;
            }
            double std = Math.sqrt(sq / w.length);
            assertThat(std).isBetween(0.009, 0.011);
            assertThat(head.convSeg().bias().get().toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void lossListAndUnknownKeysAreChecked() {
        assertThat(spec(base()).loss()).containsExactly(LossSpec.DEFAULT);
        assertThatThrownBy(() -> spec(base("loss_decode", Map.of("type", "CrossEntropyLoss", "loss_wieght", 1.0))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("decode_head.loss_decode.loss_wieght: unknown key");
        assertThat(spec(base("loss_decode", List.of(Map.of("type", "CrossEntropyLoss", "loss_weight", 0.5))))
                        .loss())
                .extracting(LossSpec::lossWeight)
                .containsExactly(0.5);
    }
}
