package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fcn4j.experiment.Config;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.ModelSummary;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    /** The R-18 preset at a sixteenth of its width: every code path of the full model in milliseconds. */
    private static final String PRESET = "fcn_r18-d8_4xb2-80k_cityscapes-512x1024";

    private static final List<String> SMALL = List.of(
            "model.backbone.stem_channels=16",
            "model.backbone.base_channels=8",
            "model.decode_head.in_channels=64",
            "model.decode_head.channels=16",
            "model.auxiliary_head.in_channels=32",
            "model.auxiliary_head.channels=8");

    @TempDir
    Path dir;

    private static CliRun bench(String... extra) {
        List<String> args = new ArrayList<>(List.of("bench", PRESET));
        args.addAll(List.of(extra));
        args.add("--cfg-options");
        args.addAll(SMALL);
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void printsTheTableAndWritesConsistentJson() throws Exception {
        Path json = dir.resolve("out/bench.json");
        CliRun r =
                bench("--shape", "48x64", "--batch", "2", "--iters", "3", "--threads", "1", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out())
                .contains("input (2, 3, 48, 64)")
                .contains("threads 1")
                .containsPattern("forward +\\d+\\.\\d{3} +\\d+\\.\\d{3} +\\d+\\.\\d{3}")
                .containsPattern("train step +\\d+\\.\\d{3}");
        JsonNode o = new ObjectMapper().readTree(json.toFile());
        assertThat(o.get("precision").asText()).isEqualTo("fp32");
        assertThat(o.get("shape").asText()).isEqualTo("48x64");
        assertThat(o.get("batch").asInt()).isEqualTo(2);
        assertThat(o.get("threads").asInt()).isEqualTo(1);
        for (String phase : new String[] {"forward", "train_step"}) {
            double median = o.get(phase + "_median_s").asDouble();
            assertThat(median)
                    .isBetween(
                            o.get(phase + "_min_s").asDouble(),
                            o.get(phase + "_max_s").asDouble());
            assertThat(o.get(phase + "_min_s").asDouble()).isPositive();
        }
        // MACs counted during the benchmark equal those of an independent summary pass of the same model
        ModelSummary s;
        try (NDManager m = Torch.newManager()) {
            s = ModelSummary.of(new EncoderDecoder(m, Config.load(PRESET, SMALL).model()), 2, 48, 64);
        }
        long forward = s.backboneMacs() + s.decodeMacs();
        assertThat(o.get("forward_macs").asLong()).isEqualTo(forward);
        assertThat(o.get("train_forward_macs").asLong()).isEqualTo(forward + s.auxiliaryMacs());
        assertThat(o.get("forward_gflops").asDouble())
                .isCloseTo(2.0 * forward / o.get("forward_median_s").asDouble() / 1e9, within(1e-9));
        assertThat(o.get("forward_peak_rss_mb").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(o.get("peak_rss_mb").asDouble());
    }

    @Test
    void forwardOnlySkipsTheTrainingStep() throws Exception {
        Path json = dir.resolve("f.json");
        CliRun r = bench("--shape", "32x32", "--iters", "1", "--forward-only", "--fold-bn", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).doesNotContain("train step").contains("fp32 (BN folded)");
        JsonNode o = new ObjectMapper().readTree(json.toFile());
        assertThat(o.get("train_step_median_s").isNull()).isTrue();
        assertThat(o.get("bn_folded").asBoolean()).isTrue();
        r = bench("--shape", "32x32", "--iters", "1", "--precision", "bf16", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out())
                .contains("bf16 (BN folded)")
                .contains("train step: bf16 mixed precision (AmpOptimWrapper), float32 weights, channels-last")
                .containsPattern("train step +\\d+\\.\\d{3}");
        assertThat(new ObjectMapper()
                        .readTree(json.toFile())
                        .get("train_precision")
                        .asText())
                .isEqualTo("bf16");
        r = bench("--shape", "32x32", "--iters", "1", "--channels-last", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out())
                .contains("train step: fp32, channels-last activations")
                .containsPattern("train step +\\d+\\.\\d{3}");
        JsonNode cl = new ObjectMapper().readTree(json.toFile());
        assertThat(cl.get("train_precision").asText()).isEqualTo("fp32");
        assertThat(cl.get("train_channels_last").asBoolean()).isTrue();
        r = bench("--shape", "32x32", "--iters", "1", "--fold-bn");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("train step  not timed: --fold-bn is for inference");
        assertThat(o.get("forward_median_s").asDouble()).isPositive();
        r = bench("--shape", "32x32", "--iters", "1", "--channels-last", "--forward-only", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("fp32 (BN folded, channels-last)").contains("inference (model.test_cfg): whole");
        assertThat(new ObjectMapper()
                        .readTree(json.toFile())
                        .get("channels_last")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void slideInferenceFollowsTheConfigsTestCfg() throws Exception {
        CliRun r = bench(
                "--shape",
                "40x72",
                "--iters",
                "1",
                "--forward-only",
                "--cfg-options",
                "model.test_cfg.mode=slide",
                "model.test_cfg.crop_size=[32,32]",
                "model.test_cfg.stride=[16,20]");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        // windows: rows ceil((40-32)/16)+1 = 2, columns ceil((72-32)/20)+1 = 3
        assertThat(r.out()).contains("inference (model.test_cfg): slide, crop 32x32, stride 16x20, 6 windows");
    }

    @Test
    void badOptionsGiveOneLine() {
        assertThat(bench("--iters", "0").err().trim()).isEqualTo("error: --iters: must be >= 1 but got 0");
        assertThat(bench("--threads", "0").code()).isEqualTo(2);
        assertThat(bench("--precision", "fp16").err().trim())
                .isEqualTo("error: --precision: expected fp32 or bf16 but got 'fp16'");
    }
}
