package org.fcn4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.config.InvalidParameter;

/**
 * {@code val_evaluator} / {@code test_evaluator}: MMSegmentation's {@code IoUMetric} with the metrics it
 * reports ({@code iou_metrics}: mIoU always, mDice and mFscore when asked) and the label ignored.
 */
public record EvaluatorSpec(List<String> iouMetrics, int ignoreIndex) {
    private static final Set<String> METRICS = Set.of("mIoU", "mDice", "mFscore");
    public static final EvaluatorSpec DEFAULT = new EvaluatorSpec(List.of("mIoU"), 255);

    public EvaluatorSpec {
        for (String m : iouMetrics) {
            if (!METRICS.contains(m)) {
                throw new InvalidParameter("iou_metrics", "expected mIoU, mDice or mFscore but got '" + m + "'");
            }
        }
        if (ignoreIndex < 0 || ignoreIndex > 255) {
            throw new InvalidParameter("ignore_index", "expected 0..255 (label maps are 8-bit) but got " + ignoreIndex);
        }
        iouMetrics = List.copyOf(iouMetrics);
    }

    public static EvaluatorSpec parse(ConfigNode n) {
        if (n == null) {
            return DEFAULT;
        }
        n.oneOf("type", "IoUMetric", "IoUMetric");
        List<String> metrics = new ArrayList<>(n.strings("iou_metrics", List.of("mIoU")));
        int ignore = n.integer("ignore_index", 255);
        n.accept("nan_to_num", "beta", "collect_device", "prefix");
        if (n.number("beta", 1) != 1) {
            throw n.error("beta", "only the F1 score (beta 1) is supported");
        }
        if (n.value("nan_to_num") != null) {
            throw n.error(
                    "nan_to_num", "not supported: undefined metrics are reported as null, as nan in MMSegmentation");
        }
        n.finish();
        try {
            return new EvaluatorSpec(metrics, ignore);
        } catch (InvalidParameter e) {
            throw n.error(e);
        }
    }

    public boolean wants(String metric) {
        return iouMetrics.contains(metric);
    }

    public IoUMetric newMetric(int numClasses) {
        return new IoUMetric(numClasses, ignoreIndex);
    }
}
