package org.fcn4j.image;

/** An 8-bit RGB image, row-major HWC bytes (as mmcv holds images, but in RGB order). */
public record RgbImage(int height, int width, byte[] pixels) {
    public RgbImage {
        if ((long) height * width * 3 != pixels.length) {
            throw new IllegalArgumentException(height + "x" + width + " RGB needs " + (long) height * width * 3
                    + " bytes but got " + pixels.length);
        }
    }

    public int at(int y, int x, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xff;
    }

    /** The image mirrored left-right. */
    public RgbImage flipped() {
        byte[] out = new byte[pixels.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                System.arraycopy(pixels, (y * width + x) * 3, out, (y * width + width - 1 - x) * 3, 3);
            }
        }
        return new RgbImage(height, width, out);
    }
}
