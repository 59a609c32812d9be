import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.fcn4j.data.Images;
import org.fcn4j.experiment.Config;
import org.fcn4j.image.RgbImage;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.nn.TensorFormat;

/**
 * What micro-batching can give {@code fcn4j serve} at most, without HTTP, decoding or encoding: images/s of
 * {@code Segmenter.segment} (resize, normalise, forward, argmax) over one image of SIZE x SIZE, batched N at a time
 * or one at a time, from 1 and from 2 calling threads (serve's --workers), two rounds. Run on a demo model of
 * bench/demo_model.sh, naming its preset when it is not the ResNet demo's (e.g. fcn8s_vgg_demo_synthetic):
 *   (. ./malloc-env.sh; java -cp fcn4j-cli/target/fcn4j.jar bench/SegmentBatching.java bench-serve/demo [SIZE] [N]
 *    [bf16] [channels-last] [PRESET])
 */
public class SegmentBatching {
    public static void main(String[] args) throws Exception {
        Path demo = Path.of(args[0]);
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        List<String> flags = List.of(args).subList(Math.min(3, args.length), args.length);
        TensorFormat format = new TensorFormat(flags.contains("bf16"), flags.contains("channels-last"));
        String preset = flags.stream()
                .filter(f -> !f.equals("bf16") && !f.equals("channels-last"))
                .findFirst()
                .orElse("fcn_demo_synthetic");
        Segmenter s = Segmenter.load(Config.load(preset), demo.resolve("iter_100.pth"), w -> {});
        if (!format.isDefault()) {
            s.freeze(format);
        }
        System.out.println(preset + ", format: " + format);
        RgbImage image;
        try (var files = Files.list(demo.resolve("data/images/val"))) {
            BufferedImage src = ImageIO.read(files.sorted().findFirst().orElseThrow().toFile());
            BufferedImage scaled = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            scaled.createGraphics().drawImage(src, 0, 0, size, size, null);
            image = Images.fromBufferedImage(scaled);
        }
        int images = 48;
        for (int round = 1; round <= 2; round++) {
            for (int callers : new int[] {1, 2}) {
                double one = rate(s, image, 1, callers, images);
                double batched = rate(s, image, n, callers, images);
                System.out.printf(
                        Locale.ROOT,
                        "round %d, %d caller(s): one at a time %.1f images/s, batches of %d %.1f images/s: %.2fx%n",
                        round,
                        callers,
                        one,
                        n,
                        batched,
                        batched / one);
            }
        }
    }

    /** Images/s of {@code callers} threads each segmenting its share of {@code images} in batches of {@code n}. */
    private static double rate(Segmenter s, RgbImage image, int n, int callers, int images) throws Exception {
        List<RgbImage> batch = Collections.nCopies(n, image);
        int passes = images / n / callers;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            run(pool, callers, () -> s.segment(batch, null)); // warm-up
            long t0 = System.nanoTime();
            run(pool, callers, () -> {
                for (int i = 0; i < passes; i++) {
                    s.segment(batch, null);
                }
            });
            return passes * n * callers / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    private static void run(ExecutorService pool, int callers, Runnable work) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            running.add(pool.submit(work));
        }
        for (Future<?> f : running) {
            f.get();
        }
    }
}
