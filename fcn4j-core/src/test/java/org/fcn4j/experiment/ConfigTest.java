package org.fcn4j.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigLoader;
import org.fcn4j.model.BackboneSpec;
import org.fcn4j.model.FCNSkipHeadSpec;
import org.fcn4j.model.HeadSpec;
import org.fcn4j.model.SegDataPreProcessor;
import org.fcn4j.model.VGGSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigTest {
    @TempDir
    Path dir;

    /** The ResNet backbone of an MMSegmentation-style config. */
    private static BackboneSpec resnet(Config c) {
        return (BackboneSpec) c.model().backbone();
    }

    /** The FCNHead decode head of an MMSegmentation-style config. */
    private static HeadSpec fcnHead(Config c) {
        return (HeadSpec) c.model().decodeHead();
    }

    private Path write(String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    /** Every preset shipped in the resources, found by listing them (a new one is covered without a test edit). */
    static List<String> presets() throws IOException, URISyntaxException {
        Path dir = Path.of(ConfigLoader.class.getResource("/org/fcn4j/presets").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml"))
                    .map(f -> f.substring(0, f.length() - 5))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void thePresetsIncludeTheInterfacesNames() throws Exception {
        assertThat(presets())
                .hasSizeGreaterThanOrEqualTo(25)
                .contains(
                        "fcn_r18-d8_4xb2-80k_cityscapes-512x1024",
                        "fcn_r50-d8_4xb2-40k_cityscapes-512x1024",
                        "fcn_r50-d8_4xb4-20k_voc12aug-512x512",
                        "torchvision_fcn_resnet50",
                        "fcn32s_vgg16_1xb1-100k_voc12aug",
                        "fcn16s_vgg16_1xb1-100k_voc12aug",
                        "fcn8s_vgg16_1xb1-100k_voc12aug",
                        "fcn8s-atonce_vgg16_1xb1-300k_voc12aug");
    }

    @ParameterizedTest
    @MethodSource("presets")
    void everyPresetLoads(String name) {
        Config c = Config.load(name);
        assertThat(c.model().decodeHead().numClasses()).isIn(19, 150, 21, 6);
        assertThat(c.train().maxIters()).isPositive();
    }

    @ParameterizedTest
    @CsvSource({
        "fcn32s_vgg16_1xb1-100k_voc12aug,32,false,1e-10,100000",
        "fcn16s_vgg16_1xb1-100k_voc12aug,16,false,1e-12,100000",
        "fcn8s_vgg16_1xb1-100k_voc12aug,8,false,1e-14,100000",
        "fcn8s-atonce_vgg16_1xb1-300k_voc12aug,8,true,1e-10,300000"
    })
    void thePapersPresetsCarryTheReferenceRecipe(String name, int stride, boolean atOnce, double lr, long iters) {
        Config c = Config.load(name);
        VGGSpec vgg = (VGGSpec) c.model().backbone();
        assertThat(vgg).isEqualTo(VGGSpec.vgg16());
        FCNSkipHeadSpec head = (FCNSkipHeadSpec) c.model().decodeHead();
        assertThat(head.stride()).isEqualTo(stride);
        assertThat(head.atOnce()).isEqualTo(atOnce);
        assertThat(head.numClasses()).isEqualTo(21);
        assertThat(head.inChannels()).containsExactly(256, 512, 4096);
        assertThat(head.learnedUpsamplers())
                .as("the reference keeps every upsampler fixed")
                .isEmpty();
        assertThat(head.loss())
                .singleElement()
                .satisfies(l -> assertThat(l.summed()).isTrue());
        assertThat(c.model().auxiliaryHead()).isNull();
        SegDataPreProcessor pre = c.model().preprocessor();
        assertThat(pre.mean()).containsExactly(104.00698793, 116.66876762, 122.67891434);
        assertThat(pre.std()).containsExactly(1.0, 1.0, 1.0);
        assertThat(pre.bgrToRgb()).isFalse();
        assertThat(pre.size()).isNull();
        assertThat(c.model().testCfg().slide()).isFalse();
        assertThat(c.testPipeline().targetSize(500, 375)).as("no resize").containsExactly(500, 375);
        TrainSettings t = c.train();
        assertThat(t.lr()).isEqualTo(lr);
        assertThat(t.momentum()).isEqualTo(0.99);
        assertThat(t.weightDecay()).isEqualTo(5e-4);
        assertThat(t.paramwise().biasLrMult()).isEqualTo(2.0);
        assertThat(t.paramwise().biasDecayMult()).isEqualTo(0.0);
        assertThat(t.schedule().withGroups(2).at(iters - 1).lr(2))
                .as("a fixed rate")
                .isEqualTo(2 * lr);
        assertThat(t.maxIters()).isEqualTo(iters);
        assertThat(t.valInterval()).isEqualTo(4000);
        assertThat(t.checkpointInterval()).isEqualTo(4000);
        assertThat(t.batchSize()).isEqualTo(1);
        assertThat(t.valPipeline().targetSize(500, 375)).containsExactly(500, 375);
    }

    @Test
    void theSkipHeadsNeedTheVggTrunkWithItsChannels() {
        String paper = "fcn8s_vgg16_1xb1-100k_voc12aug";
        assertThatThrownBy(() -> Config.load(paper, List.of("model.decode_head.in_channels=[256,512,1024]")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("model.decode_head.in_channels: [256, 512, 1024] but the "
                        + "backbone's [pool3, pool4, fc7] have [256, 512, 4096] channels");
        assertThatThrownBy(
                        () -> Config.load(
                                "fcn_r50-d8_4xb4-20k_voc12aug-512x512",
                                List.of(
                                        "model.decode_head={type: FCN8sHead, in_channels: [512, 1024, 2048], num_classes: 21}")))
                .hasMessageStartingWith("model.decode_head.type: reads the VGG trunk's [pool3, pool4, fc7] but the "
                        + "backbone outputs [layer1, layer2, layer3, layer4]");
        // MMSegmentation's FCNHead reads one VGG output like any backbone's
        assertThatThrownBy(() -> Config.load(
                        paper,
                        List.of("model.auxiliary_head={type: FCNHead, in_channels: 256, "
                                + "channels: 8, num_classes: 21}")))
                .hasMessage("model.auxiliary_head.in_channels: 256 but backbone output 2 (fc7) has 4096 channels");
        assertThat(Config.load(
                                paper,
                                List.of("model.auxiliary_head={type: FCNHead, in_channels: 512, in_index: 1, "
                                        + "channels: 8, num_classes: 21}"))
                        .model()
                        .auxiliaryHead()
                        .inChannels())
                .isEqualTo(512);
        assertThatThrownBy(() -> Config.load(paper, List.of("model.backbone.depth=15")))
                .hasMessage("model.backbone.depth: expected one of 11, 13, 16, 19 but got 15");
        assertThatThrownBy(() -> Config.load(paper, List.of("optim_wrapper.paramwise_cfg.bias_lr_mult=-2")))
                .hasMessage("optim_wrapper.paramwise_cfg.bias_lr_mult: must be >= 0 but got -2.0");
    }

    @Test
    void presetsCarryMmsegValues() {
        Config r18 = Config.load("fcn_r18-d8_4xb2-80k_cityscapes-512x1024");
        assertThat(resnet(r18).depth()).isEqualTo(18);
        assertThat(fcnHead(r18).inChannels()).isEqualTo(512);
        assertThat(fcnHead(r18).channels()).isEqualTo(128);
        assertThat(r18.model().auxiliaryHead().channels()).isEqualTo(64);
        assertThat(r18.model().auxiliaryHead().loss().get(0).lossWeight()).isEqualTo(0.4);
        Config c769 = Config.load("fcn_r50-d8_4xb2-40k_cityscapes-769x769");
        assertThat(c769.model().decodeHead().alignCorners()).isTrue();
        assertThat(c769.model().testCfg().slide()).isTrue();
        assertThat(c769.model().testCfg().stride()).containsExactly(513, 513);
        assertThat(resnet(Config.load("fcn_r50b-d8_4xb2-80k_cityscapes-512x1024"))
                        .deepStem())
                .isFalse();
        assertThat(Config.load("fcn_r50-d8_4xb4-80k_ade20k-512x512")
                        .model()
                        .auxiliaryHead()
                        .numClasses())
                .isEqualTo(150);
        assertThat(r18.model().preprocessor().size()).containsExactly(512, 1024);
    }

    @Test
    void baseInheritanceMergesDictsReplacesListsAndHonoursDelete() throws IOException {
        write(
                "base.yaml",
                "model:\n  type: EncoderDecoder\n  backbone: {type: ResNetV1c, depth: 50, strides: [1, 2, 2, 2]}\n"
                        + "  decode_head: {type: FCNHead, in_channels: 2048, channels: 8, num_classes: 3, dropout_ratio: 0.2}\n");
        Path child = write(
                "child.yaml",
                "_base_: [base.yaml]\nmodel:\n  backbone: {strides: [1, 2, 1, 1], dilations: [1, 1, 2, 4]}\n"
                        + "  decode_head: {num_classes: 7}\n");
        Config c = Config.load(child.toString());
        assertThat(resnet(c).strides()).containsExactly(1, 2, 1, 1);
        assertThat(resnet(c).depth()).isEqualTo(50);
        assertThat(c.model().decodeHead().numClasses()).isEqualTo(7);
        assertThat(fcnHead(c).dropoutRatio()).isEqualTo(0.2);

        Path replaced = write(
                "replace.yaml",
                "_base_: base.yaml\nmodel:\n  decode_head: {_delete_: true, type: FCNHead, "
                        + "in_channels: 2048, channels: 16, num_classes: 2}\n");
        assertThat(fcnHead(Config.load(replaced.toString())).dropoutRatio()).isEqualTo(0.1);
    }

    @Test
    void baseMayNameAPreset() throws IOException {
        Path p = write(
                "mine.yaml",
                "_base_: fcn_r50-d8_4xb2-40k_cityscapes-512x1024\nmodel:\n  decode_head: {num_classes: 4}\n");
        Config c = Config.load(p.toString());
        assertThat(c.model().decodeHead().numClasses()).isEqualTo(4);
        assertThat(c.model().auxiliaryHead().numClasses()).isEqualTo(19);
    }

    @Test
    void cfgOptionsOverrideScalarsListsAndListEntries() {
        Config c = Config.load(
                "fcn_r50-d8_4xb2-40k_cityscapes-512x1024",
                List.of(
                        "model.decode_head.num_classes=5",
                        "model.backbone.dilations=1,1,1,2",
                        "model.test_cfg.mode=slide",
                        "model.test_cfg.crop_size=[64, 64]",
                        "model.test_cfg.stride=[32,32]",
                        "train_dataloader.dataset.pipeline.2.ratio_range=[1.0, 1.0]"));
        assertThat(c.model().decodeHead().numClasses()).isEqualTo(5);
        assertThat(resnet(c).dilations()).containsExactly(1, 1, 1, 2);
        assertThat(c.model().testCfg().crop()).containsExactly(64, 64);
        @SuppressWarnings("unchecked")
        Map<String, Object> resize = (Map<String, Object>) ((List<?>)
                        ((Map<?, ?>) ((Map<?, ?>) c.tree().get("train_dataloader")).get("dataset")).get("pipeline"))
                .get(2);
        assertThat(resize.get("ratio_range")).isEqualTo(List.of(1.0, 1.0));
    }

    @Test
    void ampOptimWrapperTrainsInBfloat16Only() {
        String preset = "fcn_r50-d8_4xb2-40k_cityscapes-512x1024";
        assertThat(Config.load(preset).train().bf16()).isFalse();
        assertThat(Config.load(
                                preset,
                                List.of(
                                        "optim_wrapper.type=AmpOptimWrapper",
                                        "optim_wrapper.dtype=bfloat16",
                                        "optim_wrapper.loss_scale=dynamic"))
                        .train()
                        .bf16())
                .isTrue();
        assertThatThrownBy(() -> Config.load(preset, List.of("optim_wrapper.type=AmpOptimWrapper")))
                .hasMessageStartingWith("optim_wrapper.dtype: missing: AmpOptimWrapper's default is float16, but")
                .hasMessageEndingWith("set dtype='bfloat16'");
        assertThatThrownBy(() -> Config.load(
                        preset, List.of("optim_wrapper.type=AmpOptimWrapper", "optim_wrapper.dtype=float16")))
                .hasMessageStartingWith("optim_wrapper.dtype: 'float16', but fcn4j's mixed precision is bfloat16");
        assertThatThrownBy(() -> Config.load(preset, List.of("optim_wrapper.dtype=bfloat16")))
                .hasMessageContaining("optim_wrapper.dtype")
                .hasMessageContaining("unknown key");
    }

    @Test
    void channelsLastTrainingDefaultsToOnInBfloat16AndForFloat32ResNets() {
        String preset = "fcn_r50-d8_4xb2-40k_cityscapes-512x1024";
        String vgg = "fcn8s_vgg_demo_synthetic";
        List<String> amp = List.of("optim_wrapper.type=AmpOptimWrapper", "optim_wrapper.dtype=bfloat16");
        assertThat(Config.load(preset).train().channelsLast()).isTrue();
        assertThat(Config.load(preset, amp).train().channelsLast()).isTrue();
        assertThat(Config.load(vgg).train().channelsLast()).isFalse();
        assertThat(Config.load(vgg, amp).train().channelsLast()).isTrue();
        assertThat(Config.load(vgg, List.of("channels_last=True")).train().channelsLast())
                .isTrue();
        assertThat(Config.load(preset, List.of("channels_last=False")).train().channelsLast())
                .isFalse();
        List<String> ampNchw = new ArrayList<>(amp);
        ampNchw.add("channels_last=False");
        assertThat(Config.load(preset, ampNchw).train().channelsLast()).isFalse();
        assertThatThrownBy(() -> Config.load(preset, List.of("channels_last=3")))
                .hasMessageContaining("channels_last");
    }

    @Test
    void cfgOptionsReadPythonsTrueFalseAndNoneAsMmengineDoes() {
        Config c = Config.load(
                "fcn_r50-d8_4xb2-40k_cityscapes-512x1024",
                List.of("resume=True", "load_from_partial=true", "model.auxiliary_head=None", "img_ratios=False,None"));
        assertThat(c.train().resume()).isTrue();
        assertThat(c.train().loadFromPartial()).isTrue();
        assertThat(c.model().auxiliaryHead()).isNull();
        assertThat(c.tree().get("img_ratios")).isEqualTo(java.util.Arrays.asList(false, null));
        assertThat(Config.load("fcn_r50-d8_4xb2-40k_cityscapes-512x1024", List.of("resume=False"))
                        .train()
                        .resume())
                .isFalse();
    }

    @Test
    void errorsNameTheKeyPath() throws IOException {
        String preset = "fcn_r50-d8_4xb2-40k_cityscapes-512x1024";
        assertThatThrownBy(() -> Config.load(preset, List.of("model.backbone.depth=51")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("model.backbone.depth: expected one of 18, 34, 50, 101, 152 but got 51");
        assertThatThrownBy(() -> Config.load(preset, List.of("model.decode_head.num_classes=five")))
                .hasMessage("model.decode_head.num_classes: expected an integer but got 'five'");
        assertThatThrownBy(() -> Config.load(preset, List.of("model.decode_head.dropout_ratio=1.5")))
                .hasMessageStartingWith("model.decode_head.dropout_ratio: must be in [0, 1)");
        assertThatThrownBy(() -> Config.load(preset, List.of("model.auxiliary_head.in_channels=512")))
                .hasMessageStartingWith(
                        "model.auxiliary_head.in_channels: 512 but backbone output 2 (layer3) has 1024");
        assertThatThrownBy(() -> Config.load(preset, List.of("model.backbone.norm_cfg.type=GN")))
                .hasMessageStartingWith("model.backbone.norm_cfg.type: expected one of BN, SyncBN");
        assertThatThrownBy(() -> Config.load(preset, List.of("modle.x=1"))).hasMessage("modle: unknown key");
        assertThatThrownBy(() -> Config.load(preset, List.of("model.test_cfg.mode=slide")))
                .hasMessage("model.test_cfg.crop_size: missing (slide mode needs [h, w])");
        assertThatThrownBy(() -> Config.load(write("bad.yaml", "model: [1, 2\n").toString()))
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() ->
                        Config.load(write("loop.yaml", "_base_: loop.yaml\n").toString()))
                .hasMessageContaining("loops back");
        assertThatThrownBy(() -> Config.load("no_such_preset"))
                .hasMessage("no_such_preset: no such config file or preset");
    }
}
