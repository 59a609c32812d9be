package org.fcn4j.fuzz;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/**
 * The heap a parse allocates, counted by the JVM per thread (every object, garbage included), so a fuzz
 * target can hold a parser to a bound stated as a function of the input's size: what an input of n bytes
 * makes the parser allocate is the cost an attacker controls.
 */
final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocation() {}

    /**
     * Runs {@code parse} on this thread and returns its result; fails if it allocates more than {@code bound}
     * bytes, even when it throws. A first run over the bound is repeated once and only the repeat counts:
     * the first use of a code path loads classes and fills caches, which a blowup would do again.
     */
    static <T> T bounded(long bound, Supplier<T> parse) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            return parse.get();
        } finally {
            long first = THREADS.getCurrentThreadAllocatedBytes() - before;
            if (first > bound) {
                long again = allocatedBy(parse);
                if (again > bound) {
                    throw new AssertionError(
                            "allocated " + again + " bytes (first run " + first + "), beyond the bound of " + bound);
                }
            }
        }
    }

    private static long allocatedBy(Supplier<?> parse) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            parse.get();
        } catch (RuntimeException | Error outcomeAlreadySeen) {
            // the first run's outcome is the caller's; only the allocation counts here
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
