package org.fcn4j.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.RgbImage;
import org.fcn4j.viz.Pngs;

/**
 * A generated segmentation dataset where colour says nothing about the class: every object and the
 * background draw their colours from the same distribution, so a model has to use shape (disc vs.
 * bar vs. ring), texture (stripes vs. checks) and context (a ring's hole is painted exactly like
 * the background). Pixels on a class boundary are labelled 255 (ignore), like VOC's object borders.
 */
public final class SyntheticScenes {
    // class indices; their names and colours are the dataset's metainfo in the fcn_demo_synthetic preset
    private static final int DISC = 1;
    private static final int BAR = 2;
    private static final int CHECKED = 3;
    private static final int RING = 4;
    private static final int HOLE = 5;

    private SyntheticScenes() {}

    /**
     * Writes {@code images/{train,val}/NNNN.png} and {@code masks/{train,val}/NNNN.png} under {@code root}
     * (the layout of a BaseSegDataset with img_suffix and seg_map_suffix ".png").
     */
    public static void write(Path root, int trainCount, int valCount, int size, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        for (String split : new String[] {"train", "val"}) {
            Path images = Files.createDirectories(root.resolve("images").resolve(split));
            Path masks = Files.createDirectories(root.resolve("masks").resolve(split));
            int n = split.equals("train") ? trainCount : valCount;
            for (int i = 0; i < n; i++) {
                Scene s = scene(size, rng.split());
                String name = String.format("%04d.png", i);
                Pngs.write(images.resolve(name), Pngs.image(s.image()));
                Pngs.writeLabels(masks.resolve(name), s.labels());
            }
        }
    }

    /** One generated image and its label map. */
    public record Scene(RgbImage image, LabelMap labels) {}

    /** An object: class, centre, radius, rotation, and its texture's two colours and period. */
    private record Shape(
            int cls, double cx, double cy, double r, double angle, int[] colourA, int[] colourB, double period) {
        /** The class at (x, y), or -1 outside the object. */
        int classAt(double x, double y) {
            double dx = x - cx;
            double dy = y - cy;
            double d = Math.hypot(dx, dy);
            switch (cls) {
                case BAR:
                    double u = dx * Math.cos(angle) + dy * Math.sin(angle);
                    double v = -dx * Math.sin(angle) + dy * Math.cos(angle);
                    return Math.abs(u) <= r && Math.abs(v) <= r * 0.4 ? BAR : -1;
                case RING:
                    return d <= r * 0.5 ? HOLE : d <= r ? RING : -1;
                case DISC:
                case CHECKED:
                    return d <= r ? cls : -1;
                default:
                    throw new IllegalStateException("no shape for class " + cls);
            }
        }

        /** Stripes, or checks for the checked disc, along the object's rotated axes. */
        int[] colourAt(double x, double y) {
            double u = (x - cx) * Math.cos(angle) + (y - cy) * Math.sin(angle);
            double v = -(x - cx) * Math.sin(angle) + (y - cy) * Math.cos(angle);
            boolean a = Math.floorMod((int) Math.floor(u / period), 2) == 0;
            if (cls == CHECKED) {
                a ^= Math.floorMod((int) Math.floor(v / period), 2) == 0;
            }
            return a ? colourA : colourB;
        }
    }

    public static Scene scene(int size, SplittableRandom rng) {
        List<Shape> shapes = new ArrayList<>();
        int wanted = 2 + rng.nextInt(3);
        for (int attempt = 0; attempt < 100 && shapes.size() < wanted; attempt++) {
            double r = size * (0.12 + 0.10 * rng.nextDouble());
            double cx = r + rng.nextDouble() * (size - 2 * r);
            double cy = r + rng.nextDouble() * (size - 2 * r);
            boolean free = shapes.stream().allMatch(s -> Math.hypot(s.cx() - cx, s.cy() - cy) > s.r() + r + 3);
            if (free) {
                shapes.add(new Shape(
                        1 + rng.nextInt(4),
                        cx,
                        cy,
                        r,
                        rng.nextDouble() * Math.PI,
                        colour(rng),
                        colour(rng),
                        3 + 3 * rng.nextDouble()));
            }
        }
        int[] bgA = colour(rng);
        int[] bgB = colour(rng);
        double fx = 0.02 + 0.06 * rng.nextDouble();
        double fy = 0.02 + 0.06 * rng.nextDouble();
        double phase = rng.nextDouble() * 2 * Math.PI;
        int[] labels = new int[size * size];
        byte[] pixels = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int cls = 0;
                int[] colour = null;
                for (Shape s : shapes) {
                    int c = s.classAt(x + 0.5, y + 0.5);
                    if (c >= 0) {
                        cls = c;
                        colour = c == HOLE ? null : s.colourAt(x + 0.5, y + 0.5);
                    }
                }
                // the background (and a ring's hole) is a smooth blend of its two colours
                double t = 0.5 + 0.5 * Math.sin(fx * x + phase) * Math.cos(fy * y);
                for (int c = 0; c < 3; c++) {
                    double v = colour != null ? colour[c] : bgA[c] * t + bgB[c] * (1 - t);
                    v += rng.nextGaussian() * 8;
                    pixels[(y * size + x) * 3 + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
                }
                labels[y * size + x] = cls;
            }
        }
        return new Scene(new RgbImage(size, size, pixels), new LabelMap(size, size, ignoreBoundaries(labels, size)));
    }

    private static int[] colour(SplittableRandom rng) {
        return new int[] {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
    }

    /** Pixels with a 4-neighbour of another class become 255. */
    private static int[] ignoreBoundaries(int[] labels, int size) {
        int[] out = labels.clone();
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int v = labels[y * size + x];
                boolean edge = (x > 0 && labels[y * size + x - 1] != v)
                        || (x < size - 1 && labels[y * size + x + 1] != v)
                        || (y > 0 && labels[(y - 1) * size + x] != v)
                        || (y < size - 1 && labels[(y + 1) * size + x] != v);
                if (edge) {
                    out[y * size + x] = 255;
                }
            }
        }
        return out;
    }
}
