package org.fcn4j.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fcn4j.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {
    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "fcn_r18-d8_4xb2-80k_cityscapes-512x1024",
                "fcn_r50-d8_4xb2-40k_cityscapes-512x1024",
                "fcn_r50-d8_4xb2-80k_cityscapes-512x1024",
                "fcn_r101-d8_4xb2-40k_cityscapes-512x1024",
                "fcn_r50-d8_4xb2-40k_cityscapes-769x769",
                "fcn_r50-d8_4xb4-80k_ade20k-512x512",
                "fcn_r50-d8_4xb4-20k_voc12aug-512x512",
                "fcn_r50b-d8_4xb2-80k_cityscapes-512x1024",
                "fcn_r18b-d8_4xb2-80k_cityscapes-512x1024",
                "fcn_r101b-d8_4xb2-80k_cityscapes-512x1024"
            })
    void everyPresetLoads(String name) {
        assertThat(Config.load(name).model().decodeHead().numClasses()).isIn(19, 150, 21);
    }

    @Test
    void presetsCarryMmsegValues() {
        Config r18 = Config.load("fcn_r18-d8_4xb2-80k_cityscapes-512x1024");
        assertThat(r18.model().backbone().depth()).isEqualTo(18);
        assertThat(r18.model().decodeHead().inChannels()).isEqualTo(512);
        assertThat(r18.model().decodeHead().channels()).isEqualTo(128);
        assertThat(r18.model().auxiliaryHead().channels()).isEqualTo(64);
        assertThat(r18.model().auxiliaryHead().loss().get(0).lossWeight()).isEqualTo(0.4);
        Config c769 = Config.load("fcn_r50-d8_4xb2-40k_cityscapes-769x769");
        assertThat(c769.model().decodeHead().alignCorners()).isTrue();
        assertThat(c769.model().testCfg().slide()).isTrue();
        assertThat(c769.model().testCfg().stride()).containsExactly(513, 513);
        assertThat(Config.load("fcn_r50b-d8_4xb2-80k_cityscapes-512x1024")
                        .model()
                        .backbone()
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
        assertThat(c.model().backbone().strides()).containsExactly(1, 2, 1, 1);
        assertThat(c.model().backbone().depth()).isEqualTo(50);
        assertThat(c.model().decodeHead().numClasses()).isEqualTo(7);
        assertThat(c.model().decodeHead().dropoutRatio()).isEqualTo(0.2);

        Path replaced = write(
                "replace.yaml",
                "_base_: base.yaml\nmodel:\n  decode_head: {_delete_: true, type: FCNHead, "
                        + "in_channels: 2048, channels: 16, num_classes: 2}\n");
        assertThat(Config.load(replaced.toString()).model().decodeHead().dropoutRatio())
                .isEqualTo(0.1);
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
        assertThat(c.model().backbone().dilations()).containsExactly(1, 1, 1, 2);
        assertThat(c.model().testCfg().crop()).containsExactly(64, 64);
        @SuppressWarnings("unchecked")
        Map<String, Object> resize = (Map<String, Object>) ((List<?>)
                        ((Map<?, ?>) ((Map<?, ?>) c.tree().get("train_dataloader")).get("dataset")).get("pipeline"))
                .get(2);
        assertThat(resize.get("ratio_range")).isEqualTo(List.of(1.0, 1.0));
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
                        "model.auxiliary_head.in_channels: 512 but backbone output 2 (stage 3) has 1024");
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
