package org.fcn4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.Test;

/** MMSegmentation's tests/test_models/test_losses/test_ce_loss.py, translated. */
class CrossEntropyLossTest {
    private static float loss(NDArray logits, NDArray label, LossSpec spec) {
        return CrossEntropyLoss.crossEntropy(logits, label, spec, 255).getFloat();
    }

    @Test
    void logits100Minus100WithLabel1Gives200AndClassWeightsGive40() {
        try (NDManager m = Torch.newManager()) {
            NDArray logits = m.create(new float[] {100, -100}, new Shape(1, 2, 1, 1));
            NDArray label = m.create(new long[] {1}, new Shape(1, 1, 1));
            assertThat(loss(logits, label, LossSpec.DEFAULT)).isCloseTo(200f, within(1e-4f));
            LossSpec weighted = new LossSpec("loss_ce", 1.0, false, new double[] {0.8, 0.2}, false);
            assertThat(loss(logits, label, weighted)).isCloseTo(40f, within(1e-4f));
            LossSpec half = new LossSpec("loss_ce", 0.5, false, null, false);
            assertThat(loss(logits, label, half)).isCloseTo(100f, within(1e-4f));
        }
    }

    @Test
    void avgNonIgnoreDividesByTheNonIgnoredPixelsOtherwiseByAllAndSumDividesByNothing() {
        try (NDManager m = Torch.newManager()) {
            // four pixels: two scored with -log(softmax) = log(2) each (equal logits), two ignored
            NDArray logits = m.zeros(new Shape(1, 2, 2, 2));
            NDArray label = m.create(new long[] {0, 1, 255, 255}, new Shape(1, 2, 2));
            float ln2 = (float) Math.log(2);
            assertThat(loss(logits, label, LossSpec.DEFAULT)).isCloseTo(2 * ln2 / 4, within(1e-6f));
            LossSpec nonIgnore = new LossSpec("loss_ce", 1.0, true, null, false);
            assertThat(loss(logits, label, nonIgnore)).isCloseTo(2 * ln2 / 2, within(1e-6f));
            LossSpec sum = new LossSpec("loss_ce", 1.0, false, null, true);
            assertThat(loss(logits, label, sum)).isCloseTo(2 * ln2, within(1e-6f));
            LossSpec sumIgnoresAvgNonIgnore = new LossSpec("loss_ce", 0.5, true, null, true);
            assertThat(loss(logits, label, sumIgnoresAvgNonIgnore)).isCloseTo(ln2, within(1e-6f));
        }
    }

    @Test
    void accuracyCountsOnlyNonIgnoredPixels() {
        try (NDManager m = Torch.newManager()) {
            NDArray logits = m.create(new float[] {1, 1, 0, 0, 0, 0, 1, 1}, new Shape(1, 2, 2, 2));
            // channel planes make the predictions 0, 0, 1, 1; labels: 0 right, 1 wrong, 255 ignored, 1 right
            NDArray label = m.create(new long[] {0, 1, 255, 1}, new Shape(1, 2, 2));
            assertThat(CrossEntropyLoss.accuracy(logits, label, 255).getFloat()).isCloseTo(200f / 3, within(1e-3f));
        }
    }

    @Test
    void termsAreReportedUnderTheirLossNameAndTermsSharingANameAreSummed() {
        try (NDManager m = Torch.newManager()) {
            NDArray logits = m.create(new float[] {100, -100}, new Shape(1, 2, 1, 1));
            NDArray label = m.create(new long[] {1}, new Shape(1, 1, 1));
            // 200 per unit of loss_weight: loss_ce terms 1.0 + 0.5 -> 300, loss_other 0.25 -> 50
            List<LossSpec> terms = List.of(
                    LossSpec.DEFAULT,
                    new LossSpec("loss_ce", 0.5, false, null, false),
                    new LossSpec("loss_other", 0.25, false, null, false));
            CrossEntropyLoss.HeadLoss l = CrossEntropyLoss.of(logits, label, terms, 255, false);
            assertThat(l.terms().keySet()).containsExactly("loss_ce", "loss_other");
            assertThat(l.terms().get("loss_ce").getFloat()).isCloseTo(300f, within(1e-3f));
            assertThat(l.terms().get("loss_other").getFloat()).isCloseTo(50f, within(1e-3f));
            assertThat(l.loss().getFloat()).isCloseTo(350f, within(1e-3f));
        }
    }
}
