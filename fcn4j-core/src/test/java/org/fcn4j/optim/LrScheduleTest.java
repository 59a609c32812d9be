package org.fcn4j.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;
import org.junit.jupiter.api.Test;

/** mmengine's chainable schedulers against the closed forms the spec states. */
class LrScheduleTest {
    @Test
    void polyFollowsTheClosedFormAndEndsAtEtaMin() {
        int n = 40000;
        LrSchedule s = new LrSchedule(0.01, List.of(new LrSchedule.Poly(0, n, 1e-4, 0.9)));
        for (int t = 0; t < n; t++) {
            double closed = (0.01 - 1e-4) * Math.pow(1 - (double) t / (n - 1), 0.9) + 1e-4;
            if (t % 997 == 0 || t > n - 3) {
                assertThat(s.lr()).as("iteration %d", t).isCloseTo(closed, within(1e-12));
            }
            s.step();
        }
        assertThat(s.at(n - 1).lr()).isCloseTo(1e-4, within(1e-15));
    }

    @Test
    void linearWarmupThenPolyChainAsMmengine() {
        // LinearLR over [0, 10): factor from 0.1 to 1 in T = 9 steps; then PolyLR over [10, 30)
        LrSchedule s = new LrSchedule(
                0.1, List.of(new LrSchedule.Linear(0, 10, 0.1, 1.0), new LrSchedule.Poly(10, 30, 0.0, 1.0)));
        for (int t = 0; t < 10; t++) {
            assertThat(s.lr()).as("warm-up %d", t).isCloseTo(0.1 * (0.1 + 0.9 * t / 9.0), within(1e-12));
            s.step();
        }
        for (int t = 0; t < 20; t++) {
            assertThat(s.lr()).as("poly %d", t).isCloseTo(0.1 * (1 - t / 19.0), within(1e-12));
            s.step();
        }
        assertThat(s.lr()).as("after the last range the rate stays").isCloseTo(0.0, within(1e-12));
    }

    @Test
    void positioningAtAnIterationReplaysTheSameRates() {
        LrSchedule s = new LrSchedule(
                0.05, List.of(new LrSchedule.Linear(0, 5, 0.2, 1.0), new LrSchedule.Poly(5, 100, 1e-4, 0.9)));
        for (int t = 0; t < 37; t++) {
            s.step();
        }
        assertThat(s.at(37).lr()).isEqualTo(s.lr());
    }

    @Test
    void parseReadsMmsegSchedulesAndRejectsEpochBased() {
        ConfigNode root = new ConfigNode(
                "",
                Map.of(
                        "param_scheduler",
                        List.of(Map.of(
                                "type",
                                "PolyLR",
                                "eta_min",
                                1e-4,
                                "power",
                                0.9,
                                "begin",
                                0,
                                "end",
                                100,
                                "by_epoch",
                                false))));
        assertThat(LrSchedule.parse(root, 0.01).at(99).lr()).isCloseTo(1e-4, within(1e-15));
        ConfigNode epochs =
                new ConfigNode("", Map.of("param_scheduler", List.of(Map.of("type", "PolyLR", "by_epoch", true))));
        assertThatThrownBy(() -> LrSchedule.parse(epochs, 0.01))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("param_scheduler[0].by_epoch");
        ConfigNode cosine = new ConfigNode("", Map.of("param_scheduler", List.of(Map.of("type", "CosineAnnealingLR"))));
        assertThatThrownBy(() -> LrSchedule.parse(cosine, 0.01)).hasMessageContaining("CosineAnnealingLR");
        assertThat(LrSchedule.parse(new ConfigNode("", Map.of()), 0.02).at(500).lr())
                .isEqualTo(0.02);
    }
}
