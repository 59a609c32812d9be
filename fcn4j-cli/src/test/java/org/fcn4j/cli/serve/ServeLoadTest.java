package org.fcn4j.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fcn4j.cli.SmallModel;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.util.ProcessMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bounded load run against the real server: no errors, latency printed, resident memory flat. */
class ServeLoadTest {
    static final int REQUESTS = 200;
    static final int CONCURRENCY = 8;
    static final int WARM_UP_BATCH = 100;

    @TempDir
    Path tmp;

    @Test
    void twoHundredRequestsAtConcurrencyEightAllSucceedWithFlatMemory() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/proc/self/status")), "reads memory from Linux's /proc");
        SmallModel model = SmallModel.write(tmp);
        byte[] body = ServeClient.encode(SmallModel.image(128, 96), "jpg");
        try (Segmenter segmenter = Segmenter.load(Config.load(model.config().toString()), model.checkpoint(), w -> {});
                SegmentServer server = SegmentServer.start(
                        segmenter,
                        new ServeOptions(
                                "127.0.0.1",
                                0,
                                2,
                                16,
                                1 << 20,
                                1 << 20,
                                Duration.ofSeconds(60),
                                ServeHttpTest.SLIDE))) {
            ServeClient client = new ServeClient(server.port());
            int[] expected = ServeClient.samples(
                    ServeClient.png(client.post("/v1/segment", body).body()));
            // warm-up to a steady state: the JIT, libtorch's allocator and thread pools, and G1's heap, which
            // grows by ~130 MB committed sometime in the first few hundred requests and then stays put
            // (two batches in a row growing VmRSS by under 2% each), at most 10 batches
            int warmUp = 0;
            long rssBefore = rssKb();
            for (int flat = 0; flat < 2 && warmUp < 10 * WARM_UP_BATCH; warmUp += WARM_UP_BATCH) {
                long previous = rssBefore;
                run(client, body, expected, WARM_UP_BATCH);
                rssBefore = rssKb();
                flat = rssBefore - previous < previous / 50 ? flat + 1 : 0;
            }
            List<Long> nanos = run(client, body, expected, REQUESTS);
            long rssAfter = rssKb();

            Collections.sort(nanos);
            double p50 = nanos.get(nanos.size() / 2) / 1e6;
            double p99 = nanos.get((int) Math.ceil(nanos.size() * 0.99) - 1) / 1e6;
            System.out.printf(
                    "serve load: %d requests, concurrency %d, 128x96 JPEG, tiny R-18: p50 %.1f ms, p99 %.1f ms; "
                            + "after %d warm-up requests VmRSS %d MB before, %d MB after (%+.1f%%)%n",
                    REQUESTS,
                    CONCURRENCY,
                    p50,
                    p99,
                    warmUp,
                    rssBefore / 1024,
                    rssAfter / 1024,
                    100.0 * (rssAfter - rssBefore) / rssBefore);
            assertThat(Math.abs(rssAfter - rssBefore)).as("VmRSS change (kB)").isLessThanOrEqualTo(rssBefore / 10);
            assertThat(client.metrics())
                    .contains("fcn4j_segment_request_seconds_count " + (1 + warmUp + REQUESTS))
                    .contains("fcn4j_http_requests_total{path=\"/v1/segment\",code=\"200\"} " + (1 + warmUp + REQUESTS))
                    .contains("fcn4j_queue_depth 0")
                    .contains("fcn4j_workers_busy 0");
        }
    }

    /** {@code n} requests from {@link #CONCURRENCY} clients; each must be 200 with the expected map. Returns latencies. */
    private static List<Long> run(ServeClient client, byte[] body, int[] expected, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> r = client.post("/v1/segment", body);
                    long t = System.nanoTime() - t0;
                    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
                    assertThat(ServeClient.samples(ServeClient.png(r.body()))).containsExactly(expected);
                    return t;
                }));
            }
            List<Long> out = new ArrayList<>();
            for (Future<Long> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /**
     * This JVM's resident set size in kB, measured after a full collection: G1
     * commits heap regions whenever it likes and gives them back after a full GC, which would otherwise
     * show up here as growth that is not the server's.
     */
    static long rssKb() throws Exception {
        System.gc();
        Thread.sleep(200);
        return Math.round(ProcessMemory.residentMb() * 1024);
    }
}
