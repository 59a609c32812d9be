package org.fcn4j.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fcn4j.cli.serve.ServeClient.json;
import static org.fcn4j.cli.serve.ServeClient.png;
import static org.fcn4j.cli.serve.ServeClient.samples;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.fcn4j.cli.CliRun;
import org.fcn4j.cli.SmallModel;
import org.fcn4j.data.Images;
import org.fcn4j.experiment.Config;
import org.fcn4j.image.RgbImage;
import org.fcn4j.infer.SegmentOptions;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.model.TestConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real server on an ephemeral loopback port, talked to over HTTP. */
class ServeHttpTest {
    static final TestConfig SLIDE = TestConfig.slide(new int[] {32, 32}, new int[] {20, 20});
    static final long MAX_BODY = 256 * 1024;

    @TempDir
    static Path tmp;

    static SmallModel model;
    static Segmenter segmenter;
    static SegmentServer server;
    static ServeClient client;

    @BeforeAll
    static void start() throws Exception {
        model = SmallModel.write(tmp);
        segmenter = Segmenter.load(Config.load(model.config().toString()), model.checkpoint(), w -> {});
        server = SegmentServer.start(segmenter, options(2, 4));
        client = new ServeClient(server.port());
    }

    static ServeOptions options(int workers, int queue) {
        return new ServeOptions("127.0.0.1", 0, workers, queue, MAX_BODY, 1_000_000, Duration.ofSeconds(30), SLIDE);
    }

    @AfterAll
    static void stop() {
        server.close();
        segmenter.close();
    }

    @Test
    void theWebPageIsServedWholeAndOffline() throws Exception {
        HttpResponse<byte[]> r = client.send("GET", "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        String html = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(html)
                .contains("<label for=\"file\">")
                .contains("id=\"opacity\"")
                .contains("/v1/segment?")
                .doesNotContain("http://")
                .doesNotContain("https://")
                .doesNotContain("src=\"//");
        // the page draws the legend and the label colours from the JSON answer
        HttpResponse<byte[]> json =
                client.post("/v1/segment?format=json", ServeClient.encode(SmallModel.image(40, 30), "png"));
        assertThat(new String(json.body(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"palette\":[[")
                .contains("\"classes\":[");
        expect(client.send("POST", "/"), 405, "use GET");
    }

    @Test
    void theLabelPngIsWhatPredictWrites() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("predict-in"));
        BufferedImage image = SmallModel.image(90, 70);
        for (String format : new String[] {"png", "jpg"}) {
            Path file = images.resolve("img." + format);
            Files.write(file, ServeClient.encode(image, format));
            Path out = tmp.resolve("predict-out-" + format);
            CliRun r = CliRun.of(
                    "predict",
                    model.config().toString(),
                    model.checkpoint().toString(),
                    file.toString(),
                    "--out-dir",
                    out.toString());
            assertThat(r.code()).as(r.err()).isEqualTo(0);
            BufferedImage expected = png(Files.readAllBytes(out.resolve("img.png")));

            HttpResponse<byte[]> resp = client.post("/v1/segment", Files.readAllBytes(file));
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.headers().firstValue("Content-Type")).hasValue("image/png");
            BufferedImage got = png(resp.body());
            assertThat(got.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
            assertThat(got.getWidth()).isEqualTo(90);
            assertThat(got.getHeight()).isEqualTo(70);
            assertThat(samples(got)).containsExactly(samples(expected));
            assertThat(Arrays.stream(samples(got)).distinct().count())
                    .as("a map with more than one class")
                    .isGreaterThan(1);
        }
    }

    @Test
    void colourOverlayAndJsonDescribeTheSameLabels() throws Exception {
        byte[] body = ServeClient.encode(SmallModel.image(64, 40), "png");
        RgbImage rgb = Images.decodeRgb(body, "test", Long.MAX_VALUE);
        int[] labels = samples(png(client.post("/v1/segment", body).body()));
        int[][] palette = segmenter.meta().palette();

        BufferedImage colour = png(client.post("/v1/segment?format=color", body).body());
        BufferedImage overlay =
                png(client.post("/v1/segment?format=overlay", body).body());
        for (int i = 0; i < labels.length; i++) {
            int x = i % 64;
            int y = i / 64;
            int[] c = palette[labels[i]];
            assertThat(colour.getRGB(x, y) & 0xffffff).isEqualTo((c[0] << 16) | (c[1] << 8) | c[2]);
            int blended = overlay.getRGB(x, y);
            for (int k = 0; k < 3; k++) {
                int channel = blended >> (16 - 8 * k) & 0xff;
                assertThat(channel).isCloseTo((rgb.at(y, x, k) + c[k]) / 2, org.assertj.core.data.Offset.offset(1));
            }
        }

        HttpResponse<byte[]> r = client.post("/v1/segment", body, "Accept", "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode j = json(r);
        assertThat(j.get("width").asInt()).isEqualTo(64);
        assertThat(j.get("height").asInt()).isEqualTo(40);
        assertThat(j.get("classes").toString()).isEqualTo("[\"road\",\"sidewalk\",\"building\",\"wall\",\"fence\"]");
        long[] counts = new long[5];
        Arrays.stream(labels).forEach(l -> counts[l]++);
        for (int c = 0; c < 5; c++) {
            assertThat(j.get("pixel_counts").get(c).asLong()).as("class " + c).isEqualTo(counts[c]);
        }
        byte[] map = Base64.getDecoder().decode(j.get("label_map_png").asText());
        assertThat(samples(png(map))).containsExactly(labels);
        // ?format=json does the same whatever Accept says, as long as it allows JSON
        assertThat(json(client.post("/v1/segment?format=json", body, "Accept", "*/*"))
                        .get("pixel_counts")
                        .toString())
                .isEqualTo(j.get("pixel_counts").toString());
    }

    @Test
    void slideModeAndTtaAreTheSegmentersAnswers() throws Exception {
        BufferedImage image = SmallModel.image(100, 76);
        byte[] body = ServeClient.encode(image, "png");
        RgbImage rgb = Images.fromBufferedImage(image);
        int[] slide = segmenter
                .segment(rgb, SegmentOptions.DEFAULT.withTestCfg(SLIDE))
                .labels()
                .labels();
        int[] tta = segmenter
                .segment(rgb, SegmentOptions.DEFAULT.withTta(true))
                .labels()
                .labels();
        int[] whole = segmenter.segment(rgb).labels().labels();
        assertThat(slide).isNotEqualTo(whole); // otherwise the checks below could not tell the modes apart
        assertThat(tta).isNotEqualTo(whole);
        assertThat(samples(png(client.post("/v1/segment?mode=slide", body).body())))
                .containsExactly(slide);
        assertThat(samples(png(client.post("/v1/segment?tta=true", body).body())))
                .containsExactly(tta);
        assertThat(samples(png(
                        client.post("/v1/segment?mode=whole&tta=false", body).body())))
                .containsExactly(whole);
        JsonNode j = json(client.post("/v1/segment?mode=slide&tta=true&format=json", body));
        assertThat(j.get("mode").asText()).isEqualTo("slide");
        assertThat(j.get("tta").asBoolean()).isTrue();
    }

    @Test
    void badInputGetsA4xxWithAJsonErrorAndTheServerCarriesOn() throws Exception {
        byte[] good = ServeClient.encode(SmallModel.image(48, 40), "png");
        byte[] noisyJpeg = ServeClient.encode(noise(160, 120), "jpg");
        byte[] bigPng = ServeClient.encode(noise(40, 30), "png");
        expect(client.post("/v1/segment", "hello, not an image".getBytes()), 400, "not a JPEG or PNG");
        expect(client.post("/v1/segment", Arrays.copyOf(noisyJpeg, noisyJpeg.length / 2)), 400, "truncated image");
        expect(client.post("/v1/segment", Arrays.copyOf(bigPng, bigPng.length / 2)), 400, "corrupt or truncated image");
        expect(client.post("/v1/segment", new byte[0]), 400, "empty request body");
        expect(
                client.post("/v1/segment", new byte[(int) MAX_BODY + 1000]),
                413,
                "over the limit of " + MAX_BODY + " bytes");
        expect(client.post("/v1/segment", pngDeclaring(100_000, 100_000)), 413, "declares 100000x100000 pixels");
        expect(client.post("/v1/segment", jpegDeclaring(60_000, 60_000)), 413, "declares 60000x60000 pixels");
        expect(client.post("/v1/segment?format=gif", good), 400, "format='gif'");
        expect(client.post("/v1/segment?colour=red", good), 400, "unknown query parameter 'colour'");
        expect(client.post("/v1/segment", good, "Accept", "text/html"), 406, "Accept is 'text/html'");
        expect(client.post("/v1/segment?format=overlay", good, "Accept", "application/json"), 406, "answers image/png");
        HttpResponse<byte[]> r = client.send("GET", "/v1/segment");
        expect(r, 405, "method GET not allowed");
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        r = client.send("DELETE", "/healthz");
        expect(r, 405, "use GET");
        assertThat(r.headers().firstValue("Allow")).hasValue("GET");
        expect(client.send("GET", "/v2/segment"), 404, "no such path: /v2/segment");

        assertThat(client.send("GET", "/healthz").statusCode()).isEqualTo(200);
        assertThat(client.post("/v1/segment", good).statusCode()).isEqualTo(200);
        String metrics = client.metrics();
        assertThat(metrics)
                .containsPattern("fcn4j_http_requests_total\\{path=\"/v1/segment\",code=\"400\"} [1-9]")
                .containsPattern("fcn4j_http_requests_total\\{path=\"/v1/segment\",code=\"413\"} [1-9]")
                .containsPattern("fcn4j_http_requests_total\\{path=\"other\",code=\"404\"} [1-9]")
                .contains("# TYPE fcn4j_segment_request_seconds histogram")
                .containsPattern("fcn4j_segment_request_seconds_bucket\\{le=\"\\+Inf\"} [1-9]")
                .contains("fcn4j_queue_depth 0");
    }

    @Test
    void aFullQueueGets503WithRetryAfterAndAdmitsAgainOnceFree() throws Exception {
        byte[] body = ServeClient.encode(SmallModel.image(48, 40), "png");
        try (SegmentServer small = SegmentServer.start(segmenter, options(1, 0))) {
            ServeClient c = new ServeClient(small.port());
            // the only admission place is taken by a request whose body is still arriving
            try (ServeClient.HeldUpload held = new ServeClient.HeldUpload(small.port(), body, body.length / 2)) {
                c.awaitMetric("fcn4j_queue_depth 1");
                HttpResponse<byte[]> r = c.post("/v1/segment", body);
                expect(r, 503, "server busy");
                assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(c.send("GET", "/healthz").statusCode()).isEqualTo(200);
                assertThat(held.finish()).startsWith("HTTP/1.1 200");
            }
            c.awaitMetric("fcn4j_queue_depth 0");
            assertThat(c.post("/v1/segment", body).statusCode()).isEqualTo(200);
            assertThat(c.metrics()).contains("fcn4j_http_requests_total{path=\"/v1/segment\",code=\"503\"} 1");
        }
    }

    @Test
    void impossibleOptionsFailBeforeTheServerStarts() {
        String cfg = model.config().toString();
        String ckpt = model.checkpoint().toString();
        CliRun r = CliRun.of("serve", cfg, ckpt, "--slide-crop", "32x32", "--slide-stride", "40x40");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().trim())
                .isEqualTo(
                        "error: --slide-stride: 40x40 is larger than the window 32x32, which leaves pixels uncovered");
        r = CliRun.of("serve", cfg, ckpt, "--port", "70000");
        assertThat(r.err().trim()).isEqualTo("error: --port: expected 0..65535 but got 70000");
        r = CliRun.of("serve", cfg, ckpt, "--max-body-bytes", "0");
        assertThat(r.err().trim()).isEqualTo("error: --max-body-bytes: expected a positive number but got 0");
        r = CliRun.of("serve", cfg, ckpt, "--header-timeout", "0");
        assertThat(r.err().trim()).isEqualTo("error: --header-timeout: expected a positive number but got 0");
    }

    private static void expect(HttpResponse<byte[]> r, int status, String messagePart) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(r).get("error").asText()).contains(messagePart);
    }

    private static BufferedImage noise(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(3);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt());
            }
        }
        return img;
    }

    /** A valid little PNG file whose header claims width x height (a decompression bomb's shape). */
    static byte[] pngDeclaring(int width, int height) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(
                out,
                "IHDR",
                ByteBuffer.allocate(13)
                        .putInt(width)
                        .putInt(height)
                        .put(new byte[] {8, 2, 0, 0, 0})
                        .array());
        Deflater d = new Deflater();
        d.setInput(new byte[1024]);
        d.finish();
        byte[] z = new byte[2048];
        chunk(out, "IDAT", Arrays.copyOf(z, d.deflate(z)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A small real JPEG with its frame header (SOF0) rewritten to claim width x height. */
    static byte[] jpegDeclaring(int width, int height) throws Exception {
        byte[] b = ServeClient.encode(SmallModel.image(16, 16), "jpg");
        for (int i = 0; i + 8 < b.length; i++) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xc0) {
                // FF C0, length (2), precision (1), height (2), width (2)
                b[i + 5] = (byte) (height >> 8);
                b[i + 6] = (byte) height;
                b[i + 7] = (byte) (width >> 8);
                b[i + 8] = (byte) width;
                return b;
            }
        }
        throw new AssertionError("no SOF0 marker");
    }
}
