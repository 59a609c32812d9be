package org.fcn4j.model;

import java.util.ArrayList;
import java.util.List;

/**
 * MMSegmentation's sliding-window geometry: h_grids = max(H - h_crop + h_stride - 1, 0) // h_stride + 1
 * (same for w); window (i, j) starts at (i*h_stride, j*w_stride), is clipped to the image and then
 * shifted back so it keeps the crop size where the image allows.
 */
public final class SlideWindows {
    private SlideWindows() {}

    /** A window [y1, y2) x [x1, x2). */
    public record Window(int y1, int y2, int x1, int x2) {}

    public static List<Window> of(int height, int width, int[] crop, int[] stride) {
        int hGrids = Math.max(height - crop[0] + stride[0] - 1, 0) / stride[0] + 1;
        int wGrids = Math.max(width - crop[1] + stride[1] - 1, 0) / stride[1] + 1;
        List<Window> out = new ArrayList<>();
        for (int i = 0; i < hGrids; i++) {
            for (int j = 0; j < wGrids; j++) {
                int y2 = Math.min(i * stride[0] + crop[0], height);
                int x2 = Math.min(j * stride[1] + crop[1], width);
                out.add(new Window(Math.max(y2 - crop[0], 0), y2, Math.max(x2 - crop[1], 0), x2));
            }
        }
        return out;
    }

    /** How many windows cover each pixel (row-major); every entry is at least 1. */
    public static int[] counts(int height, int width, List<Window> windows) {
        int[] count = new int[height * width];
        for (Window w : windows) {
            for (int y = w.y1(); y < w.y2(); y++) {
                for (int x = w.x1(); x < w.x2(); x++) {
                    count[y * width + x]++;
                }
            }
        }
        return count;
    }
}
