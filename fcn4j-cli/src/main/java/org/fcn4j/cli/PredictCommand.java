package org.fcn4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.fcn4j.data.Images;
import org.fcn4j.experiment.Config;
import org.fcn4j.image.RgbImage;
import org.fcn4j.infer.SegmentOptions;
import org.fcn4j.infer.Segmentation;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.io.Npy;
import org.fcn4j.viz.Pngs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fcn4j predict}: label PNGs (and logits, overlays) for images, folders or globs. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Segment images with a config and checkpoint.",
            "For name.ext writes OUT/name.png (8-bit class indices at the original size); --save-logits adds "
                    + "name.npy (float32 C x H x W), --overlay name_overlay.png. Unreadable files are reported and skipped."
        })
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelArgs model;

    @Parameters(index = "2..*", arity = "1..*", paramLabel = "INPUT", description = "Image files, folders or globs.")
    List<String> inputs;

    @Option(names = "--out-dir", required = true, paramLabel = "DIR", description = "Where to write the outputs.")
    Path outDir;

    @Option(
            names = "--save-logits",
            description = "Also write the scores before argmax as .npy (with --tta: probabilities).")
    boolean saveLogits;

    @Option(names = "--tta", description = "Test-time augmentation: the config's tta_pipeline scales x flips.")
    boolean tta;

    @Option(names = "--overlay", description = "Also write a colour overlay with the dataset palette.")
    boolean overlay;

    @Override
    public Integer call() throws Exception {
        Config cfg = model.load();
        List<Path> files = Inputs.expand(inputs);
        int failed = 0;
        Progress progress = new Progress("predict", files.size());
        ExecutorService decoder = Executors.newSingleThreadExecutor(daemon("fcn4j-decode"));
        ExecutorService writer = Executors.newSingleThreadExecutor(daemon("fcn4j-write"));
        long start = 0;
        try (Segmenter segmenter = model.open(cfg)) {
            // after the model loaded: a checkpoint that does not fit leaves no empty output directory behind
            Files.createDirectories(outDir);
            // three stages overlap: decoding the next image and writing the previous one's files run while
            // this thread segments the current one
            start = System.nanoTime();
            CompletableFuture<RgbImage> next = decode(decoder, files.get(0));
            CompletableFuture<Void> written = CompletableFuture.completedFuture(null);
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                CompletableFuture<RgbImage> current = next;
                next = i + 1 < files.size() ? decode(decoder, files.get(i + 1)) : null;
                RgbImage image;
                try {
                    image = current.join();
                } catch (CompletionException e) {
                    failed++;
                    progress.message("skipped: " + e.getCause().getMessage());
                    progress.step();
                    continue;
                }
                Segmentation s = segmenter.segment(
                        image, SegmentOptions.DEFAULT.withTta(tta).withScores(saveLogits));
                joinWrite(written); // one image's outputs in flight at most
                written = CompletableFuture.runAsync(
                        () -> write(
                                Inputs.stem(file), image, s, segmenter.meta().palette()),
                        writer);
                progress.step();
            }
            joinWrite(written);
        } finally {
            decoder.shutdownNow();
            writer.shutdownNow();
        }
        progress.done();
        double seconds = (System.nanoTime() - start) / 1e9;
        int done = files.size() - failed;
        System.out.printf(
                Locale.ROOT,
                "wrote %d of %d to %s%s in %.1f s (%.2f images/s, model loading excluded)%n",
                done,
                files.size(),
                outDir,
                failed > 0 ? " (" + failed + " unreadable, skipped)" : "",
                seconds,
                done / seconds);
        return failed > 0 ? 1 : 0;
    }

    private void write(String stem, RgbImage image, Segmentation s, int[][] palette) {
        Pngs.writeLabels(outDir.resolve(stem + ".png"), s.labels());
        if (saveLogits) {
            Npy.writeFloat32(outDir.resolve(stem + ".npy"), s.scores(), s.numClasses(), image.height(), image.width());
        }
        if (overlay) {
            Pngs.write(outDir.resolve(stem + "_overlay.png"), Pngs.overlay(image, s.labels(), palette));
        }
    }

    /** Waits for a write; a failure to write stops the command with that error. */
    private static void joinWrite(CompletableFuture<Void> written) {
        try {
            written.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static CompletableFuture<RgbImage> decode(ExecutorService pool, Path file) {
        return CompletableFuture.supplyAsync(() -> Images.readRgb(file), pool);
    }
}
