package org.fcn4j.data.transform;

import org.fcn4j.image.RgbImage;

/**
 * OpenCV's 8-bit HSV conversions ({@code cv2.cvtColor} with {@code COLOR_BGR2HSV} / {@code COLOR_HSV2BGR},
 * H in 0..179), bit for bit, as mmcv's {@code bgr2hsv} / {@code hsv2bgr} run them for mmseg. fcn4j keeps
 * images in RGB order; OpenCV's BGR-order conversion of the reversed image is the same pixel for pixel.
 * HSV images are HWC bytes (H, S, V) like OpenCV's.
 *
 * <p>The reference is OpenCV 4.6's {@code color_hsv.simd.hpp} as built for x86-64 (Debian's
 * python3-opencv, the AVX2 dispatch); tools/fixtures/gen_photometric.py checks every input.
 */
public final class OpenCvHsv {
    // RGB2HSV_b: fixed-point reciprocals with 12 fractional bits, rounded by saturate_cast<int>(double)
    // (cvRound: half to even, as Math.rint).
    private static final int HSV_SHIFT = 12;
    private static final int HALF = 1 << (HSV_SHIFT - 1);
    private static final int[] SDIV = new int[256];
    private static final int[] HDIV180 = new int[256];

    static {
        for (int i = 1; i < 256; i++) {
            SDIV[i] = (int) Math.rint((255 << HSV_SHIFT) / (1.0 * i));
            HDIV180[i] = (int) Math.rint((180 << HSV_SHIFT) / (6.0 * i));
        }
    }

    /**
     * HSV2RGB_b converts a row 4 vectors of 8 floats (32 pixels) at a time with its AVX2 code, which
     * truncates the final x * 255 to an integer; the row's last {@code width % 32} pixels go through the
     * scalar loop, which rounds (saturate_cast, half to even). So OpenCV's result depends on a pixel's
     * column. (An SSE-only or NEON build has 16-pixel blocks, which this port does not model.)
     */
    private static final int SIMD_PIXELS = 32;

    private static final float HSCALE = 6.0f / 180;
    private static final float INV255 = 1.0f / 255.0f;
    /** Which of tab[0..3] (v, p, q, t below) is B, G, R in each 60-degree sector (OpenCV's sector_data). */
    private static final int[][] SECTOR_BGR = {{1, 3, 0}, {1, 0, 2}, {3, 0, 1}, {0, 2, 1}, {0, 1, 3}, {2, 1, 0}};

    private OpenCvHsv() {}

    /** {@code cv2.cvtColor(bgr, COLOR_BGR2HSV)} of the image: integer arithmetic only (RGB2HSV_b). */
    public static byte[] rgbToHsv(RgbImage img) {
        byte[] rgb = img.pixels();
        byte[] hsv = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i += 3) {
            int r = rgb[i] & 0xff;
            int g = rgb[i + 1] & 0xff;
            int b = rgb[i + 2] & 0xff;
            int v = Math.max(r, Math.max(g, b));
            int diff = v - Math.min(r, Math.min(g, b));
            // Ties go to red first, then green, as OpenCV's vr / vg masks do.
            int h = v == r ? g - b : v == g ? b - r + 2 * diff : r - g + 4 * diff;
            h = (h * HDIV180[diff] + HALF) >> HSV_SHIFT;
            hsv[i] = (byte) (h < 0 ? h + 180 : h);
            hsv[i + 1] = (byte) ((diff * SDIV[v] + HALF) >> HSV_SHIFT);
            hsv[i + 2] = (byte) v;
        }
        return hsv;
    }

    /** {@code cv2.cvtColor(hsv, COLOR_HSV2BGR)} of an HSV image, returned in RGB order (HSV2RGB_b). */
    public static RgbImage hsvToRgb(int height, int width, byte[] hsv) {
        byte[] rgb = new byte[hsv.length];
        int simdEnd = width / SIMD_PIXELS * SIMD_PIXELS;
        float[] bgr = new float[3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                boolean simd = x < simdEnd;
                hsvToBgr(hsv[i] & 0xff, hsv[i + 1] & 0xff, hsv[i + 2] & 0xff, simd, bgr);
                for (int c = 0; c < 3; c++) {
                    // in [0, 255] already (v <= 1 and every tab entry <= v): no saturation needed
                    float scaled = bgr[2 - c] * 255.0f;
                    rgb[i + c] = (byte) (int) (simd ? scaled : Math.rint(scaled));
                }
            }
        }
        return new RgbImage(height, width, rgb);
    }

    /**
     * B, G, R in [0, 1] of one pixel, as OpenCV's float code computes them (HSV2RGB_simd or
     * HSV2RGB_native). The AVX2 build is compiled with FMA contraction: the vector code fuses
     * {@code 1 - s*h} and {@code 1 - s*(1 - h)}, the scalar code only the former (found against cv2 over
     * all inputs). Both paths agree on everything else: OpenCV's S == 0 shortcut gives the same v.
     */
    private static void hsvToBgr(int hue, int sat, int val, boolean simd, float[] bgr) {
        float h = hue * HSCALE;
        int sector = (int) h; // h >= 0, so truncation is the floor both paths take
        h -= sector;
        float s = sat * INV255;
        float v = val * INV255;
        float[] tab = {
            v,
            v * (1.0f - s),
            v * Math.fma(-s, h, 1.0f),
            v * (simd ? Math.fma(-s, 1.0f - h, 1.0f) : 1.0f - s * (1.0f - h)),
        };
        int[] pick = SECTOR_BGR[sector % 6];
        for (int c = 0; c < 3; c++) {
            bgr[c] = tab[pick[c]];
        }
    }
}
