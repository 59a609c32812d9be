package org.fcn4j.bench;

import java.util.Arrays;

/**
 * Median and range of repeated timings in seconds. The median (the mean of the middle two for an even
 * count, as Python's {@code statistics.median}) resists the odd slow run that a mean would absorb.
 */
public record Stats(double median, double min, double max, int count) {
    public static Stats of(double[] seconds) {
        if (seconds.length == 0) {
            throw new IllegalArgumentException("no timings");
        }
        double[] s = seconds.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Stats(median, s[0], s[n - 1], n);
    }
}
