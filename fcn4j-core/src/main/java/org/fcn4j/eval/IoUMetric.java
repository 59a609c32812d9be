package org.fcn4j.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * MMSegmentation's IoUMetric: per image, pixels whose label is the ignore index are dropped and the
 * intersection, prediction and label areas are histogrammed over classes 0..C-1; the histograms are
 * summed over the dataset. aAcc = sum(I) / sum(label); per class IoU = I / (pred + label - I) and
 * Acc = I / label, NaN where 0/0 (left out of mIoU / mAcc). Thread-safe for {@link #add}.
 */
public final class IoUMetric {
    private final int numClasses;
    private final int ignoreIndex;
    /**
     * Pixel counts by (label, prediction), row-major C x (C + 1): column C counts predictions outside
     * 0..C-1, which count for the label's area but for no class's prediction.
     */
    private final long[] counts;

    public IoUMetric(int numClasses, int ignoreIndex) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1 but got " + numClasses);
        }
        this.numClasses = numClasses;
        this.ignoreIndex = ignoreIndex;
        counts = new long[numClasses * (numClasses + 1)];
    }

    public int numClasses() {
        return numClasses;
    }

    /**
     * Adds one image. {@code pred} and {@code label} are class indices in row-major order of the same size.
     * A label outside 0..C-1 other than the ignore index is an error (mmseg would silently drop it
     * from the histogram, which hides a wrong class count); predictions outside the range count nowhere.
     */
    public void add(int[] pred, int[] label) {
        if (pred.length != label.length) {
            throw new IllegalArgumentException(
                    "prediction has " + pred.length + " pixels but the label has " + label.length);
        }
        long[] image = new long[counts.length];
        for (int k = 0; k < label.length; k++) {
            int y = label[k];
            if (y == ignoreIndex) {
                continue;
            }
            if (y < 0 || y >= numClasses) {
                throw new IllegalArgumentException("label value " + y + " at pixel " + k + " is outside 0.."
                        + (numClasses - 1) + " and is not the ignore index " + ignoreIndex);
            }
            int x = pred[k];
            image[y * (numClasses + 1) + (x >= 0 && x < numClasses ? x : numClasses)]++;
        }
        synchronized (this) {
            for (int k = 0; k < counts.length; k++) {
                counts[k] += image[k];
            }
        }
    }

    /**
     * The raw counts so far (C x (C + 1), as {@link #addCounts} takes them): what a partial metric computed
     * elsewhere (another machine, another partition) hands over to be summed.
     */
    public synchronized long[] counts() {
        return counts.clone();
    }

    /** Adds the {@link #counts} of a metric over other images, of the same class count. */
    public synchronized void addCounts(long[] other) {
        if (other.length != counts.length) {
            throw new IllegalArgumentException("counts of " + other.length + " entries for a metric of " + numClasses
                    + " classes (" + counts.length + " entries)");
        }
        for (int k = 0; k < counts.length; k++) {
            counts[k] += other[k];
        }
    }

    /**
     * The confusion matrix so far: {@code [label][prediction]} pixel counts over the labelled pixels (ignored
     * ones excluded; predictions outside the classes left out).
     */
    public synchronized long[][] confusionMatrix() {
        long[][] m = new long[numClasses][numClasses];
        for (int y = 0; y < numClasses; y++) {
            System.arraycopy(counts, y * (numClasses + 1), m[y], 0, numClasses);
        }
        return m;
    }

    /** The metrics so far, as fractions (not yet x100). */
    public synchronized Result result() {
        long[] intersect = new long[numClasses];
        long[] predArea = new long[numClasses];
        long[] labelArea = new long[numClasses];
        for (int y = 0; y < numClasses; y++) {
            for (int x = 0; x <= numClasses; x++) {
                long n = counts[y * (numClasses + 1) + x];
                labelArea[y] += n;
                if (x < numClasses) {
                    predArea[x] += n;
                }
            }
            intersect[y] = counts[y * (numClasses + 1) + y];
        }
        double[] iou = new double[numClasses];
        double[] acc = new double[numClasses];
        double[] dice = new double[numClasses];
        double[] precision = new double[numClasses];
        long totalI = 0;
        long totalL = 0;
        double weightedIoU = 0;
        for (int c = 0; c < numClasses; c++) {
            long union = predArea[c] + labelArea[c] - intersect[c];
            iou[c] = union == 0 ? Double.NaN : (double) intersect[c] / union;
            acc[c] = labelArea[c] == 0 ? Double.NaN : (double) intersect[c] / labelArea[c];
            long areas = predArea[c] + labelArea[c];
            dice[c] = areas == 0 ? Double.NaN : 2.0 * intersect[c] / areas;
            precision[c] = predArea[c] == 0 ? Double.NaN : (double) intersect[c] / predArea[c];
            totalI += intersect[c];
            totalL += labelArea[c];
            if (labelArea[c] > 0) {
                weightedIoU += labelArea[c] * iou[c];
            }
        }
        double fwIoU = totalL == 0 ? Double.NaN : weightedIoU / totalL;
        return new Result(
                totalL == 0 ? Double.NaN : (double) totalI / totalL,
                nanMean(iou),
                nanMean(acc),
                fwIoU,
                iou,
                acc,
                dice,
                precision);
    }

    private static double nanMean(double[] v) {
        double sum = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                sum += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * The metrics as fractions, NaN where undefined: MMSegmentation's aAcc, mIoU, mAcc and per-class IoU,
     * Acc (= recall), Dice and precision, and the FCN paper's frequency-weighted IU (per-class IoU weighted
     * by the class's share of the labelled pixels).
     */
    public record Result(
            double aAcc,
            double mIoU,
            double mAcc,
            double fwIoU,
            double[] iou,
            double[] acc,
            double[] dice,
            double[] precision) {
        /** MMSegmentation's f-score with beta 1 per class: 2 P R / (P + R), NaN where P or R is. */
        public double[] fscore() {
            double[] f = new double[iou.length];
            for (int c = 0; c < f.length; c++) {
                double p = precision[c];
                double r = acc[c];
                f[c] = Double.isNaN(p) || Double.isNaN(r) ? Double.NaN : p + r == 0 ? 0 : 2 * p * r / (p + r);
            }
            return f;
        }

        public double mDice() {
            return nanMean(dice);
        }

        public double mFscore() {
            return nanMean(fscore());
        }

        public double mPrecision() {
            return nanMean(precision);
        }

        public double mRecall() {
            return nanMean(acc);
        }

        /** x100 rounded to 2 decimals, as MMSegmentation prints it; NaN stays NaN. */
        public static double percent(double fraction) {
            return Double.isNaN(fraction) ? Double.NaN : Math.round(fraction * 10000.0) / 100.0;
        }

        /** The per-class table and summary as MMSegmentation logs them. */
        public String table(List<String> classes) {
            List<String> names = new ArrayList<>(classes);
            int width =
                    Math.max(5, names.stream().mapToInt(String::length).max().orElse(5));
            StringBuilder sb = new StringBuilder();
            String rule = "+" + "-".repeat(width + 2) + "+--------+--------+\n";
            sb.append(rule)
                    .append(String.format("| %-" + width + "s |  IoU   |  Acc   |%n", "Class"))
                    .append(rule);
            for (int c = 0; c < iou.length; c++) {
                sb.append(String.format(
                        "| %-" + width + "s | %6s | %6s |%n",
                        c < names.size() ? names.get(c) : "class" + c,
                        fmt(iou[c]),
                        fmt(acc[c])));
            }
            sb.append(rule);
            sb.append(String.format(
                    "aAcc: %s  mIoU: %s  mAcc: %s  fwIoU: %s%n", fmt(aAcc), fmt(mIoU), fmt(mAcc), fmt(fwIoU)));
            return sb.toString();
        }

        private static String fmt(double fraction) {
            double p = percent(fraction);
            return Double.isNaN(p) ? "nan" : String.format(java.util.Locale.ROOT, "%.2f", p);
        }
    }
}
