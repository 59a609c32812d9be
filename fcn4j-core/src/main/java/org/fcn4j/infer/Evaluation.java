package org.fcn4j.infer;

import org.fcn4j.data.DataException;
import org.fcn4j.data.Images;
import org.fcn4j.data.SegDataset;
import org.fcn4j.eval.EvaluatorSpec;
import org.fcn4j.eval.IoUMetric;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.RgbImage;

/** Runs a Segmenter over a labelled dataset and accumulates MMSegmentation's IoUMetric (mmengine's test loop). */
public final class Evaluation {
    private Evaluation() {}

    /** Sees each sample's image and prediction (to write outputs, count progress). */
    public interface Visitor {
        void visit(SegDataset.Sample sample, RgbImage image, Segmentation prediction);
    }

    public static IoUMetric.Result run(
            Segmenter segmenter, SegDataset data, EvaluatorSpec evaluator, boolean tta, Visitor visitor) {
        return metric(segmenter, data, evaluator, tta, visitor).result();
    }

    /** As {@link #run}, returning the accumulated metric itself (its confusion matrix, say). */
    public static IoUMetric metric(
            Segmenter segmenter, SegDataset data, EvaluatorSpec evaluator, boolean tta, Visitor visitor) {
        IoUMetric metric = evaluator.newMetric(segmenter.model().numClasses());
        for (SegDataset.Sample sample : data.samples()) {
            RgbImage image = Images.readRgb(sample.image());
            LabelMap truth = data.labels(sample);
            Segmentation s = segmenter.segment(image, SegmentOptions.DEFAULT.withTta(tta));
            add(metric, s, truth, sample.labels().toString());
            visitor.visit(sample, image, s);
        }
        return metric;
    }

    /** Adds one image's prediction against its labels; a label outside the classes is a DataException naming the file. */
    public static void add(IoUMetric metric, Segmentation prediction, LabelMap truth, String labelsFile) {
        try {
            metric.add(prediction.labels().labels(), truth.labels());
        } catch (IllegalArgumentException e) {
            throw new DataException(labelsFile + ": " + e.getMessage(), e);
        }
    }
}
