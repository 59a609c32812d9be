package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.Sequential;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;

/** MMSegmentation's tests/test_models/test_backbones/test_resnet.py, translated. */
class ResNetTest {
    private static BackboneSpec spec(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>(Map.of("type", "ResNetV1c", "depth", 50));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return BackboneSpec.parse(new ConfigNode("backbone", m));
    }

    private static Bottleneck bottleneck(NDManager m, int stride, int dilation) {
        return new Bottleneck(m, 64, 64, stride, dilation, null);
    }

    @Test
    void pytorchStyleBottleneckPutsStrideOnConv2() {
        try (NDManager m = Torch.newManager()) {
            Bottleneck b = bottleneck(m, 2, 1);
            assertThat(b.conv1.stride).isEqualTo(1);
            assertThat(b.conv2.stride).isEqualTo(2);
            assertThat(b.conv3.stride).isEqualTo(1);
        }
    }

    @Test
    void stageWithStrideTwoHasDownsampleTo256AndHalvesResolution() {
        try (NDManager m = Torch.newManager()) {
            ResNet net = new ResNet(m, spec("strides", List.of(2, 2, 2, 2), "stem_channels", 64));
            Sequential layer1 = net.stage(0);
            Bottleneck first = (Bottleneck) layer1.get(0);
            Conv2d down = (Conv2d) ((Sequential) first.downsample).get(0);
            assertThat(down.outChannels).isEqualTo(256);
            assertThat(down.stride).isEqualTo(2);
            net.eval();
            NDArray out = layer1.forward(m.randomNormal(new Shape(1, 64, 56, 56)));
            assertThat(out.getShape()).isEqualTo(new Shape(1, 256, 28, 28));
        }
    }

    @Test
    void dilationOnEveryConv2AndContractDilation() {
        try (NDManager m = Torch.newManager()) {
            ResNet plain = new ResNet(m, spec("dilations", List.of(1, 1, 2, 2), "strides", List.of(1, 2, 1, 1)));
            for (int b = 0; b < 6; b++) {
                assertThat(((Bottleneck) plain.stage(2).get(b)).conv2.dilation).isEqualTo(2);
                assertThat(((Bottleneck) plain.stage(2).get(b)).conv2.padding).isEqualTo(2);
            }
            ResNet contracted = new ResNet(
                    m,
                    spec("dilations", List.of(1, 1, 2, 4), "strides", List.of(1, 2, 1, 1), "contract_dilation", true));
            assertThat(((Bottleneck) contracted.stage(2).get(0)).conv2.dilation).isEqualTo(1);
            for (int b = 1; b < 6; b++) {
                assertThat(((Bottleneck) contracted.stage(2).get(b)).conv2.dilation)
                        .isEqualTo(2);
            }
            assertThat(((Bottleneck) contracted.stage(3).get(0)).conv2.dilation).isEqualTo(2);
            assertThat(((Bottleneck) contracted.stage(3).get(2)).conv2.dilation).isEqualTo(4);
        }
    }

    @Test
    void multiGridSetsLastStageDilations() {
        try (NDManager m = Torch.newManager()) {
            ResNet net = new ResNet(m, spec("dilations", List.of(1, 1, 2, 4), "multi_grid", List.of(1, 2, 4)));
            assertThat(((Bottleneck) net.stage(3).get(0)).conv2.dilation).isEqualTo(1);
            assertThat(((Bottleneck) net.stage(3).get(1)).conv2.dilation).isEqualTo(2);
            assertThat(((Bottleneck) net.stage(3).get(2)).conv2.dilation).isEqualTo(4);
        }
        assertThatThrownBy(() -> spec("multi_grid", List.of(1, 2)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("backbone.multi_grid");
    }

    @Test
    void resnet18On224GivesTheFourStageShapes() {
        try (NDManager m = Torch.newManager()) {
            ResNet net = new ResNet(m, spec("type", "ResNet", "depth", 18));
            net.eval();
            List<NDArray> outs = net.forward(m.randomNormal(new Shape(1, 3, 224, 224)));
            assertThat(outs)
                    .extracting(NDArray::getShape)
                    .containsExactly(
                            new Shape(1, 64, 56, 56),
                            new Shape(1, 128, 28, 28),
                            new Shape(1, 256, 14, 14),
                            new Shape(1, 512, 7, 7));
        }
    }

    @Test
    void resnet50StageChannelsAndV1cStemOfNineModules() {
        try (NDManager m = Torch.newManager()) {
            ResNet net = new ResNet(m, spec("stem_channels", 64));
            net.eval();
            List<NDArray> outs = net.forward(m.randomNormal(new Shape(1, 3, 64, 64)));
            assertThat(outs).extracting(a -> a.getShape().get(1)).containsExactly(256L, 512L, 1024L, 2048L);
            assertThat(net.children().get("stem")).isInstanceOf(Sequential.class);
            assertThat(((Sequential) net.children().get("stem")).size()).isEqualTo(9);
        }
    }

    @Test
    void zeroInitResidualZeroesTheLastNormOfEachBlock() {
        try (NDManager m = Torch.newManager()) {
            ResNet net = new ResNet(m, spec("depth", 18, "base_channels", 8, "stem_channels", 16));
            for (int s = 0; s < 4; s++) {
                for (int b = 0; b < 2; b++) {
                    BasicBlock block = (BasicBlock) net.stage(s).get(b);
                    assertThat(block.bn2.weight().get().toFloatArray()).containsOnly(0f);
                    assertThat(block.bn1.weight().get().toFloatArray()).containsOnly(1f);
                }
            }
        }
    }

    @Test
    void normEvalKeepsBatchNormInEvalWhileTraining() {
        try (NDManager m = Torch.newManager()) {
            ResNet net = new ResNet(m, spec("depth", 18, "base_channels", 8, "stem_channels", 16, "norm_eval", true));
            net.train(true);
            assertThat(net.isTraining()).isTrue();
            assertThat(((BatchNorm2d) ((Sequential) net.children().get("stem")).get(1)).isTraining())
                    .isFalse();
            assertThat(((BasicBlock) net.stage(3).get(1)).bn2.isTraining()).isFalse();
            assertThat(((BasicBlock) net.stage(3).get(1)).conv1.isTraining()).isTrue();
        }
    }

    @Test
    void sevenBySevenStemForTypeResNet() {
        try (NDManager m = Torch.newManager()) {
            ResNet net = new ResNet(m, spec("type", "ResNet", "depth", 18));
            assertThat(net.stateDict()).containsKeys("conv1.weight", "bn1.running_var");
            assertThat(net.stateDict().get("conv1.weight").get().getShape()).isEqualTo(new Shape(64, 3, 7, 7));
            assertThat(net.stateDict()).doesNotContainKey("stem.0.weight");
        }
    }

    @Test
    void impossibleBackbonesAreRejectedWithTheKeyPath() {
        assertThatThrownBy(() -> spec("depth", 51))
                .hasMessage("backbone.depth: expected one of 18, 34, 50, 101, 152 but got 51");
        assertThatThrownBy(() -> spec("strides", List.of(1, 2, 1))).hasMessageStartingWith("backbone.strides:");
        assertThatThrownBy(() -> spec("dilations", "1,1,2,4"))
                .hasMessageStartingWith("backbone.dilations: expected a list");
        assertThatThrownBy(() -> spec("out_indices", List.of(0, 4))).hasMessageStartingWith("backbone.out_indices:");
        assertThatThrownBy(() -> spec("style", "caffe")).hasMessageStartingWith("backbone.style:");
        assertThatThrownBy(() -> spec("depht", 50)).hasMessage("backbone.depht: unknown key");
        assertThatThrownBy(() -> spec("type", "ResNeXt")).hasMessageStartingWith("backbone.type: expected one of");
    }
}
