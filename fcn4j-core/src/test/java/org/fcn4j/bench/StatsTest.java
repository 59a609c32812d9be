package org.fcn4j.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void oddCountTakesTheMiddleValue() {
        Stats s = Stats.of(new double[] {3.0, 1.0, 10.0, 2.0, 4.0});
        assertThat(s.median()).isEqualTo(3.0);
        assertThat(s.mean()).isEqualTo(4.0);
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(s.max()).isEqualTo(10.0);
        assertThat(s.count()).isEqualTo(5);
    }

    @Test
    void evenCountAveragesTheMiddleTwo() {
        assertThat(Stats.of(new double[] {4.0, 1.0, 2.0, 8.0}).median()).isEqualTo(3.0);
    }

    @Test
    void leavesTheCallersArrayUnsorted() {
        double[] t = {2.0, 1.0, 3.0};
        Stats.of(t);
        assertThat(t).containsExactly(2.0, 1.0, 3.0);
    }

    @Test
    void refusesNoTimings() {
        assertThatThrownBy(() -> Stats.of(new double[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
