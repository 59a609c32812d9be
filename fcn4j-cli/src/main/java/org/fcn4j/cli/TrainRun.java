package org.fcn4j.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.fcn4j.data.DatasetMeta;
import org.fcn4j.eval.IoUMetric;
import org.fcn4j.experiment.Config;
import org.fcn4j.train.Trainer;

/**
 * Runs a {@link Trainer} from the command line: mmengine-style log lines on stdout, a progress line
 * with loss and ETA on a terminal, and Ctrl-C (SIGINT) turned into "save a checkpoint, then exit".
 */
final class TrainRun implements Trainer.Listener {
    /** How long a Ctrl-C waits for the current iteration and its checkpoint before the JVM exits anyway. */
    private static final long STOP_WAIT_MINUTES = 10;

    private final long maxIters;
    private long firstIter = -1;
    private Progress progress;

    private TrainRun(long maxIters) {
        this.maxIters = maxIters;
    }

    /** Trains {@code config} into {@code workDir}, resuming from {@code resumeFrom} unless it is null. */
    static Trainer.Result train(Config config, Path workDir, Path resumeFrom) throws Exception {
        TrainRun display = new TrainRun(config.train().maxIters());
        Trainer trainer = new Trainer(config, workDir, display, w -> System.err.println("warning: " + w));
        CountDownLatch finished = new CountDownLatch(1);
        Thread onSigint = new Thread(
                () -> {
                    trainer.requestStop();
                    try {
                        // the JVM exits when this hook returns: give the loop time to write its checkpoint
                        finished.await(STOP_WAIT_MINUTES, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "fcn4j-stop");
        Runtime.getRuntime().addShutdownHook(onSigint);
        try {
            Trainer.Result result = trainer.run(resumeFrom);
            display.done(result);
            return result;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onSigint);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is already running and now returns
            }
        }
    }

    @Override
    public void iteration(long done, long total, double loss) {
        if (progress == null) {
            firstIter = done - 1;
            progress = new Progress("train", maxIters - firstIter);
        }
        progress.step(done - firstIter, String.format("iter %d loss %.4f ", done, loss));
    }

    @Override
    public void logged(long iter, double lr, Map<String, Double> means) {
        StringBuilder line = new StringBuilder(String.format("Iter(train) [%d/%d]  lr: %.4e", iter, maxIters, lr));
        means.forEach((k, v) -> line.append(String.format("  %s: %.4f", k, v)));
        print(line.toString());
    }

    @Override
    public void validated(long iter, IoUMetric.Result result, DatasetMeta meta) {
        print(String.format(
                "Iter(val) [%d]  aAcc: %.2f  mIoU: %.2f  mAcc: %.2f",
                iter,
                IoUMetric.Result.percent(result.aAcc()),
                IoUMetric.Result.percent(result.mIoU()),
                IoUMetric.Result.percent(result.mAcc())));
    }

    @Override
    public void saved(Path checkpoint) {
        print("Saved checkpoint " + checkpoint);
    }

    private void print(String line) {
        if (progress != null) {
            progress.message(line);
        } else {
            System.err.println(line);
        }
    }

    private void done(Trainer.Result result) {
        if (progress != null) {
            progress.done();
        }
        if (result.interrupted()) {
            System.err.println("Stopped at iteration " + result.iterations() + "; resume with --resume");
        }
    }
}
