package org.fcn4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Zip archives written field by field, as tools/fixtures/gen_hostile.py's {@code raw_zip} writes them: entries
 * whose declared sizes lie, and a deflated entry of gigabytes of zeros built in milliseconds (one 1 MiB block
 * repeated: a full flush makes each block independent of the ones before).
 */
final class RawZip {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    /** An entry: {@code data} as it lies in the archive, {@code crc} and {@code size} as the archive declares them. */
    record Entry(String name, int method, byte[] data, long crc, long size) {
        static Entry stored(String name, byte[] data) {
            CRC32 crc = new CRC32();
            crc.update(data);
            return new Entry(name, STORED, data, crc.getValue(), data.length);
        }
    }

    private RawZip() {}

    static void write(Path file, List<Entry> entries) throws IOException {
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        long offset = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (Entry e : entries) {
                byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
                boolean zip64 = e.size() >= 0xffffffffL;
                byte[] extra = zip64
                        ? le(20).putShort((short) 1)
                                .putShort((short) 16)
                                .putLong(e.size())
                                .putLong(e.data().length)
                                .array()
                        : new byte[0];
                long csize = zip64 ? 0xffffffffL : e.data().length;
                long usize = zip64 ? 0xffffffffL : e.size();
                ByteBuffer local = le(30).putInt(0x04034b50)
                        .putShort((short) 45)
                        .putShort((short) 0)
                        .putShort((short) e.method())
                        .putShort((short) 0)
                        .putShort((short) 0x21)
                        .putInt((int) e.crc())
                        .putInt((int) csize)
                        .putInt((int) usize)
                        .putShort((short) name.length)
                        .putShort((short) extra.length);
                ByteBuffer cen = le(46).putInt(0x02014b50)
                        .putShort((short) 45)
                        .putShort((short) 45)
                        .putShort((short) 0)
                        .putShort((short) e.method())
                        .putShort((short) 0)
                        .putShort((short) 0x21)
                        .putInt((int) e.crc())
                        .putInt((int) csize)
                        .putInt((int) usize)
                        .putShort((short) name.length)
                        .putShort((short) extra.length)
                        .putShort((short) 0)
                        .putShort((short) 0)
                        .putShort((short) 0)
                        .putInt(0)
                        .putInt((int) offset);
                central.write(cen.array());
                central.write(name);
                central.write(extra);
                out.write(local.array());
                out.write(name);
                out.write(extra);
                out.write(e.data());
                offset += 30 + name.length + extra.length + e.data().length;
            }
            out.write(central.toByteArray());
            out.write(le(22).putInt(0x06054b50)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) entries.size())
                    .putShort((short) entries.size())
                    .putInt(central.size())
                    .putInt((int) offset)
                    .putShort((short) 0)
                    .array());
        }
    }

    /** A raw deflate stream of {@code mib} MiB of zeros. */
    static byte[] zerosDeflated(int mib) {
        Deflater d = new Deflater(9, true);
        d.setInput(new byte[1 << 20]);
        byte[] buf = new byte[1 << 16];
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        for (int n; (n = d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH)) > 0; ) {
            block.write(buf, 0, n);
        }
        d.end();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] one = block.toByteArray();
        for (int i = 0; i < mib; i++) {
            all.write(one, 0, one.length);
        }
        all.write(3); // a final empty fixed-Huffman block ends the stream
        all.write(0);
        return all.toByteArray();
    }

    /** The CRC-32 of {@code mib} MiB of zeros. */
    static long crcOfZeros(int mib) {
        CRC32 crc = new CRC32();
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < mib; i++) {
            crc.update(zeros);
        }
        return crc.getValue();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
