package org.fcn4j.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.imageio.ImageIO;

/** Talks HTTP to a server on a loopback port, as a client would. */
final class ServeClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final int port;

    ServeClient(int port) {
        this.port = port;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    HttpResponse<byte[]> post(String pathAndQuery, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> send(String method, String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(uri(pathAndQuery))
                .timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    String metrics() throws IOException, InterruptedException {
        return new String(send("GET", "/metrics").body(), StandardCharsets.UTF_8);
    }

    /** Polls /metrics until it has {@code line} (e.g. "fcn4j_queue_depth 1"); fails after 20 s. */
    void awaitMetric(String line) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!metrics().lines().anyMatch(line::equals)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("metrics never showed '" + line + "':\n" + metrics());
            }
            Thread.sleep(20);
        }
    }

    static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    static BufferedImage png(byte[] bytes) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        if (img == null) {
            throw new AssertionError(
                    "not a PNG: " + new String(bytes, 0, Math.min(200, bytes.length), StandardCharsets.UTF_8));
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    /** Band 0 of an image, row-major. */
    static int[] samples(BufferedImage img) {
        return img.getRaster()
                .getSamples(0, 0, img.getWidth(), img.getHeight(), 0, new int[img.getWidth() * img.getHeight()]);
    }

    /**
     * A POST sent by hand over a socket, its body held back part-way: the server has admitted the request
     * and is reading its body while the test does something else.
     */
    static final class HeldUpload implements AutoCloseable {
        private final Socket socket;
        private final byte[] rest;

        HeldUpload(int port, byte[] body, int sendFirst) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/segment HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: "
                            + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, sendFirst);
            out.flush();
            rest = java.util.Arrays.copyOfRange(body, sendFirst, body.length);
        }

        /** Sends the rest of the body and returns the response's status line. */
        String finish() throws IOException {
            socket.getOutputStream().write(rest);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
                line.append((char) c);
            }
            return line.toString().trim();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
