package org.fcn4j.cli.serve;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.fcn4j.infer.Segmenter;

/**
 * The HTTP server: {@code POST /v1/segment}, {@code GET /healthz}, {@code GET /metrics} on Jetty (its core
 * API, no servlets), sharing one loaded {@link Segmenter} (thread-safe) between handler threads.
 *
 * <p>Connections are Jetty's non-blocking ones, so clients that are slow to send cost a socket and a buffer,
 * not a thread, and are bounded in number ({@link ServeOptions.Connections#max}), in time to send their
 * headers ({@link HeaderDeadline}) and their body (the request's timeout), in silence (the idle timeout) and in
 * header size ({@link #MAX_HEADER_BYTES}, then 431). Handlers block: {@code workers + queue} threads can hold
 * admitted segmentation requests, and a few more answer health checks, metrics and refusals meanwhile.
 */
public final class SegmentServer implements AutoCloseable {
    /** Request line and headers at most; more gets 431. Browsers and curl send well under 2 KiB. */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    /** Handler threads beyond the admitted requests', so health checks and 503s never wait behind the model. */
    private static final int SPARE_THREADS = 4;

    /** Jetty's own threads: one accepting connections, one selecting the ready ones. */
    private static final int ACCEPTORS = 1;

    private static final int SELECTORS = 1;

    /**
     * At the connection limit, idle connections get this idle timeout instead, so kept-alive clients that
     * are doing nothing make room for new ones.
     */
    private static final long IDLE_TIMEOUT_AT_LIMIT_MS = 1000;

    private final Server jetty;
    private final ServerConnector connector;
    private InetSocketAddress address;
    private final Admission admission;
    private final Metrics metrics = new Metrics();
    private final SegmentHandler segment;
    private final Batcher batcher;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    private SegmentServer(Segmenter segmenter, ServeOptions options) {
        admission = new Admission(options.workers(), options.queue());
        batcher = options.batching().on()
                ? new Batcher(segmenter, admission, options.batching(), options.workers())
                : null;
        segment = new SegmentHandler(segmenter, options, admission, batcher);
        int threads = options.workers() + options.queue() + SPARE_THREADS + ACCEPTORS + SELECTORS;
        QueuedThreadPool pool = new QueuedThreadPool(threads, Math.min(threads, 8));
        pool.setName("fcn4j-http");
        pool.setDaemon(true);
        pool.setReservedThreads(0); // every thread is counted above
        jetty = new Server(pool, new ScheduledExecutorScheduler("fcn4j-http-timer", true), null);

        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setSendServerVersion(false);
        connector = new ServerConnector(jetty, ACCEPTORS, SELECTORS, new HttpConnectionFactory(http));
        connector.setHost(options.host());
        connector.setPort(options.port());
        ServeOptions.Connections limits = options.connections();
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        // Jetty shortens idle timeouts to a second while draining; uploads in flight keep theirs
        connector.setShutdownIdleTimeout(limits.idleTimeout().toMillis());
        connector.addBean(new HeaderDeadline(connector, limits.headerTimeout()));
        NetworkConnectionLimit limit = new NetworkConnectionLimit(limits.max(), connector);
        limit.setEndPointIdleTimeout(
                Math.min(IDLE_TIMEOUT_AT_LIMIT_MS, limits.idleTimeout().toMillis()));
        jetty.addBean(limit);
        jetty.addConnector(connector);
        jetty.setHandler(new Routes());
        jetty.setErrorHandler(new JsonErrors());

        metrics.gauge(
                        "fcn4j_queue_depth",
                        "Admitted segmentation requests not yet running (reading, decoding, waiting).",
                        admission::queueDepth)
                .gauge(
                        "fcn4j_workers_busy",
                        "Model passes running now (a micro-batch of requests counts once).",
                        admission::running)
                .gauge(
                        "fcn4j_admission_capacity",
                        "Segmentation requests admitted at most (workers + queue).",
                        admission::capacity)
                .gauge("fcn4j_http_requests_in_flight", "HTTP requests received and not yet answered.", inFlight::get)
                .gauge(
                        "fcn4j_http_connections",
                        "Open HTTP connections (at most --max-connections).",
                        limit::getNetworkConnectionCount);
        if (batcher != null) {
            metrics.counter("fcn4j_batches_total", "Micro-batched forward passes run.", batcher::batches)
                    .counter(
                            "fcn4j_batched_requests_total",
                            "Requests answered by micro-batched passes (over fcn4j_batches_total: the mean batch size).",
                            batcher::images);
        }
    }

    /** Binds and starts serving; IOException when the address cannot be bound. */
    public static SegmentServer start(Segmenter segmenter, ServeOptions options) throws IOException {
        SegmentServer s = new SegmentServer(segmenter, options);
        try {
            s.connector.open();
        } catch (IOException e) {
            // Jetty wraps the reason ("Address already in use") in "Failed to bind to ..."
            throw e.getCause() instanceof IOException reason ? reason : e;
        }
        s.address = (InetSocketAddress) ((ServerSocketChannel) s.connector.getTransport()).getLocalAddress();
        try {
            s.jetty.start();
        } catch (Exception e) {
            s.stop();
            throw new IllegalStateException("cannot start the HTTP server: " + e, e);
        }
        return s;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** Every request: routed, answered in one write, counted when its last byte is written. */
    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            long start = System.nanoTime();
            inFlight.incrementAndGet();
            String path = request.getHttpURI().getDecodedPath();
            String label = switch (path) {
                case "/", "/v1/segment", "/healthz", "/metrics" -> path;
                default -> "other"; // a fixed label set: arbitrary paths must not create metric series
            };
            Reply reply;
            try {
                reply = route(request, path, start);
            } catch (HttpError e) {
                reply = Reply.error(e);
            } catch (IOException e) {
                done(label, 499, start); // the client went away mid-request; nothing to answer
                callback.failed(e);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply = Reply.error(HttpError.busy("server is shutting down"));
            } catch (RuntimeException | Error e) {
                System.err.println("fcn4j serve: internal error on " + request.getMethod() + " " + path + ": " + e);
                reply = Reply.error(
                        new HttpError(500, "internal error: " + e.getClass().getSimpleName()));
            }
            if (draining) {
                // requests already here are still answered; this makes kept-alive clients reconnect elsewhere
                reply = reply.withHeader("Connection", "close");
            }
            int status = reply.status();
            reply.send(
                    response,
                    Callback.from(
                            () -> {
                                done(label, status, start);
                                callback.succeeded();
                            },
                            failure -> {
                                done(label, 499, start);
                                callback.failed(failure);
                            }));
            return true;
        }
    }

    private void done(String label, int status, long start) {
        inFlight.decrementAndGet();
        metrics.request(label, status);
        if (label.equals("/v1/segment")) {
            metrics.observe((System.nanoTime() - start) / 1e9);
        }
    }

    private Reply route(Request request, String path, long start) throws IOException, InterruptedException {
        String method = request.getMethod();
        return switch (path) {
            case "/" -> {
                allow(method, "GET");
                yield Reply.of(200, "text/html; charset=utf-8", Page.HTML);
            }
            case "/v1/segment" -> {
                allow(method, "POST");
                yield segment.handle(request, start);
            }
            case "/healthz" -> {
                allow(method, "GET");
                yield draining
                        ? Reply.json(503, Map.of("status", "draining"))
                        : Reply.json(200, Map.of("status", "ok"));
            }
            case "/metrics" -> {
                allow(method, "GET");
                yield Reply.of(
                        200,
                        "text/plain; version=0.0.4; charset=utf-8",
                        metrics.render().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            default ->
                throw new HttpError(
                        404, "no such path: " + path + " (GET /, POST /v1/segment, GET /healthz, GET /metrics)");
        };
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

    /**
     * Stops gracefully: the listening socket closes at once, requests already accepted (and at most one
     * more per kept-alive connection, answered with Connection: close) are finished within {@code grace},
     * {@code /healthz} says 503 meanwhile, then every connection closes.
     */
    public void shutdown(Duration grace) {
        draining = true;
        connector.shutdown(); // closes the listening socket; Jetty closes each connection after its answer
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stop();
        }
    }

    private void stop() {
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the HTTP server: " + e, e);
        } finally {
            if (batcher != null) {
                batcher.close();
            }
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
