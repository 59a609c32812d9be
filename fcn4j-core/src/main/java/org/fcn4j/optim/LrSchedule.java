package org.fcn4j.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.fcn4j.config.ConfigNode;

/**
 * mmengine's iteration-based learning-rate schedulers ({@code PolyLR}, {@code LinearLR}) in their
 * chainable form: each scheduler in its [begin, end) range multiplies or maps the current rate, and
 * {@link #step} runs after every iteration, as {@code ParamSchedulerHook} does. Replaying the steps
 * from the start reproduces the exact double-precision rates a resumed run needs.
 */
public final class LrSchedule {
    private final double baseLr;
    private final List<Scheduler> schedulers;
    private double lr;
    private final long[] lastSteps;
    private long globalStep = -1;

    /** mmengine's open end of a scheduler's range. */
    static final long INF = 1_000_000_000L;

    /** One scheduler: its range and its chainable update at its own step count. */
    public interface Scheduler {
        long begin();

        long end();

        double next(double lr, long lastStep);
    }

    /** {@code PolyLR}: (lr - eta_min) * (1 - 1 / (T - t + 1))^power + eta_min with T = end - begin - 1. */
    public record Poly(long begin, long end, double etaMin, double power) implements Scheduler {
        @Override
        public double next(double lr, long t) {
            long total = end - begin - 1;
            return t == 0 ? lr : (lr - etaMin) * Math.pow(1 - 1.0 / (total - t + 1), power) + etaMin;
        }
    }

    /** {@code LinearLR}: start_factor at the first step, then linearly to end_factor over T = end - begin - 1. */
    public record Linear(long begin, long end, double startFactor, double endFactor) implements Scheduler {
        @Override
        public double next(double lr, long t) {
            long total = end - begin - 1;
            return t == 0
                    ? lr * startFactor
                    : lr
                            * (1
                                    + (endFactor - startFactor)
                                            / (total * startFactor + (t - 1) * (endFactor - startFactor)));
        }
    }

    public LrSchedule(double baseLr, List<Scheduler> schedulers) {
        this.baseLr = baseLr;
        this.schedulers = List.copyOf(schedulers);
        this.lastSteps = new long[schedulers.size()];
        Arrays.fill(lastSteps, -1);
        this.lr = baseLr;
        step(); // mmengine's schedulers take their first step when built
    }

    /** The learning rate for the current iteration. */
    public double lr() {
        return lr;
    }

    public double baseLr() {
        return baseLr;
    }

    /** Advances one iteration. */
    public void step() {
        globalStep++;
        for (int i = 0; i < schedulers.size(); i++) {
            Scheduler s = schedulers.get(i);
            if (s.begin() <= globalStep && globalStep < s.end()) {
                lastSteps[i]++;
                lr = s.next(lr, lastSteps[i]);
            }
        }
    }

    /** The schedule positioned at iteration {@code iteration} (its rate is that iteration's). */
    public LrSchedule at(long iteration) {
        LrSchedule s = new LrSchedule(baseLr, schedulers);
        for (long i = 0; i < iteration; i++) {
            s.step();
        }
        return s;
    }

    /** Reads {@code param_scheduler} (a list, or absent for a constant rate). */
    public static LrSchedule parse(ConfigNode root, double baseLr) {
        List<Scheduler> out = new ArrayList<>();
        if (root.value("param_scheduler") != null) {
            for (ConfigNode n : root.dicts("param_scheduler")) {
                String type = n.oneOf("type", null, "PolyLR", "LinearLR");
                if (type == null) {
                    throw n.error("type", "missing (PolyLR or LinearLR)");
                }
                if (n.bool("by_epoch", false)) {
                    throw n.error("by_epoch", "only iteration-based schedules (by_epoch: false) are supported");
                }
                long begin = n.integer("begin", 0, 0);
                long end = n.value("end") == null ? INF : (long) n.number("end", INF);
                if (end <= begin) {
                    throw n.error("end", "must be larger than begin (" + begin + ") but got " + end);
                }
                if (type.equals("PolyLR")) {
                    double power = n.number("power", 1.0);
                    out.add(new Poly(begin, end, n.number("eta_min", 0), power));
                } else {
                    double start = n.number("start_factor", 1.0 / 3);
                    double endF = n.number("end_factor", 1.0);
                    if (start < 0 || start > 1 || endF < 0 || endF > 1) {
                        throw n.error("start_factor", "start_factor and end_factor must be in [0, 1]");
                    }
                    out.add(new Linear(begin, end, start, endF));
                }
                n.accept("verbose", "convert_to_iter_based");
                n.finish();
            }
        }
        return new LrSchedule(baseLr, out);
    }
}
