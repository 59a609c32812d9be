package org.fcn4j.data.transform;

import java.util.random.RandomGenerator;
import org.fcn4j.image.LabeledImage;

/**
 * One random augmentation step of a training pipeline (mmseg's {@code RandomResize}, {@code RandomCrop},
 * ...). All randomness comes from {@code rng}, so a seeded stream reproduces the result.
 */
public interface Transform {
    LabeledImage apply(LabeledImage in, RandomGenerator rng);
}
