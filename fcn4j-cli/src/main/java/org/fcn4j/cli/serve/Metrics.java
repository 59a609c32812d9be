package org.fcn4j.cli.serve;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/** Counters and the latency histogram, written in the Prometheus text format (version 0.0.4). */
final class Metrics {
    /** Upper bounds (seconds) of the latency buckets: tiny models on a laptop up to large images on a CPU. */
    private static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();
    /** Gauges and counters read from elsewhere. */
    private final List<Reading> readings = new CopyOnWriteArrayList<>();

    private record Reading(String name, String help, String type, LongSupplier value) {}

    Metrics() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** A gauge read when the metrics are written; {@code help} is its one-line description. */
    Metrics gauge(String name, String help, IntSupplier value) {
        readings.add(new Reading(name, help, "gauge", value::getAsInt));
        return this;
    }

    /** A counter kept elsewhere, read when the metrics are written. */
    Metrics counter(String name, String help, LongSupplier value) {
        readings.add(new Reading(name, help, "counter", value));
        return this;
    }

    /** One answered request; {@code path} must come from a fixed set (it becomes a label). */
    void request(String path, int status) {
        requests.computeIfAbsent("path=\"" + path + "\",code=\"" + status + "\"", k -> new LongAdder())
                .increment();
    }

    /** One segmentation request's time from arrival to its last byte, whatever its outcome. */
    void observe(double seconds) {
        int i = 0;
        while (i < BOUNDS.length && seconds > BOUNDS[i]) {
            i++;
        }
        buckets[i].increment();
        count.increment();
        sum.add(seconds);
    }

    String render() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP fcn4j_http_requests_total HTTP requests answered, by endpoint and status code.\n")
                .append("# TYPE fcn4j_http_requests_total counter\n");
        new TreeMap<>(requests)
                .forEach((labels, n) -> b.append("fcn4j_http_requests_total{")
                        .append(labels)
                        .append("} ")
                        .append(n.sum())
                        .append('\n'));
        b.append(
                        "# HELP fcn4j_segment_request_seconds Time to answer POST /v1/segment, from arrival to the last byte.\n")
                .append("# TYPE fcn4j_segment_request_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < buckets.length; i++) {
            cumulative += buckets[i].sum();
            String le = i < BOUNDS.length ? number(BOUNDS[i]) : "+Inf";
            b.append("fcn4j_segment_request_seconds_bucket{le=\"")
                    .append(le)
                    .append("\"} ")
                    .append(cumulative)
                    .append('\n');
        }
        b.append("fcn4j_segment_request_seconds_sum ").append(number(sum.sum())).append('\n');
        b.append("fcn4j_segment_request_seconds_count ").append(count.sum()).append('\n');
        for (Reading g : readings) {
            b.append("# HELP ")
                    .append(g.name())
                    .append(' ')
                    .append(g.help())
                    .append('\n')
                    .append("# TYPE ")
                    .append(g.name())
                    .append(' ')
                    .append(g.type())
                    .append('\n')
                    .append(g.name())
                    .append(' ')
                    .append(g.value().getAsLong())
                    .append('\n');
        }
        return b.toString();
    }

    private static String number(double v) {
        return Double.toString(v); // locale-independent, as Prometheus parses it
    }
}
