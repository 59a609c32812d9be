package org.fcn4j.image;

/** An image and its label map of the same size, as they travel through a training pipeline. */
public record LabeledImage(RgbImage image, LabelMap labels) {
    public LabeledImage {
        if (image.height() != labels.height() || image.width() != labels.width()) {
            throw new IllegalArgumentException("image is " + image.height() + "x" + image.width()
                    + " but its label map is " + labels.height() + "x" + labels.width());
        }
    }
}
