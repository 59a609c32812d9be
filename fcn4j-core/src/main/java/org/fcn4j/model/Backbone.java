package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.nn.Module;

/**
 * A backbone (MMSegmentation's {@code models/backbones}): an image batch in, the feature maps the heads read
 * out. {@link ResNet} (MMSegmentation's FCN) and {@link VGG} (the FCN paper's trunk) are the two families.
 */
public abstract class Backbone extends Module {
    /** The feature maps, one per {@link Spec#outNames()} entry, in that order. */
    public abstract List<NDArray> forward(NDArray x);

    public abstract Spec spec();

    /** A backbone as the config's {@code model.backbone} describes it. */
    public interface Spec {
        int inChannels();

        /** The channels of each output, in {@link Backbone#forward}'s order. */
        int[] outChannels();

        /** A name for each output ("layer3", "pool4"): the module that makes it. */
        List<String> outNames();

        /** A freshly initialised backbone. */
        Backbone build(NDManager m);

        /** {@code model.backbone} by its {@code type}: {@code VGG}, else MMSegmentation's ResNet types. */
        static Spec parse(ConfigNode n) {
            return "VGG".equals(n.value("type")) ? VGGSpec.parse(n) : BackboneSpec.parse(n);
        }
    }
}
