package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertCommandTest {
    @TempDir
    Path tmp;

    @Test
    void convertsAPthToSafetensorsAndBackReportingAgainstAConfig() throws Exception {
        Path src = tmp.resolve("in.pth");
        Files.copy(Path.of(getClass().getResource("/mmseg_zip.pth").toURI()), src);
        CliRun r = CliRun.of(
                "convert",
                src.toString(),
                tmp.resolve("a.safetensors").toString(),
                "--config",
                "fcn_r18-d8_4xb2-80k_cityscapes-512x1024");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out())
                .contains("166 tensors, MMSEG layout, 5 classes")
                .contains("size mismatch for: backbone.stem.0.weight")
                .contains("more)")
                .contains("wrote");
        r = CliRun.of(
                "convert",
                tmp.resolve("a.safetensors").toString(),
                tmp.resolve("b.pth").toString());
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).contains("166 tensors, MMSEG layout, 5 classes");
    }

    @Test
    void badArgumentsAreOneLine() {
        CliRun r = CliRun.of(
                "convert",
                tmp.resolve("missing.pth").toString(),
                tmp.resolve("out.pth").toString());
        assertThat(r.err().trim()).startsWith("error: IN: no such file");
        r = CliRun.of(
                "convert",
                tmp.resolve("missing.pth").toString(),
                tmp.resolve("out.bin").toString());
        assertThat(r.err().trim())
                .isEqualTo("error: OUT: expected a file name ending in .pth or .safetensors but got 'out.bin'");
    }
}
