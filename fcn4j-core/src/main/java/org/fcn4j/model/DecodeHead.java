package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.config.InvalidParameter;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.Module;

/**
 * A decode head (MMSegmentation's {@code BaseDecodeHead}): the backbone's feature maps in, class logits out.
 * {@link FCNHead} (MMSegmentation's, one feature map) and {@link FCNSkipHead} (the FCN paper's skip fusion of
 * pool3, pool4 and fc7) are the two families. As in MMSegmentation, {@code forward} gives the logits the loss
 * reads and {@code predictByFeat} brings them to the input's size.
 */
public abstract class DecodeHead extends Module {
    /**
     * Logits (N, num_classes, h, w) at the head's own resolution.
     *
     * @param features every output of the backbone (the head picks what it reads)
     * @param height the input's height, width its width
     */
    public abstract NDArray forward(List<NDArray> features, int height, int width);

    /** {@code predict_by_feat}: {@link #forward}'s logits resized bilinearly to the input's size. */
    public NDArray predictByFeat(NDArray logits, int height, int width) {
        return Functional.resizeBilinear(logits, height, width, spec().alignCorners());
    }

    public abstract Spec spec();

    /** A head as the config's {@code model.decode_head} (or {@code auxiliary_head}) describes it. */
    public interface Spec {
        int numClasses();

        int ignoreIndex();

        /** One entry per {@code loss_decode} term, summed. */
        List<LossSpec> loss();

        /** The bilinear resizes' {@code align_corners} (to the input, and to the labels in the loss). */
        boolean alignCorners();

        /** A freshly initialised head. */
        DecodeHead build(NDManager m);

        /**
         * Checks that the head reads outputs the backbone has, with their channel counts.
         *
         * @throws InvalidParameter naming the head's key that does not fit
         */
        void checkInputs(Backbone.Spec backbone);

        /** {@code model.decode_head} by its {@code type}: the paper's {@code FCN*sHead}, else {@code FCNHead}. */
        static Spec parse(ConfigNode n) {
            return FCNSkipHeadSpec.isType(n.value("type")) ? FCNSkipHeadSpec.parse(n) : HeadSpec.parse(n);
        }
    }
}
