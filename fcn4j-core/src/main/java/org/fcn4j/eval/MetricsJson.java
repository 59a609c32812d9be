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

    public static ObjectNode of(IoUMetric.Result r, List<String> classes) {
        ObjectNode root = JSON.createObjectNode();
        put(root, "aAcc", r.aAcc());
        put(root, "mIoU", r.mIoU());
        put(root, "mAcc", r.mAcc());
        ArrayNode names = root.putArray("classes");
        classes.forEach(names::add);
        ArrayNode iou = root.putArray("IoU");
        ArrayNode acc = root.putArray("Acc");
        for (int c = 0; c < r.iou().length; c++) {
            add(iou, r.iou()[c]);
            add(acc, r.acc()[c]);
        }
        return root;
    }

    public static void write(Path file, IoUMetric.Result r, List<String> classes) {
        ObjectNode node = of(r, classes);
        AtomicFiles.write(file, out -> JSON.writeValue(new NonClosing(out), node));
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
