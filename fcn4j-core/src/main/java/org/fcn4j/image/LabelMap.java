package org.fcn4j.image;

/** A label map (class index per pixel, row-major; 255 = ignore). */
public record LabelMap(int height, int width, int[] labels) {
    public LabelMap {
        if ((long) height * width != labels.length) {
            throw new IllegalArgumentException(
                    height + "x" + width + " needs " + (long) height * width + " labels but got " + labels.length);
        }
    }
}
