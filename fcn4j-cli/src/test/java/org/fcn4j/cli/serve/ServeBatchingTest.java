package org.fcn4j.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fcn4j.cli.SmallModel;
import org.fcn4j.data.Images;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --batch-window}: concurrent requests share forward passes and get the answers they get alone. */
class ServeBatchingTest {
    @TempDir
    Path tmp;

    @Test
    void concurrentRequestsShareForwardPassesWithTheirOwnAnswers() throws Exception {
        SmallModel model = SmallModel.write(tmp);
        try (Segmenter segmenter = Segmenter.load(Config.load(model.config().toString()), model.checkpoint(), w -> {});
                SegmentServer server = SegmentServer.start(segmenter, options(Duration.ofMillis(300), 4))) {
            ServeClient client = new ServeClient(server.port());
            // eight different images of one size and four of another, all at once
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                images.add(variant(i < 8 ? 64 : 48, i < 8 ? 48 : 40, i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(images.size());
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            try {
                for (BufferedImage image : images) {
                    byte[] body = ServeClient.encode(image, "png");
                    answers.add(pool.submit(() -> client.post("/v1/segment", body)));
                }
                for (int i = 0; i < images.size(); i++) {
                    HttpResponse<byte[]> r = answers.get(i).get();
                    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
                    int[] alone = segmenter
                            .segment(Images.fromBufferedImage(images.get(i)))
                            .labels()
                            .labels();
                    assertThat(ServeClient.samples(ServeClient.png(r.body())))
                            .as("image %d batched and alone", i)
                            .containsExactly(alone);
                }
            } finally {
                pool.shutdown();
            }
            // a TTA request runs alone, outside the batches
            HttpResponse<byte[]> tta = client.post("/v1/segment?tta=true", ServeClient.encode(images.get(0), "png"));
            assertThat(tta.statusCode()).isEqualTo(200);
            String metrics = client.metrics();
            long batches = counter(metrics, "fcn4j_batches_total");
            assertThat(counter(metrics, "fcn4j_batched_requests_total")).isEqualTo(12);
            // at most 4 per pass and sizes never mixed: at least 3 passes; all twelve arrive within about one
            // window, so most passes are shared (3 or 4 here; 12 would mean none was)
            assertThat(batches).isBetween(3L, 9L);
            assertThat(metrics).contains("fcn4j_workers_busy 0").contains("fcn4j_queue_depth 0");
        }
    }

    private static ServeOptions options(Duration window, int maxBatch) {
        return new ServeOptions(
                "127.0.0.1",
                0,
                1,
                16,
                1 << 20,
                1 << 20,
                Duration.ofSeconds(60),
                ServeHttpTest.SLIDE,
                ServeOptions.Connections.DEFAULT,
                new ServeOptions.Batching(window, maxBatch));
    }

    /** The test image with a grey square whose place depends on {@code i}. */
    private static BufferedImage variant(int width, int height, int i) {
        BufferedImage image = SmallModel.image(width, height);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(40 * (i % 6), 200, 255 - 20 * i));
        g.fillRect(3 * i % (width - 10), 2 * i % (height - 10), 10, 10);
        g.dispose();
        return image;
    }

    private static long counter(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(metrics);
        assertThat(m.find()).as(name + " in " + metrics).isTrue();
        return Long.parseLong(m.group(1));
    }
}
