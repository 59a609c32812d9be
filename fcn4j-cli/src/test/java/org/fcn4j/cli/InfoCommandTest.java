package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fcn4j.config.ConfigLoader;
import org.fcn4j.experiment.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

public class InfoCommandTest {
    @Test
    void printsShapesParametersAndMacs() {
        CliRun r = CliRun.of("info", "fcn_r18-d8_4xb2-80k_cityscapes-512x1024", "--shape", "64x96", "--batch", "2");
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out())
                .contains("parameters:  12,822,342")
                .contains("backbone layer1: (2, 64, 16, 24)")
                .contains("backbone layer4: (2, 512, 8, 12)")
                .contains("decode_head:    (2, 19, 8, 12)")
                .contains("auxiliary_head: (2, 19, 8, 12)")
                .containsPattern("MACs: +\\d+\\.\\d\\d G");
    }

    @Test
    void printsThePapersFcn8sWithItsTrunkOutputsAndInputSizeLogits() {
        CliRun r = CliRun.of("info", "fcn8s_vgg16_1xb1-100k_voc12aug", "--shape", "37x45");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        // VGG16 14.7 M + fc6 102.8 M + fc7 16.8 M + three score layers; the fixed upsamplers are buffers
        assertThat(r.out())
                .contains("parameters:  134,362,751")
                // conv1_1 pads 37x45 to 237x245; ceil-mode pools: 119x123, 60x62, 30x31, 15x16, 8x8; fc6 7x7: 2x2
                .contains("backbone pool3: (1, 256, 30, 31)")
                .contains("backbone pool4: (1, 512, 15, 16)")
                .contains("backbone fc7: (1, 4096, 2, 2)")
                .contains("decode_head:    (1, 21, 37, 45)")
                .doesNotContain("auxiliary_head");
    }

    @Test
    void theHelpNamesOnlyPresetsThatExistAndThePapersFour() {
        Matcher names =
                Pattern.compile("\\b(fcn[\\w-]+|torchvision_fcn_resnet\\d+)").matcher(Presets.CONFIG);
        int named = 0;
        while (names.find()) {
            assertThat(ConfigLoader.isPreset(names.group(1))).as(names.group(1)).isTrue();
            named++;
        }
        assertThat(named).isEqualTo(9);
        assertThat(CliRun.of("train", "--help").out().replaceAll("\\s+", " "))
                .contains(
                        "fcn32s_vgg16_1xb1-100k_voc12aug",
                        "fcn16s_vgg16_1xb1-100k_voc12aug",
                        "fcn8s_vgg16_1xb1-100k_voc12aug",
                        "fcn8s-atonce_vgg16_1xb1-300k_voc12aug");
    }

    @Test
    void badInputGivesOneLineAndExitCode2() {
        CliRun r = CliRun.of("info", "fcn_r18-d8_4xb2-80k_cityscapes-512x1024", "--shape", "64by96");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().trim())
                .isEqualTo("error: --shape: expected HxW with positive integers (e.g. 512x1024) but got '64by96'");
        r = CliRun.of("info", "fcn_r18-d8_4xb2-80k_cityscapes-512x1024", "--cfg-options", "model.backbone.depth=51");
        assertThat(r.err().trim())
                .isEqualTo("error: model.backbone.depth: expected one of 18, 34, 50, 101, 152 but got 51");
    }

    @Test
    void everyCommandHasHelpNamingEachOfItsOptions() {
        CommandLine cli = new CommandLine(new Main());
        String top = CliRun.of("--help").out();
        for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
            assertThat(top).as("fcn4j --help").contains(sub.getKey());
            if (sub.getKey().equals("help")) {
                continue;
            }
            CliRun help = CliRun.of(sub.getKey(), "--help");
            assertThat(help.code()).as(sub.getKey() + " --help exit code").isZero();
            assertThat(help.out()).as(sub.getKey() + " --help").startsWith("Usage: fcn4j " + sub.getKey());
            for (CommandLine.Model.OptionSpec option :
                    sub.getValue().getCommandSpec().options()) {
                assertThat(help.out()).as(sub.getKey() + " --help").contains(option.longestName());
                assertThat(option.description())
                        .as(sub.getKey() + " " + option.longestName())
                        .isNotEmpty();
            }
        }
    }

    @Test
    void configPrintsTheResolvedConfigWhichLoadsBackToTheSameTree(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of(
                "config",
                "fcn_r18-d8_4xb2-80k_cityscapes-512x1024",
                "--cfg-options",
                "model.decode_head.num_classes=5");
        assertThat(r.code()).as(r.err()).isZero();
        // inherited from _base_ (no _base_ left), and the override applied
        assertThat(r.out())
                .doesNotContain("_base_")
                .contains("num_classes: 5")
                .contains("depth: 18")
                .contains("type: CityscapesDataset");
        Path printed = Files.writeString(dir.resolve("printed.yaml"), r.out());
        assertThat(Config.load(printed.toString()).tree())
                .isEqualTo(Config.load(
                                "fcn_r18-d8_4xb2-80k_cityscapes-512x1024",
                                java.util.List.of("model.decode_head.num_classes=5"))
                        .tree());
        CliRun missing = CliRun.of("info", dir.resolve("missing.pth").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().trim()).isEqualTo("error: CHECKPOINT: no such file " + dir.resolve("missing.pth"));
        CliRun bad = CliRun.of(
                "config", "fcn_r18-d8_4xb2-80k_cityscapes-512x1024", "--cfg-options", "model.backbone.dpth=3");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().trim()).isEqualTo("error: model.backbone.dpth: unknown key");
    }
}
