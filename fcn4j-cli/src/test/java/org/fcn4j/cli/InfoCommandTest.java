package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

public class InfoCommandTest {
    /** Runs the CLI and returns {exit code, stdout, stderr}. */
    public static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void printsShapesParametersAndMacs() {
        String[] r = run("info", "fcn_r18-d8_4xb2-80k_cityscapes-512x1024", "--shape", "64x96", "--batch", "2");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("parameters:  12,822,342")
                .contains("backbone layer1: (2, 64, 16, 24)")
                .contains("backbone layer4: (2, 512, 8, 12)")
                .contains("decode_head:    (2, 19, 8, 12)")
                .contains("auxiliary_head: (2, 19, 8, 12)")
                .containsPattern("MACs: +\\d+\\.\\d\\d G");
    }

    @Test
    void badInputGivesOneLineAndExitCode2() {
        String[] r = run("info", "fcn_r18-d8_4xb2-80k_cityscapes-512x1024", "--shape", "64by96");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].trim()).isEqualTo("error: --shape: expected HxW with positive integers (e.g. 512x1024) but got '64by96'");
        r = run("info", "fcn_r18-d8_4xb2-80k_cityscapes-512x1024", "--cfg-options", "model.backbone.depth=51");
        assertThat(r[2].trim()).isEqualTo("error: model.backbone.depth: expected one of 18, 34, 50, 101, 152 but got 51");
    }

    @Test
    void everyCommandHasHelp() {
        assertThat(run("--help")[1]).contains("info");
        assertThat(run("info", "--help")[1]).contains("--shape").contains("--batch").contains("--cfg-options");
    }
}
