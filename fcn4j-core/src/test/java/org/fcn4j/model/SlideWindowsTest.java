package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.fcn4j.model.SlideWindows.Window;
import org.junit.jupiter.api.Test;

class SlideWindowsTest {
    @Test
    void imageSmallerThanTheCropIsOneClippedWindow() {
        assertThat(SlideWindows.of(20, 30, new int[] {48, 64}, new int[] {32, 40}))
                .containsExactly(new Window(0, 20, 0, 30));
    }

    @Test
    void exactMultiplesTileWithoutShifting() {
        List<Window> w = SlideWindows.of(64, 96, new int[] {32, 32}, new int[] {32, 32});
        assertThat(w).hasSize(6).contains(new Window(32, 64, 64, 96));
        assertThat(SlideWindows.counts(64, 96, w)).containsOnly(1);
    }

    @Test
    void theLastWindowIsShiftedBackInside() {
        // 97 rows, crop 48, stride 32: grids = (97-48+31)//32+1 = 3; the third starts at 64, ends at 97, shifted to 49
        List<Window> w = SlideWindows.of(97, 40, new int[] {48, 40}, new int[] {32, 40});
        assertThat(w).containsExactly(new Window(0, 48, 0, 40), new Window(32, 80, 0, 40), new Window(49, 97, 0, 40));
    }

    @Test
    void everyPixelIsCoveredForManyGeometries() {
        for (int h = 1; h < 70; h += 7) {
            for (int cw = 3; cw < 40; cw += 9) {
                int[] counts = SlideWindows.counts(h, 61, SlideWindows.of(h, 61, new int[] {cw, cw}, new int[] {2, 3}));
                for (int c : counts) {
                    assertThat(c).isPositive();
                }
            }
        }
        // mmseg's own test: crop (3, 3), stride (2, 2)
        assertThat(SlideWindows.of(5, 7, new int[] {3, 3}, new int[] {2, 2})).hasSize(6);
    }
}
