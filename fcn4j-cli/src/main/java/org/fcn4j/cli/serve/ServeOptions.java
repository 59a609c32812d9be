package org.fcn4j.cli.serve;

import java.time.Duration;
import org.fcn4j.model.TestConfig;

/**
 * How the server listens and what it accepts.
 *
 * @param workers requests the model runs at once
 * @param queue admitted requests that may wait for a worker; beyond workers + queue a request gets 503
 * @param maxBodyBytes largest request body
 * @param maxPixels largest image, checked against the header before decoding
 * @param timeout longest time from a request's arrival to its model run: a body not received within it gets
 *     408, a request still waiting for a worker 503
 * @param slide the windows {@code ?mode=slide} uses
 * @param connections the limits on connections, which hold against clients that never finish a request
 * @param batching micro-batching of requests into shared forward passes, or {@link Batching#OFF}
 */
public record ServeOptions(
        String host,
        int port,
        int workers,
        int queue,
        long maxBodyBytes,
        long maxPixels,
        Duration timeout,
        TestConfig slide,
        Connections connections,
        Batching batching) {
    /** A body is held in one array. */
    public static final long MAX_BODY_LIMIT = Integer.MAX_VALUE - 16;

    public ServeOptions {
        if (workers < 1 || queue < 0 || maxPixels < 1 || !positive(timeout)) {
            throw new IllegalArgumentException("workers >= 1, queue >= 0, max pixels and timeout > 0 required");
        }
        if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_LIMIT) {
            throw new IllegalArgumentException("max body bytes must be in 1.." + MAX_BODY_LIMIT);
        }
        if (!slide.slide()) {
            throw new IllegalArgumentException("slide must be a slide-mode test_cfg");
        }
    }

    /** The options with the default connection limits, without micro-batching. */
    public ServeOptions(
            String host,
            int port,
            int workers,
            int queue,
            long maxBodyBytes,
            long maxPixels,
            Duration timeout,
            TestConfig slide) {
        this(host, port, workers, queue, maxBodyBytes, maxPixels, timeout, slide, Connections.DEFAULT, Batching.OFF);
    }

    /**
     * Micro-batching: requests for images of one size and mode (without TTA) that arrive within {@code window}
     * of the first one share a forward pass of at most {@code maxBatch} images.
     */
    public record Batching(Duration window, int maxBatch) {
        public static final Batching OFF = new Batching(Duration.ZERO, 1);
        public static final int DEFAULT_MAX_BATCH = 8;

        public Batching {
            if (window.isNegative() || maxBatch < 1) {
                throw new IllegalArgumentException("batch window >= 0 and max batch >= 1 required");
            }
        }

        public boolean on() {
            return !window.isZero() && maxBatch > 1;
        }
    }

    /**
     * The limits that keep idle and slow clients from holding the server.
     *
     * @param max open connections at most; beyond it new ones wait in the kernel's accept queue
     * @param headerTimeout longest time to receive a request's line and headers (from the connection's
     *     opening for its first request), after which the connection is closed; the idle timeout alone lets a
     *     client trickling a byte every few seconds hold a connection for ever
     * @param idleTimeout longest silence on a connection, between requests or inside one
     */
    public record Connections(int max, Duration headerTimeout, Duration idleTimeout) {
        public static final int DEFAULT_MAX = 1024;
        public static final int DEFAULT_HEADER_TIMEOUT_SECONDS = 10;
        public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 30;
        public static final Connections DEFAULT = new Connections(
                DEFAULT_MAX,
                Duration.ofSeconds(DEFAULT_HEADER_TIMEOUT_SECONDS),
                Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECONDS));

        public Connections {
            if (max < 1 || !positive(headerTimeout) || !positive(idleTimeout)) {
                throw new IllegalArgumentException("max connections, header and idle timeouts > 0 required");
            }
        }
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }
}
