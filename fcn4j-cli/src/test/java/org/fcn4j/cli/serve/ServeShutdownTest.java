package org.fcn4j.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fcn4j.cli.SmallModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fcn4j serve} as its own process: SIGTERM stops accepting, finishes the request in flight, exits 0. */
class ServeShutdownTest {
    @TempDir
    Path tmp;

    @Test
    void sigtermFinishesTheRequestInFlightAndExitsZero() throws Exception {
        SmallModel model = SmallModel.write(tmp);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.fcn4j.cli.Main",
                        "serve",
                        model.config().toString(),
                        model.checkpoint().toString(),
                        "--port",
                        "0")
                .redirectErrorStream(true)
                .start();
        List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+) ");
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                output.add(line);
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertThat(port).as(String.join("\n", output)).isPositive();
            Thread drain = new Thread(() -> out.lines().forEach(output::add));
            drain.start();

            ServeClient client = new ServeClient(port);
            byte[] body = ServeClient.encode(SmallModel.image(64, 48), "png");
            try (ServeClient.HeldUpload held = new ServeClient.HeldUpload(port, body, body.length / 3)) {
                client.awaitMetric("fcn4j_queue_depth 1");
                // SIGTERM (through the handle: Process.destroy would also close our end of its output)
                assertThat(p.toHandle().destroy()).isTrue();
                awaitRefused(port);
                assertThat(p.isAlive())
                        .as("still finishing the request in flight")
                        .isTrue();
                assertThat(held.finish()).startsWith("HTTP/1.1 200");
            }
            assertThat(p.waitFor(30, TimeUnit.SECONDS))
                    .as("exits after the drain")
                    .isTrue();
            drain.join(5000);
            assertThat(p.exitValue()).as(String.join("\n", output)).isZero();
            assertThat(output).anyMatch(l -> l.contains("fcn4j serve: stopped"));
        } finally {
            p.destroyForcibly();
        }
    }

    /** Waits until the listening socket is closed: connecting is refused. */
    private static void awaitRefused(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket accepted = new Socket("127.0.0.1", port)) {
                if (accepted.isConnected() && System.nanoTime() > deadline) {
                    throw new AssertionError("still accepting connections 10 s after SIGTERM");
                }
            } catch (ConnectException refused) {
                return;
            } catch (IOException other) {
                // reset while closing: try again
            }
            Thread.sleep(20);
        }
    }
}
