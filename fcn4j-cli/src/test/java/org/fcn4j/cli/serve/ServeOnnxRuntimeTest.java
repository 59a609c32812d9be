package org.fcn4j.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fcn4j.cli.CliRun;
import org.fcn4j.cli.SmallModel;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.onnx.OrtSegmentor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fcn4j serve over an exported graph in ONNX Runtime: the label PNG is the one fcn4j's own engine predicts. */
class ServeOnnxRuntimeTest {
    @TempDir
    Path tmp;

    @Test
    void servesTheExportedGraphWithFcn4jsAnswer() throws Exception {
        SmallModel model = SmallModel.write(tmp);
        Path onnx = tmp.resolve("model.onnx");
        CliRun export = CliRun.of(
                "export", model.config().toString(), model.checkpoint().toString(), onnx.toString(), "--dynamic");
        assertThat(export.code()).as(export.err()).isEqualTo(0);
        Path file = tmp.resolve("img.png");
        Files.write(file, ServeClient.encode(SmallModel.image(90, 70), "png"));
        CliRun predict = CliRun.of(
                "predict",
                model.config().toString(),
                model.checkpoint().toString(),
                file.toString(),
                "--out-dir",
                tmp.resolve("out").toString());
        assertThat(predict.code()).as(predict.err()).isEqualTo(0);
        BufferedImage expected = ServeClient.png(Files.readAllBytes(tmp.resolve("out/img.png")));

        Config cfg = Config.load(model.config().toString());
        try (Segmenter segmenter = OrtSegmentor.segmenter(cfg, onnx, 2);
                SegmentServer server = SegmentServer.start(segmenter, ServeHttpTest.options(2, 4))) {
            HttpResponse<byte[]> resp = new ServeClient(server.port()).post("/v1/segment", Files.readAllBytes(file));
            assertThat(resp.statusCode()).isEqualTo(200);
            BufferedImage got = ServeClient.png(resp.body());
            assertThat(ServeClient.samples(got)).containsExactly(ServeClient.samples(expected));
        }
    }
}
