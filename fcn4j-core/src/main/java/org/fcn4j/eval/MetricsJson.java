package org.fcn4j.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.fcn4j.util.AtomicFiles;

/**
 * {@code metrics.json} as {@code fcn4j test} and {@code fcn4j metrics} write it: aAcc, mIoU, mAcc, classes,
 * per-class IoU and Acc, all x100 rounded to 2 decimals; NaN (a class absent from both maps) as null.
 */
public final class MetricsJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MetricsJson() {}

    /**
     * {@code fcn4j test}'s metrics.json: aAcc, mIoU, mAcc, the paper's fwIoU, the class names and per-class IoU
     * and Acc; with mDice / mFscore in the evaluator's {@code iou_metrics} also mDice and per-class Dice, or
     * mFscore, mPrecision, mRecall and per-class Fscore, Precision, Recall (MMSegmentation's names).
     */
    public static ObjectNode of(IoUMetric.Result r, List<String> classes, EvaluatorSpec evaluator) {
        ObjectNode root = JSON.createObjectNode();
        put(root, "aAcc", r.aAcc());
        put(root, "mIoU", r.mIoU());
        put(root, "mAcc", r.mAcc());
        put(root, "fwIoU", r.fwIoU());
        if (evaluator.wants("mDice")) {
            put(root, "mDice", r.mDice());
        }
        if (evaluator.wants("mFscore")) {
            put(root, "mFscore", r.mFscore());
            put(root, "mPrecision", r.mPrecision());
            put(root, "mRecall", r.mRecall());
        }
        ArrayNode names = root.putArray("classes");
        classes.forEach(names::add);
        perClass(root, "IoU", r.iou());
        perClass(root, "Acc", r.acc());
        if (evaluator.wants("mDice")) {
            perClass(root, "Dice", r.dice());
        }
        if (evaluator.wants("mFscore")) {
            perClass(root, "Fscore", r.fscore());
            perClass(root, "Precision", r.precision());
            perClass(root, "Recall", r.acc());
        }
        return root;
    }

    public static void write(Path file, IoUMetric.Result r, List<String> classes, EvaluatorSpec evaluator) {
        ObjectNode node = of(r, classes, evaluator);
        AtomicFiles.write(file, out -> JSON.writeValue(new NonClosing(out), node));
    }

    private static void perClass(ObjectNode root, String key, double[] values) {
        ArrayNode a = root.putArray(key);
        for (double v : values) {
            add(a, v);
        }
    }

    private static void put(ObjectNode n, String key, double fraction) {
        double p = IoUMetric.Result.percent(fraction);
        if (Double.isNaN(p)) {
            n.putNull(key);
        } else {
            n.put(key, p);
        }
    }

    private static void add(ArrayNode a, double fraction) {
        double p = IoUMetric.Result.percent(fraction);
        if (Double.isNaN(p)) {
            a.addNull();
        } else {
            a.add(p);
        }
    }

    /** Jackson closes the stream it writes to; AtomicFiles closes it itself. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
