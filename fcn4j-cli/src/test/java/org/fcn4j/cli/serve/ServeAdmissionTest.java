package org.fcn4j.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Admission control and Accept negotiation without a server. */
class ServeAdmissionTest {
    @Test
    void admitsWorkersPlusQueueAndTimesOutWaitingForABusyWorker() throws Exception {
        Admission a = new Admission(1, 2);
        assertThat(a.tryEnter()).isTrue();
        assertThat(a.tryEnter()).isTrue();
        assertThat(a.tryEnter()).isTrue();
        assertThat(a.tryEnter()).as("a fourth request is refused").isFalse();
        assertThat(a.queueDepth()).isEqualTo(3);
        assertThat(a.awaitWorker(0)).isTrue();
        assertThat(a.running()).isEqualTo(1);
        assertThat(a.queueDepth()).isEqualTo(2);
        long t0 = System.nanoTime();
        assertThat(a.awaitWorker(TimeUnit.MILLISECONDS.toNanos(100)))
                .as("the only worker is busy")
                .isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(90));
        a.releaseWorker();
        a.leave();
        assertThat(a.awaitWorker(TimeUnit.MILLISECONDS.toNanos(100))).isTrue();
        assertThat(a.tryEnter()).as("a place was given back").isTrue();
    }

    @Test
    void acceptPicksPngOrJsonByQuality() {
        assertThat(SegmentRequest.parse(null, null).format()).isEqualTo(SegmentRequest.Format.LABELS);
        assertThat(SegmentRequest.parse("", "*/*").format()).isEqualTo(SegmentRequest.Format.LABELS);
        assertThat(SegmentRequest.parse("", "application/json").format()).isEqualTo(SegmentRequest.Format.JSON);
        assertThat(SegmentRequest.parse("", "image/png;q=0.5, application/json").format())
                .isEqualTo(SegmentRequest.Format.JSON);
        assertThat(SegmentRequest.parse("", "application/json;q=0.2, image/*").format())
                .isEqualTo(SegmentRequest.Format.LABELS);
        assertThat(SegmentRequest.parse("format=colour&tta=1&mode=slide", "image/*"))
                .isEqualTo(new SegmentRequest(SegmentRequest.Format.COLOR, "slide", true));
        assertThatThrownBy(() -> SegmentRequest.parse("", "image/png;q=0, text/plain"))
                .isInstanceOf(HttpError.class)
                .hasMessageContaining("Accept is");
        assertThatThrownBy(() -> SegmentRequest.parse("mode=sliding", null)).hasMessageContaining("mode='sliding'");
    }
}
