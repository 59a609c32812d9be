package org.fcn4j.cli.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.fcn4j.infer.Segmenter;

/**
 * The HTTP server: {@code POST /v1/segment}, {@code GET /healthz}, {@code GET /metrics} on the JDK's
 * {@code com.sun.net.httpserver}, sharing one loaded {@link Segmenter} (thread-safe) between handler threads.
 *
 * <p>Threads: {@code workers + queue} handler threads can hold admitted segmentation requests, and a few
 * more answer health checks, metrics and refusals while those are busy. Connections beyond what the
 * threads and a short hand-off queue take are closed by the JDK server (it catches the executor's
 * rejection), so nothing grows without bound.
 */
public final class SegmentServer implements AutoCloseable {
    /** Handler threads beyond the admitted requests', so health checks and 503s never wait behind the model. */
    private static final int SPARE_THREADS = 4;

    private static final int HAND_OFF_QUEUE = 64;

    private final HttpServer http;
    private final ThreadPoolExecutor pool;
    private final Admission admission;
    private final Metrics metrics = new Metrics();
    private final SegmentHandler segment;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    private SegmentServer(Segmenter segmenter, ServeOptions options) throws IOException {
        admission = new Admission(options.workers(), options.queue());
        segment = new SegmentHandler(segmenter, options, admission);
        metrics.gauge(
                        "fcn4j_queue_depth",
                        "Admitted segmentation requests not yet running (reading, decoding, waiting).",
                        admission::queueDepth)
                .gauge("fcn4j_workers_busy", "Segmentation requests running the model now.", admission::running)
                .gauge(
                        "fcn4j_admission_capacity",
                        "Segmentation requests admitted at most (workers + queue).",
                        admission::capacity)
                .gauge(
                        "fcn4j_http_requests_in_flight",
                        "HTTP requests being handled or waiting for a thread.",
                        inFlight::get);
        int threads = options.workers() + options.queue() + SPARE_THREADS;
        pool = new ThreadPoolExecutor(
                threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(HAND_OFF_QUEUE), r -> {
                    Thread t = new Thread(r, "fcn4j-http");
                    t.setDaemon(true);
                    return t;
                });
        http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 0);
        http.setExecutor(counting(pool));
        http.createContext("/", this::handle);
    }

    /**
     * Binds and starts serving. The JDK server closes a connection whose request is still unanswered after
     * {@code sun.net.httpserver.maxReqTime} seconds, which frees threads from clients that stall mid-upload.
     * It is set to twice the timeout, so a request that waited the whole timeout gets its 503 first; the
     * property is JVM-wide and read once, so it is only set when nobody has set it.
     */
    public static SegmentServer start(Segmenter segmenter, ServeOptions options) throws IOException {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty(
                    "sun.net.httpserver.maxReqTime",
                    Long.toString(Math.max(2, 2 * options.timeout().toSeconds())));
        }
        SegmentServer s = new SegmentServer(segmenter, options);
        s.http.start();
        return s;
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** Counts exchanges from hand-off to their last byte, so shutdown knows when everything accepted is answered. */
    private Executor counting(Executor inner) {
        return task -> {
            inFlight.incrementAndGet();
            try {
                inner.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        inFlight.decrementAndGet();
                    }
                });
            } catch (RuntimeException e) {
                inFlight.decrementAndGet();
                throw e;
            }
        };
    }

    private void handle(HttpExchange ex) {
        long start = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        String label = switch (path) {
            case "/", "/v1/segment", "/healthz", "/metrics" -> path;
            default -> "other"; // a fixed label set: arbitrary paths must not create metric series
        };
        int status = 500;
        try {
            if (draining) {
                // requests already here are still answered; this makes kept-alive clients reconnect elsewhere
                ex.getResponseHeaders().set("Connection", "close");
            }
            status = route(ex, path, start);
        } catch (HttpError e) {
            status = trySend(ex, e);
        } catch (IOException e) {
            status = 499; // the client went away mid-request; nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = trySend(ex, HttpError.busy("server is shutting down"));
        } catch (RuntimeException | Error e) {
            System.err.println("fcn4j serve: internal error on " + ex.getRequestMethod() + " " + path + ": " + e);
            status = trySend(
                    ex, new HttpError(500, "internal error: " + e.getClass().getSimpleName()));
        } finally {
            ex.close();
            metrics.request(label, status);
            if (label.equals("/v1/segment")) {
                metrics.observe((System.nanoTime() - start) / 1e9);
            }
        }
    }

    private int route(HttpExchange ex, String path, long start) throws IOException, InterruptedException {
        String method = ex.getRequestMethod();
        switch (path) {
            case "/" -> {
                allow(method, "GET");
                return Responses.send(ex, 200, "text/html; charset=utf-8", Page.HTML);
            }
            case "/v1/segment" -> {
                allow(method, "POST");
                return segment.handle(ex, start);
            }
            case "/healthz" -> {
                allow(method, "GET");
                return draining
                        ? Responses.json(ex, 503, Map.of("status", "draining"))
                        : Responses.json(ex, 200, Map.of("status", "ok"));
            }
            case "/metrics" -> {
                allow(method, "GET");
                return Responses.send(
                        ex,
                        200,
                        "text/plain; version=0.0.4; charset=utf-8",
                        metrics.render().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            default ->
                throw new HttpError(
                        404, "no such path: " + path + " (GET /, POST /v1/segment, GET /healthz, GET /metrics)");
        }
    }

    /** The web page for trying the model (index.html beside this class), read once. */
    private static final class Page {
        static final byte[] HTML = read();

        private static byte[] read() {
            try (java.io.InputStream in = SegmentServer.class.getResourceAsStream("index.html")) {
                if (in == null) {
                    throw new IllegalStateException("index.html is missing from the jar");
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read index.html from the jar", e);
            }
        }
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new HttpError(405, "method " + method + " not allowed here; use " + allowed).header("Allow", allowed);
        }
    }

    /** Sends the error if the response has not started; returns the status the client got (or 499). */
    private static int trySend(HttpExchange ex, HttpError e) {
        try {
            return Responses.error(ex, e);
        } catch (IOException | RuntimeException sendFailed) {
            return ex.getResponseCode() > 0 ? ex.getResponseCode() : 499;
        }
    }

    /**
     * Stops gracefully: the listening socket closes at once, requests already accepted (and at most one
     * more per kept-alive connection, answered with Connection: close) are finished within {@code grace},
     * {@code /healthz} says 503 meanwhile, then every connection closes.
     */
    public void shutdown(Duration grace) {
        draining = true;
        // JDK 17's HttpServer.stop(delay) closes the listening socket first, then waits for its last exchange
        // to end, but sits out the whole delay when none is running; so it runs beside this thread, which
        // watches the in-flight count, and a second stop(0) ends the wait once everything is answered.
        Thread stopper = new Thread(() -> http.stop((int) Math.max(1, grace.toSeconds())), "fcn4j-stop");
        stopper.start();
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            http.stop(0);
            stopper.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
