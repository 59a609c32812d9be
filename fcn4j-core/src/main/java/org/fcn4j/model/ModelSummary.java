package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.fcn4j.nn.MacCounter;

/**
 * What {@code fcn4j info} prints: parameter count, the backbone's stage outputs and the heads' outputs
 * for one input shape (from a real eval-mode forward pass), and the convolution MACs.
 *
 * @param auxiliaryShape null when the model has no auxiliary head
 */
public record ModelSummary(
        long parameters,
        Shape input,
        List<Shape> stageShapes,
        Shape decodeShape,
        Shape auxiliaryShape,
        long backboneMacs,
        long decodeMacs,
        long auxiliaryMacs) {

    public static ModelSummary of(EncoderDecoder model, int batch, int height, int width) {
        model.eval();
        Shape input = new Shape(batch, model.backbone().spec().inChannels(), height, width);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = m.randomNormal(input);
            List<Shape> stages = new ArrayList<>();
            List<NDArray> features;
            long backboneMacs;
            try (MacCounter c = MacCounter.start()) {
                features = model.backbone().forward(x);
                backboneMacs = c.macs();
            }
            features.forEach(f -> stages.add(f.getShape()));
            HeadRun decode = HeadRun.of(model.decodeHead(), features);
            HeadRun aux =
                    model.auxiliaryHead() == null ? new HeadRun(null, 0) : HeadRun.of(model.auxiliaryHead(), features);
            return new ModelSummary(
                    model.parameterCount(),
                    input,
                    stages,
                    decode.shape,
                    aux.shape,
                    backboneMacs,
                    decode.macs,
                    aux.macs);
        }
    }

    private record HeadRun(Shape shape, long macs) {
        static HeadRun of(FCNHead head, List<NDArray> features) {
            try (MacCounter c = MacCounter.start()) {
                Shape s = head.forward(features.get(head.spec().inputIndex(features.size())))
                        .getShape();
                return new HeadRun(s, c.macs());
            }
        }
    }
}
