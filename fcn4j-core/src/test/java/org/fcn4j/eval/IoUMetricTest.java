package org.fcn4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Against a confusion-matrix reference, as MMSegmentation's test_metrics does. */
class IoUMetricTest {
    private static final int C = 6;

    /** iou = diag / (rowsum + colsum - diag), acc = diag / rowsum, aAcc = trace / total (rows = label). */
    private static double[][] reference(List<int[][]> pairs) {
        long[][] cm = new long[C][C];
        for (int[][] p : pairs) {
            for (int k = 0; k < p[0].length; k++) {
                if (p[1][k] != 255) {
                    cm[p[1][k]][p[0][k]]++;
                }
            }
        }
        double[] iou = new double[C];
        double[] acc = new double[C];
        long trace = 0;
        long total = 0;
        for (int c = 0; c < C; c++) {
            long row = 0;
            long col = 0;
            for (int j = 0; j < C; j++) {
                row += cm[c][j];
                col += cm[j][c];
                total += cm[c][j];
            }
            trace += cm[c][c];
            iou[c] = (double) cm[c][c] / (row + col - cm[c][c]);
            acc[c] = (double) cm[c][c] / row;
        }
        return new double[][] {iou, acc, {(double) trace / total}};
    }

    @Test
    void matchesTheConfusionMatrixReferenceOnRandomMaps() {
        Random rnd = new Random(3);
        List<int[][]> pairs = new java.util.ArrayList<>();
        IoUMetric metric = new IoUMetric(C, 255);
        for (int img = 0; img < 10; img++) {
            int[] pred = new int[30 * 30];
            int[] label = new int[30 * 30];
            for (int k = 0; k < pred.length; k++) {
                // class 4 is never in either map; class 5 is predicted but never in the labels
                pred[k] = new int[] {0, 1, 2, 3, 5}[rnd.nextInt(5)];
                label[k] = rnd.nextInt(10) == 0 ? 255 : rnd.nextInt(4);
                if (rnd.nextInt(3) == 0 && label[k] != 255) {
                    pred[k] = label[k];
                }
            }
            pairs.add(new int[][] {pred, label});
            metric.add(pred, label);
        }
        double[][] ref = reference(pairs);
        IoUMetric.Result r = metric.result();
        for (int c = 0; c < 4; c++) {
            assertThat(r.iou()[c]).isCloseTo(ref[0][c], within(1e-12));
            assertThat(r.acc()[c]).isCloseTo(ref[1][c], within(1e-12));
        }
        assertThat(r.aAcc()).isCloseTo(ref[2][0], within(1e-12));
        assertThat(r.iou()[4]).isNaN();
        assertThat(r.acc()[4]).isNaN();
        assertThat(r.iou()[5]).isZero();
        assertThat(r.acc()[5]).isNaN();
        // NaN classes are left out of the means: IoU mean over classes 0-3 and 5, Acc over 0-3
        double miou = (ref[0][0] + ref[0][1] + ref[0][2] + ref[0][3] + 0) / 5;
        double macc = (ref[1][0] + ref[1][1] + ref[1][2] + ref[1][3]) / 4;
        assertThat(r.mIoU()).isCloseTo(miou, within(1e-12));
        assertThat(r.mAcc()).isCloseTo(macc, within(1e-12));
    }

    @Test
    void sumsOverTheDatasetNotPerImage() {
        IoUMetric m = new IoUMetric(2, 255);
        m.add(new int[] {0, 0, 0, 0}, new int[] {0, 0, 0, 0});
        m.add(new int[] {1, 1}, new int[] {0, 1});
        // class 0: I=4, pred=4, label=5 -> IoU 4/5; class 1: I=1, pred=2, label=1 -> 1/2
        assertThat(m.result().iou()).containsExactly(0.8, 0.5);
        assertThat(IoUMetric.Result.percent(2.0 / 3)).isEqualTo(66.67);
    }

    @Test
    void jsonHasPercentsAndNullForNaN() {
        IoUMetric m = new IoUMetric(3, 255);
        m.add(new int[] {0, 1, 1}, new int[] {0, 1, 255});
        String json = MetricsJson.of(m.result(), List.of("a", "b", "c"), EvaluatorSpec.DEFAULT)
                .toString();
        assertThat(json)
                .isEqualTo("{\"aAcc\":100.0,\"mIoU\":100.0,\"mAcc\":100.0,\"fwIoU\":100.0,"
                        + "\"classes\":[\"a\",\"b\",\"c\"],\"IoU\":[100.0,100.0,null],\"Acc\":[100.0,100.0,null]}");
    }

    /**
     * The FCN paper's four metrics and MMSegmentation's Dice / F-score on a confusion matrix worked by hand
     * (rows = label, columns = prediction): [[3, 1, 0], [1, 2, 1], [0, 0, 2]].
     */
    @Test
    void paperMetricsAndDiceAndFscoreMatchAHandWorkedConfusionMatrix() {
        int[][] cm = {{3, 1, 0}, {1, 2, 1}, {0, 0, 2}};
        java.util.List<Integer> pred = new java.util.ArrayList<>();
        java.util.List<Integer> label = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < cm[i][j]; k++) {
                    label.add(i);
                    pred.add(j);
                }
            }
        }
        IoUMetric m = new IoUMetric(3, 255);
        m.add(
                pred.stream().mapToInt(Integer::intValue).toArray(),
                label.stream().mapToInt(Integer::intValue).toArray());
        IoUMetric.Result r = m.result();
        // pixel accuracy 7/10; mean accuracy (3/4 + 2/4 + 2/2) / 3; IU 3/5, 2/5, 2/3; fwIU (4 * 3/5 + 4 * 2/5 + 2 *
        // 2/3) / 10
        assertThat(r.aAcc()).isCloseTo(0.7, within(1e-12));
        assertThat(r.mAcc()).isCloseTo(0.75, within(1e-12));
        assertThat(r.mIoU()).isCloseTo(5.0 / 9, within(1e-12));
        assertThat(r.fwIoU()).isCloseTo(8.0 / 15, within(1e-12));
        // Dice 2I / (P + L): 6/8, 4/7, 4/5; precision I / P: 3/4, 2/3, 2/3; F1 equals Dice class by class
        assertThat(r.dice()).containsExactly(new double[] {0.75, 4.0 / 7, 0.8}, within(1e-12));
        assertThat(r.precision()).containsExactly(new double[] {0.75, 2.0 / 3, 2.0 / 3}, within(1e-12));
        assertThat(r.fscore()).containsExactly(new double[] {0.75, 4.0 / 7, 0.8}, within(1e-12));
        assertThat(r.mDice()).isCloseTo((0.75 + 4.0 / 7 + 0.8) / 3, within(1e-12));
        assertThat(r.mPrecision()).isCloseTo((0.75 + 4.0 / 3) / 3, within(1e-12));
        String json = MetricsJson.of(
                        r, List.of("a", "b", "c"), new EvaluatorSpec(List.of("mIoU", "mDice", "mFscore"), 255))
                .toString();
        assertThat(json)
                .contains(
                        "\"fwIoU\":53.33",
                        "\"mDice\":70.71",
                        "\"mFscore\":70.71",
                        "\"mPrecision\":69.44",
                        "\"mRecall\":75.0",
                        "\"Dice\":[75.0,57.14,80.0]",
                        "\"Precision\":[75.0,66.67,66.67]");
    }

    @Test
    void outOfRangeLabelsAreAnError() {
        IoUMetric m = new IoUMetric(3, 255);
        assertThatThrownBy(() -> m.add(new int[] {0}, new int[] {7})).hasMessageContaining("label value 7");
        assertThatThrownBy(() -> m.add(new int[] {0}, new int[] {0, 1}))
                .hasMessageContaining("1 pixels but the label has 2");
    }
}
