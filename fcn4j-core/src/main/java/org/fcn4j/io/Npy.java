package org.fcn4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.fcn4j.util.AtomicFiles;

/** NumPy {@code .npy} (format 1.0): little-endian float32, C order. */
public final class Npy {
    private Npy() {}

    public static void writeFloat32(Path file, float[] data, long... shape) {
        AtomicFiles.write(file, out -> writeFloat32(out, data, shape));
    }

    /** Writes the {@code .npy} file's bytes to {@code out} (which stays open). */
    public static void writeFloat32(OutputStream out, float[] data, long... shape) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': ("
                + (shape.length == 1 ? dims.toString().trim() : dims.substring(0, Math.max(0, dims.length() - 2)))
                + "), }";
        // magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in \n
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - 10 - dict.length() - 1) + "\n";
        out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        int len = header.length();
        out.write(new byte[] {(byte) len, (byte) (len >> 8)});
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            if (!buf.hasRemaining()) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            buf.putFloat(v);
        }
        out.write(buf.array(), 0, buf.position());
    }
}
