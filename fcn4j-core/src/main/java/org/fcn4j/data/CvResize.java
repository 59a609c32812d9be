package org.fcn4j.data;

import org.fcn4j.image.LabelMap;
import org.fcn4j.image.RgbImage;

/**
 * {@code cv2.resize} on 8-bit images as mmcv calls it: INTER_LINEAR (half-pixel centres, no
 * antialiasing, OpenCV's 11-bit fixed-point weights) and INTER_NEAREST, plus mmcv's keep-ratio sizing.
 */
public final class CvResize {
    private static final int COEF_SCALE = 1 << 11;

    private CvResize() {}

    /**
     * mmcv's {@code rescale_size}: the keep-ratio size (w, h) for a {@code scale} of (long, short) edges:
     * factor = min(long / max(w, h), short / min(w, h)), new size int(x * factor + 0.5).
     */
    public static int[] keepRatioSize(int w, int h, int scaleW, int scaleH) {
        double longEdge = Math.max(scaleW, scaleH);
        double shortEdge = Math.min(scaleW, scaleH);
        double factor = Math.min(longEdge / Math.max(h, w), shortEdge / Math.min(h, w));
        return scaledSize(w, h, factor);
    }

    /** mmcv's {@code _scale_size}: (int(w * f + 0.5), int(h * f + 0.5)). */
    public static int[] scaledSize(int w, int h, double factor) {
        return new int[] {(int) (w * factor + 0.5), (int) (h * factor + 0.5)};
    }

    /** {@code cv2.resize(img, (newW, newH), interpolation=cv2.INTER_LINEAR)} on an RGB image. */
    public static RgbImage bilinear(RgbImage img, int newW, int newH) {
        if (newW == img.width() && newH == img.height()) {
            return img;
        }
        int cn = 3;
        int[] xofs = new int[newW];
        short[] alpha = new short[newW * 2];
        coefficients(img.width(), newW, xofs, alpha, true);
        int[] yofs = new int[newH];
        short[] beta = new short[newH * 2];
        // OpenCV clamps the source rows, not the vertical weights
        coefficients(img.height(), newH, yofs, beta, false);

        int rowLen = newW * cn;
        int[][] rows = new int[img.height()][];
        byte[] out = new byte[newH * rowLen];
        int lastRow = img.height() - 1;
        for (int dy = 0; dy < newH; dy++) {
            int sy = yofs[dy];
            int[] r0 = horizontal(img, Math.max(0, Math.min(sy, lastRow)), rows, xofs, alpha, cn);
            int[] r1 = horizontal(img, Math.max(0, Math.min(sy + 1, lastRow)), rows, xofs, alpha, cn);
            int b0 = beta[dy * 2];
            int b1 = beta[dy * 2 + 1];
            for (int x = 0; x < rowLen; x++) {
                // OpenCV's vectorised vertical pass (x86): 16-bit high multiplies of the rows shifted by 4,
                // then a rounding shift by 2; bit-exact with cv2.resize where the plain formula is not
                int v = (((((r0[x] >> 4) * b0) >> 16) + (((r1[x] >> 4) * b1) >> 16) + 2) >> 2);
                out[dy * rowLen + x] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return new RgbImage(newH, newW, out);
    }

    /** The source rows filtered horizontally (values x 2048), each computed once. */
    private static int[] horizontal(RgbImage img, int sy, int[][] cache, int[] xofs, short[] alpha, int cn) {
        if (cache[sy] == null) {
            int newW = xofs.length;
            int[] row = new int[newW * cn];
            byte[] p = img.pixels();
            int base = sy * img.width() * cn;
            int last = img.width() - 1;
            for (int dx = 0; dx < newW; dx++) {
                int sx = xofs[dx];
                int sx1 = Math.min(sx + 1, last);
                for (int c = 0; c < cn; c++) {
                    row[dx * cn + c] = (p[base + sx * cn + c] & 0xff) * alpha[dx * 2]
                            + (p[base + sx1 * cn + c] & 0xff) * alpha[dx * 2 + 1];
                }
            }
            cache[sy] = row;
        }
        return cache[sy];
    }

    /** OpenCV's linear source indices and fixed-point weights for one axis; {@code clamp} as its x axis. */
    private static void coefficients(int in, int out, int[] ofs, short[] w, boolean clamp) {
        double scale = 1.0 / ((double) out / in);
        for (int d = 0; d < out; d++) {
            float f = (float) ((d + 0.5) * scale - 0.5);
            int s = (int) Math.floor(f);
            f -= s;
            if (clamp && s < 0) {
                s = 0;
                f = 0;
            }
            if (clamp && s >= in - 1) {
                s = in - 1;
                f = 0;
            }
            ofs[d] = s;
            // each weight rounded on its own (half to even), as OpenCV's saturate_cast does
            w[d * 2] = (short) Math.rint((1.f - f) * COEF_SCALE);
            w[d * 2 + 1] = (short) Math.rint(f * COEF_SCALE);
        }
    }

    /** {@code cv2.resize(label, (newW, newH), interpolation=cv2.INTER_NEAREST)}. */
    public static LabelMap nearest(LabelMap m, int newW, int newH) {
        if (newW == m.width() && newH == m.height()) {
            return m;
        }
        double fx = 1.0 / ((double) newW / m.width());
        double fy = 1.0 / ((double) newH / m.height());
        int[] out = new int[newW * newH];
        for (int y = 0; y < newH; y++) {
            int sy = Math.min((int) Math.floor(y * fy), m.height() - 1);
            for (int x = 0; x < newW; x++) {
                int sx = Math.min((int) Math.floor(x * fx), m.width() - 1);
                out[y * newW + x] = m.labels()[sy * m.width() + sx];
            }
        }
        return new LabelMap(newH, newW, out);
    }
}
