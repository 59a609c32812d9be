package org.fcn4j.viz;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.RgbImage;
import org.fcn4j.util.AtomicFiles;

/** PNG outputs: label maps (8-bit gray, the class index), palette colourings and overlays. */
public final class Pngs {
    /** MMSegmentation's default overlay opacity. */
    public static final double OVERLAY_OPACITY = 0.5;

    private Pngs() {}

    /** An 8-bit grayscale PNG whose values are the class indices. */
    public static void writeLabels(Path file, LabelMap labels) {
        write(file, labels(labels));
    }

    /** The label map as an 8-bit grayscale image whose values are the class indices. */
    public static BufferedImage labels(LabelMap labels) {
        BufferedImage img = new BufferedImage(labels.width(), labels.height(), BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSamples(0, 0, labels.width(), labels.height(), 0, labels.labels());
        return img;
    }

    /** An RGB image as a BufferedImage (to write it). */
    public static BufferedImage image(RgbImage image) {
        BufferedImage img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[image.width() * image.height()];
        byte[] p = image.pixels();
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = ((p[i * 3] & 0xff) << 16) | ((p[i * 3 + 1] & 0xff) << 8) | (p[i * 3 + 2] & 0xff);
        }
        img.setRGB(0, 0, image.width(), image.height(), rgb, 0, image.width());
        return img;
    }

    /** Each pixel in its class's palette colour; black where the label is no class (255, ignore). */
    public static BufferedImage colour(LabelMap labels, int[][] palette) {
        BufferedImage img = new BufferedImage(labels.width(), labels.height(), BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[labels.labels().length];
        for (int i = 0; i < rgb.length; i++) {
            int label = labels.labels()[i];
            if (label >= 0 && label < palette.length) {
                int[] c = palette[label];
                rgb[i] = (c[0] << 16) | (c[1] << 8) | c[2];
            }
        }
        img.setRGB(0, 0, labels.width(), labels.height(), rgb, 0, labels.width());
        return img;
    }

    /**
     * The image blended with the palette colouring, image * (1 - opacity) + colour * opacity; the image as it is
     * where the label is no class (255, ignore).
     */
    public static BufferedImage overlay(RgbImage image, LabelMap labels, int[][] palette) {
        BufferedImage img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[image.width() * image.height()];
        byte[] p = image.pixels();
        for (int i = 0; i < rgb.length; i++) {
            int label = labels.labels()[i];
            double opacity = label >= 0 && label < palette.length ? OVERLAY_OPACITY : 0;
            int[] c = palette[opacity > 0 ? label : 0];
            int v = 0;
            for (int k = 0; k < 3; k++) {
                v = (v << 8) | (int) Math.round((p[i * 3 + k] & 0xff) * (1 - opacity) + c[k] * opacity);
            }
            rgb[i] = v;
        }
        img.setRGB(0, 0, image.width(), image.height(), rgb, 0, image.width());
        return img;
    }

    public static void write(Path file, BufferedImage img) {
        AtomicFiles.write(file, out -> writePng(img, out));
    }

    /** The PNG file's bytes, for sending rather than saving. */
    public static byte[] encode(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writePng(img, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Through a stream cached in memory: {@code ImageIO.write} to an OutputStream would cache it in a temporary
     * file, a write and a delete per image.
     */
    private static void writePng(BufferedImage img, OutputStream out) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IOException("no PNG writer");
        }
        ImageWriter writer = writers.next();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(img);
        } finally {
            writer.dispose();
        }
    }
}
