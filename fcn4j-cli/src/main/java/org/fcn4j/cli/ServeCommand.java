package org.fcn4j.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.fcn4j.cli.serve.SegmentServer;
import org.fcn4j.cli.serve.ServeOptions;
import org.fcn4j.config.InvalidParameter;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.model.ModelSpec;
import org.fcn4j.model.TestConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fcn4j serve}: the model behind HTTP, loaded once. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve segmentation over HTTP.",
            "POST /v1/segment with a JPEG or PNG body returns the label PNG (?format=color|overlay for colour "
                    + "images, JSON with Accept: application/json or ?format=json; ?mode=slide, ?tta=true). "
                    + "GET /healthz, GET /metrics (Prometheus). SIGTERM or Ctrl-C: stop accepting, finish "
                    + "in-flight requests, exit 0."
        })
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ModelArgs model;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            paramLabel = "ADDR",
            description = "Address to bind (default: ${DEFAULT-VALUE}, loopback only). Binding another address, "
                    + "e.g. 0.0.0.0, exposes the server: there is no authentication or TLS.")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--workers",
            defaultValue = "2",
            description = "Requests the model runs at once (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(
            names = "--queue",
            defaultValue = "16",
            description =
                    "Requests that may wait for a worker; more get 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(
            names = "--max-body-bytes",
            defaultValue = "20971520",
            paramLabel = "N",
            description = "Largest request body; larger gets 413 (default: ${DEFAULT-VALUE}, 20 MiB).")
    long maxBodyBytes;

    @Option(
            names = "--max-pixels",
            defaultValue = "16777216",
            paramLabel = "N",
            description = "Largest image (width x height, read from its header before decoding); larger gets 413 "
                    + "(default: ${DEFAULT-VALUE}, 4096 x 4096).")
    long maxPixels;

    @Option(
            names = "--timeout",
            defaultValue = "60",
            paramLabel = "SECONDS",
            description = "A request whose body has not arrived within this time gets 408 (a stalled upload); one not "
                    + "running the model within it gets 503 (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(
            names = "--max-connections",
            defaultValue = "" + ServeOptions.Connections.DEFAULT_MAX,
            paramLabel = "N",
            description = "Open connections at most; more wait to be accepted, and idle ones are closed after 1 s "
                    + "while the limit is reached (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(
            names = "--header-timeout",
            defaultValue = "" + ServeOptions.Connections.DEFAULT_HEADER_TIMEOUT_SECONDS,
            paramLabel = "SECONDS",
            description = "A connection that has not sent a whole request line and headers within this time is closed "
                    + "(default: ${DEFAULT-VALUE}).")
    int headerTimeoutSeconds;

    @Option(
            names = "--idle-timeout",
            defaultValue = "" + ServeOptions.Connections.DEFAULT_IDLE_TIMEOUT_SECONDS,
            paramLabel = "SECONDS",
            description = "A connection silent for this long, between requests or inside one, is closed "
                    + "(default: ${DEFAULT-VALUE}).")
    int idleTimeoutSeconds;

    @Option(
            names = "--shutdown-grace",
            defaultValue = "30",
            paramLabel = "SECONDS",
            description = "On SIGTERM, how long in-flight requests may take to finish (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(
            names = "--batch-window",
            defaultValue = "0",
            paramLabel = "MS",
            description = "Micro-batching: requests for images of one size and mode (without TTA) arriving within "
                    + "this many milliseconds of the first share one forward pass (default: ${DEFAULT-VALUE}, off).")
    int batchWindowMs;

    @Option(
            names = "--max-batch",
            defaultValue = "" + ServeOptions.Batching.DEFAULT_MAX_BATCH,
            paramLabel = "N",
            description = "With --batch-window: images per shared forward pass at most (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(
            names = "--slide-crop",
            paramLabel = "HxW",
            description =
                    "Window of ?mode=slide (default: test_cfg.crop_size, else data_preprocessor.size, else 512x512).")
    String slideCrop;

    @Option(
            names = "--slide-stride",
            paramLabel = "HxW",
            description = "Stride of ?mode=slide (default: test_cfg.stride, else two thirds of the window).")
    String slideStride;

    @Override
    public Integer call() throws Exception {
        Config cfg = model.load();
        ServeOptions options = options(cfg.model());
        boolean loopback = isLoopback(host);
        try (Segmenter segmenter = model.open(cfg)) {
            SegmentServer server;
            try {
                server = SegmentServer.start(segmenter, options);
            } catch (java.io.IOException e) {
                throw new UserError("cannot listen on " + host + ":" + port + ": " + e.getMessage());
            }
            CountDownLatch stop = new CountDownLatch(1);
            onTermination(stop::countDown);
            if (!loopback) {
                System.err.println("warning: listening on " + host + ", reachable from other machines; "
                        + "fcn4j serve has no authentication or TLS");
            }
            System.out.println("fcn4j serve: listening on http://" + hostForUrl(server) + ":" + server.port()
                    + " (POST /v1/segment, GET /healthz, GET /metrics)");
            System.out.flush();
            stop.await();
            System.out.println("fcn4j serve: stopping; finishing in-flight requests (up to " + graceSeconds + " s)");
            System.out.flush();
            server.shutdown(Duration.ofSeconds(graceSeconds));
        }
        System.out.println("fcn4j serve: stopped");
        System.out.flush();
        return 0;
    }

    ServeOptions options(ModelSpec spec) {
        if (port < 0 || port > 65535) {
            throw new UserError("--port: expected 0..65535 but got " + port);
        }
        requirePositive("--workers", workers);
        requirePositive("--max-body-bytes", maxBodyBytes);
        requirePositive("--max-pixels", maxPixels);
        requirePositive("--timeout", timeoutSeconds);
        requirePositive("--max-connections", maxConnections);
        requirePositive("--header-timeout", headerTimeoutSeconds);
        requirePositive("--idle-timeout", idleTimeoutSeconds);
        if (queue < 0) {
            throw new UserError("--queue: expected >= 0 but got " + queue);
        }
        if (graceSeconds < 0) {
            throw new UserError("--shutdown-grace: expected >= 0 but got " + graceSeconds);
        }
        requirePositive("--max-batch", maxBatch);
        if (batchWindowMs < 0) {
            throw new UserError("--batch-window: expected >= 0 but got " + batchWindowMs);
        }
        if (batchWindowMs > 0 && model.inference.onnxRuntime()) {
            throw new UserError("--batch-window: not with --engine onnxruntime, whose graph may take one batch size");
        }
        if (maxBodyBytes > ServeOptions.MAX_BODY_LIMIT) {
            throw new UserError("--max-body-bytes: at most " + ServeOptions.MAX_BODY_LIMIT);
        }
        return new ServeOptions(
                host,
                port,
                workers,
                queue,
                maxBodyBytes,
                maxPixels,
                Duration.ofSeconds(timeoutSeconds),
                slide(spec),
                new ServeOptions.Connections(
                        maxConnections,
                        Duration.ofSeconds(headerTimeoutSeconds),
                        Duration.ofSeconds(idleTimeoutSeconds)),
                new ServeOptions.Batching(Duration.ofMillis(batchWindowMs), maxBatch));
    }

    /** The windows of ?mode=slide: the options, else the config's, else MMSegmentation's usual 2/3 overlap. */
    private TestConfig slide(ModelSpec spec) {
        TestConfig test = spec.testCfg();
        int[] crop = slideCrop != null
                ? Sizes.parse("--slide-crop", slideCrop)
                : test.crop() != null
                        ? test.crop()
                        : spec.preprocessor().size() != null
                                ? spec.preprocessor().size()
                                : new int[] {512, 512};
        int[] stride = slideStride != null
                ? Sizes.parse("--slide-stride", slideStride)
                : slideCrop == null && test.stride() != null
                        ? test.stride()
                        : new int[] {(crop[0] * 2 + 2) / 3, (crop[1] * 2 + 2) / 3};
        try {
            return TestConfig.slide(crop, stride);
        } catch (InvalidParameter e) {
            throw new UserError((e.key().equals("stride") ? "--slide-stride: " : "--slide-crop: ") + e.problem());
        }
    }

    private static void requirePositive(String option, long value) {
        if (value < 1) {
            throw new UserError(option + ": expected a positive number but got " + value);
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new UserError("--host: unknown host " + host);
        }
    }

    private String hostForUrl(SegmentServer server) {
        String h = server.address().getAddress().getHostAddress();
        return h.contains(":") ? "[" + h + "]" : h;
    }

    /**
     * Handling TERM and INT ourselves (not in a shutdown hook) lets the drain finish and the exit code be 0.
     * The JDK's only API for that is {@code sun.misc.Signal} (module jdk.unsupported, exported for this
     * use). javac warns on every direct use of it, with no way to suppress the warning, and the build
     * treats warnings as errors; so it is reached reflectively, here only.
     */
    private static void onTermination(Runnable handler) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object onSignal = Proxy.newProxyInstance(
                    handlerType.getClassLoader(),
                    new Class<?>[] {handlerType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            handler.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "fcn4j serve termination handler";
                    });
            Method handle = signal.getMethod("handle", signal, handlerType);
            for (String sig : new String[] {"TERM", "INT"}) {
                handle.invoke(null, signal.getConstructor(String.class).newInstance(sig), onSignal);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot install the TERM/INT handler: " + e, e);
        }
    }
}
