package org.fcn4j.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.RgbImage;

/**
 * Decoding images and label maps as MMSegmentation's loaders see them: colour images become 8-bit RGB
 * (gray replicated, alpha dropped, 16-bit scaled by >> 8, palette expanded; EXIF orientation ignored,
 * which ImageIO does), label maps are read as raw indices (a palette PNG gives its indices, not colours).
 */
public final class Images {
    /** Largest image accepted by default: a header declaring more pixels is refused before decoding. */
    public static final long DEFAULT_MAX_PIXELS = 1L << 28;

    private Images() {}

    public static RgbImage readRgb(Path file) {
        return toRgb(decode(read(file), file.toString(), DEFAULT_MAX_PIXELS, false), file.toString());
    }

    /** Decodes encoded bytes (JPEG, PNG, ...); {@code maxPixels} guards against decompression bombs. */
    public static RgbImage decodeRgb(byte[] bytes, String name, long maxPixels) {
        return toRgb(decode(bytes, name, maxPixels, false), name);
    }

    /**
     * Like {@link #decodeRgb}, but a JPEG that ends early is refused too. libjpeg (like OpenCV, hence
     * MMSegmentation) fills the missing rows with gray and only warns; files on disk keep that behaviour,
     * while a server should tell the client its upload was cut off.
     */
    public static RgbImage decodeCompleteRgb(byte[] bytes, String name, long maxPixels) {
        return toRgb(decode(bytes, name, maxPixels, true), name);
    }

    /** A single-channel label map as raw values (row-major). */
    public static LabelMap readLabel(Path file) {
        return readLabel(file, DEFAULT_MAX_PIXELS);
    }

    /** As {@link #readLabel(Path)}, refusing a map of more than {@code maxPixels} pixels before decoding it. */
    public static LabelMap readLabel(Path file, long maxPixels) {
        return decodeLabel(read(file), file.toString(), maxPixels);
    }

    /** A label map from encoded bytes (a one-channel PNG); {@code name} is the file the errors name. */
    public static LabelMap decodeLabel(byte[] bytes, String name, long maxPixels) {
        BufferedImage img = decode(bytes, name, maxPixels, false);
        Raster r = img.getRaster();
        if (r.getNumBands() != 1) {
            throw new ImageDecodeException(
                    name + ": a label map must have one channel (gray or palette indices) but has " + r.getNumBands());
        }
        int h = img.getHeight();
        int w = img.getWidth();
        int[] v = r.getSamples(0, 0, w, h, 0, new int[w * h]);
        return new LabelMap(h, w, v);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageDecodeException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static BufferedImage decode(byte[] bytes, String name, long maxPixels, boolean complete) {
        if (bytes.length == 0) {
            throw new ImageDecodeException(name + ": empty file, not an image");
        }
        // in memory: ImageIO's default stream over an InputStream caches it in a temporary file, a write and a
        // delete per image (a server's every request)
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageDecodeException(name + ": not a decodable image (unknown format)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new ImageTooLargeException(name + ": declares " + reader.getWidth(0) + "x"
                            + reader.getHeight(0) + " pixels, more than the limit of " + maxPixels);
                }
                List<String> truncation = new ArrayList<>();
                if (complete) {
                    reader.addIIOReadWarningListener((r, warning) -> {
                        String w = warning.toLowerCase(Locale.ROOT);
                        if (w.contains("truncated") || w.contains("premature end")) {
                            truncation.add(warning);
                        }
                    });
                }
                BufferedImage img = reader.read(0);
                if (!truncation.isEmpty()) {
                    throw new ImageDecodeException(name + ": truncated image (" + truncation.get(0) + ")");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageDecodeException) {
                throw (ImageDecodeException) e;
            }
            throw new ImageDecodeException(name + ": corrupt or truncated image (" + e.getMessage() + ")", e);
        }
    }

    /** An already decoded image, converted as a decoded file would be. */
    public static RgbImage fromBufferedImage(BufferedImage img) {
        return toRgb(img, "image");
    }

    private static RgbImage toRgb(BufferedImage img, String name) {
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] out = new byte[h * w * 3];
        ColorModel cm = img.getColorModel();
        WritableRaster r = img.getRaster();
        if (cm instanceof ComponentColorModel && r.getNumBands() <= 4) {
            if (!copyInterleavedBytes(r, out)) {
                copyComponents(r, out);
            }
        } else if (cm instanceof IndexColorModel || cm.getNumComponents() >= 3) {
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                out[i * 3] = (byte) (argb[i] >> 16);
                out[i * 3 + 1] = (byte) (argb[i] >> 8);
                out[i * 3 + 2] = (byte) argb[i];
            }
        } else {
            throw new ImageDecodeException(name + ": unsupported pixel layout " + cm);
        }
        return new RgbImage(h, w, out);
    }

    /** {@link #toRgb} for any component layout: 8 or 16 bits (scaled by >> 8), a row at a time. */
    private static void copyComponents(Raster r, byte[] out) {
        int w = r.getWidth();
        int bands = r.getNumBands();
        int shift = r.getDataBuffer().getDataType() == DataBuffer.TYPE_USHORT ? 8 : 0;
        int[] row = new int[w * bands];
        for (int y = 0; y < r.getHeight(); y++) {
            r.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    // gray (+alpha) replicates band 0; RGB(A) takes the first three bands
                    int band = bands < 3 ? 0 : c;
                    out[(y * w + x) * 3 + c] = (byte) (row[x * bands + band] >> shift);
                }
            }
        }
    }

    /**
     * The fast path of {@link #toRgb} for 8-bit pixels interleaved in one byte array (what ImageIO decodes RGB
     * and gray PNGs and JPEGs into): the bytes copied straight from the buffer, as {@code getPixels} would give
     * them a row at a time at several times the cost. False, and nothing written, for any other layout.
     */
    private static boolean copyInterleavedBytes(Raster r, byte[] out) {
        if (!(r.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                || !(r.getDataBuffer() instanceof DataBufferByte buffer)
                || buffer.getNumBanks() != 1) {
            return false;
        }
        byte[] data = buffer.getData();
        int[] offsets = sm.getBandOffsets();
        int stride = sm.getPixelStride();
        int scanline = sm.getScanlineStride();
        // gray (+alpha) replicates band 0; RGB(A) takes the first three bands
        int red = offsets[0];
        int green = offsets[offsets.length < 3 ? 0 : 1];
        int blue = offsets[offsets.length < 3 ? 0 : 2];
        int origin =
                buffer.getOffset() - r.getSampleModelTranslateY() * scanline - r.getSampleModelTranslateX() * stride;
        int i = 0;
        for (int y = 0; y < r.getHeight(); y++) {
            for (int p = origin + y * scanline, end = p + r.getWidth() * stride; p < end; p += stride) {
                out[i++] = data[p + red];
                out[i++] = data[p + green];
                out[i++] = data[p + blue];
            }
        }
        return true;
    }
}
