package org.fcn4j.model;

import java.util.List;
import java.util.stream.Collectors;
import org.fcn4j.config.ConfigNode;

/**
 * A {@code CrossEntropyLoss} term of a head. {@code classWeight} is null when every class weighs 1.
 *
 * @param summed {@code reduction: sum} (the FCN paper's unnormalised loss) instead of the mean; as in
 *     mmseg, {@code avg_non_ignore} then changes nothing
 */
public record LossSpec(String name, double lossWeight, boolean avgNonIgnore, double[] classWeight, boolean summed) {
    public static final LossSpec DEFAULT = new LossSpec("loss_ce", 1.0, false, null, false);

    static List<LossSpec> parseAll(ConfigNode head, String key) {
        if (!head.has(key)) {
            head.value(key);
            return List.of(DEFAULT);
        }
        return head.dicts(key).stream().map(LossSpec::parse).collect(Collectors.toList());
    }

    static LossSpec parse(ConfigNode n) {
        n.oneOf("type", "CrossEntropyLoss", "CrossEntropyLoss");
        if (n.bool("use_sigmoid", false)) {
            throw n.error("use_sigmoid", "only softmax cross-entropy (false) is supported");
        }
        if (n.bool("use_mask", false)) {
            throw n.error("use_mask", "only softmax cross-entropy (false) is supported");
        }
        boolean summed = n.oneOf("reduction", "mean", "mean", "sum").equals("sum");
        LossSpec spec = new LossSpec(
                n.string("loss_name", "loss_ce"),
                n.number("loss_weight", 1.0),
                n.bool("avg_non_ignore", false),
                n.numbers("class_weight", null, 0),
                summed);
        n.finish();
        return spec;
    }
}
