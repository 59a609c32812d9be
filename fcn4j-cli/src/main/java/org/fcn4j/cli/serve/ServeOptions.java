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
 * @param timeout longest wait for a worker (then 503); also the JDK server's cut-off for an unanswered request
 * @param slide the windows {@code ?mode=slide} uses
 */
public record ServeOptions(
        String host,
        int port,
        int workers,
        int queue,
        long maxBodyBytes,
        long maxPixels,
        Duration timeout,
        TestConfig slide) {
    /** A body is held in one array. */
    public static final long MAX_BODY_LIMIT = Integer.MAX_VALUE - 16;

    public ServeOptions {
        if (workers < 1 || queue < 0 || maxPixels < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("workers >= 1, queue >= 0, max pixels and timeout > 0 required");
        }
        if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_LIMIT) {
            throw new IllegalArgumentException("max body bytes must be in 1.." + MAX_BODY_LIMIT);
        }
        if (!slide.slide()) {
            throw new IllegalArgumentException("slide must be a slide-mode test_cfg");
        }
    }
}
