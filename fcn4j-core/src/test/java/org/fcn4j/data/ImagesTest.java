package org.fcn4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.fcn4j.image.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    @TempDir
    Path tmp;

    private Path png(String name, BufferedImage img) throws Exception {
        Path p = tmp.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void sixteenBitGrayIsScaledToEightBitsAndReplicated() throws Exception {
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 0x80ff, 0xffff});
        RgbImage rgb = Images.readRgb(png("g16.png", img));
        assertThat(rgb.pixels()).containsExactly(0, 0, 0, (byte) 0x80, (byte) 0x80, (byte) 0x80, -1, -1, -1);
    }

    @Test
    void rgbaDropsAlphaWithoutBlending() throws Exception {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, (0x10 << 24) | (200 << 16) | (100 << 8) | 50);
        assertThat(Images.readRgb(png("rgba.png", img)).pixels()).containsExactly((byte) 200, (byte) 100, (byte) 50);
    }

    @Test
    void interleavedBytesAreReadInRgbOrderWhateverTheirBandOrderAndOffset() {
        // TYPE_3BYTE_BGR is how ImageIO decodes JPEGs: bands stored B, G, R
        BufferedImage bgr = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
        int[] argb = {0x010203, 0x040506, 0x070809, 0x0a0b0c, 0x0d0e0f, 0x101112};
        bgr.setRGB(0, 0, 3, 2, argb, 0, 3);
        assertThat(Images.fromBufferedImage(bgr).pixels())
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
        // a sub-image shares its parent's buffer from an offset
        assertThat(Images.fromBufferedImage(bgr.getSubimage(1, 1, 2, 1)).pixels())
                .containsExactly(13, 14, 15, 16, 17, 18);
        // gray with alpha (two interleaved bands) replicates the gray
        ColorModel grayAlpha = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_GRAY),
                true,
                false,
                Transparency.TRANSLUCENT,
                DataBuffer.TYPE_BYTE);
        WritableRaster pixels = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 2, 1, 2, null);
        pixels.setDataElements(0, 0, 2, 1, new byte[] {7, 0, 9, (byte) 255});
        assertThat(Images.fromBufferedImage(new BufferedImage(grayAlpha, pixels, false, null))
                        .pixels())
                .containsExactly(7, 7, 7, 9, 9, 9);
    }

    @Test
    void palettePngsAreColoursAsImagesAndIndicesAsLabels() throws Exception {
        byte[] r = {0, (byte) 128, 0};
        byte[] g = {0, 64, (byte) 255};
        byte[] b = {0, (byte) 128, 0};
        BufferedImage img =
                new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 3, r, g, b));
        img.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {2, 1, 0});
        Path p = png("pal.png", img);
        assertThat(Images.readLabel(p).labels()).containsExactly(2, 1, 0);
        assertThat(Images.readRgb(p).pixels()).containsExactly(0, -1, 0, (byte) 128, 64, (byte) 128, 0, 0, 0);
    }

    @Test
    void badFilesGiveClearErrors() throws Exception {
        Path junk = tmp.resolve("junk.jpg");
        Files.writeString(junk, "not an image");
        assertThatThrownBy(() -> Images.readRgb(junk)).hasMessageContaining("junk.jpg: not a decodable image");
        Path empty = tmp.resolve("empty.png");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> Images.readRgb(empty)).hasMessageContaining("empty file");
        BufferedImage rgb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream jpg = new ByteArrayOutputStream();
        ImageIO.write(rgb, "jpg", jpg);
        byte[] half = java.util.Arrays.copyOf(jpg.toByteArray(), jpg.size() / 2);
        Path truncated = tmp.resolve("half.jpg");
        Files.write(truncated, half);
        assertThatThrownBy(() -> Images.readRgb(truncated)).hasMessageContaining("half.jpg");
        assertThatThrownBy(() -> Images.decodeRgb(jpg.toByteArray(), "big.jpg", 15))
                .hasMessageContaining("more than the limit of 15");
        assertThatThrownBy(() -> Images.readLabel(png("rgb.png", rgb))).hasMessageContaining("must have one channel");
        assertThatThrownBy(() -> Images.decodeRgb(jpg.toByteArray(), "big.jpg", 15))
                .isInstanceOf(ImageTooLargeException.class);
    }

    @Test
    void aJpegCutAfterItsFirstScanDataDecodesGrayFilledUnlessCompletenessIsRequired() throws Exception {
        BufferedImage noisy = new BufferedImage(128, 96, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(7);
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 128; x++) {
                noisy.setRGB(x, y, r.nextInt());
            }
        }
        ByteArrayOutputStream jpg = new ByteArrayOutputStream();
        ImageIO.write(noisy, "jpg", jpg);
        byte[] cut = java.util.Arrays.copyOf(jpg.toByteArray(), jpg.size() / 2);
        // libjpeg (and OpenCV, so MMSegmentation) fills the missing rows and only warns
        assertThat(Images.decodeRgb(cut, "cut.jpg", Images.DEFAULT_MAX_PIXELS).height())
                .isEqualTo(96);
        assertThatThrownBy(() -> Images.decodeCompleteRgb(cut, "cut.jpg", Images.DEFAULT_MAX_PIXELS))
                .isInstanceOf(ImageDecodeException.class)
                .hasMessageContaining("cut.jpg: truncated image");
        assertThat(Images.decodeCompleteRgb(jpg.toByteArray(), "whole.jpg", Images.DEFAULT_MAX_PIXELS)
                        .width())
                .isEqualTo(128);
    }
}
