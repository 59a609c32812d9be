package org.fcn4j.data.transform;

import org.fcn4j.image.LabeledImage;
import java.util.random.RandomGenerator;

/**
 * One random augmentation step of a training pipeline (mmseg's {@code RandomResize}, {@code RandomCrop},
 * ...). All randomness comes from {@code rng}, so a seeded stream reproduces the result.
 */
public interface Transform {
    LabeledImage apply(LabeledImage in, RandomGenerator rng);
}
