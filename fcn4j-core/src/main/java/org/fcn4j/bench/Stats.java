package org.fcn4j.bench;

import java.util.Arrays;

/**
 * Median, mean and range of repeated timings in seconds. The median (the mean of the middle two for an even
 * count, as Python's {@code statistics.median}) resists the odd slow run that a mean would absorb; the mean is
 * what throughput is (count / total time), to set beside an end-to-end rate such as {@code predict}'s images/s.
 */
public record Stats(double median, double mean, double min, double max, int count) {
    public static Stats of(double[] seconds) {
        if (seconds.length == 0) {
            throw new IllegalArgumentException("no timings");
        }
        double[] s = seconds.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Stats(median, Arrays.stream(s).sum() / n, s[0], s[n - 1], n);
    }
}
