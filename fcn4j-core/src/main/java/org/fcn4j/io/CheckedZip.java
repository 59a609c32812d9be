package org.fcn4j.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A zip archive whose entries are trusted only after checking: each is read to its end against its
 * CRC-32 (PyTorch writes them; {@link ZipFile} never checks them) and against the size the central
 * directory declares, and inflating stops the moment an entry yields more than that. A name that appears
 * twice is refused (two readers could see different data). Entries nothing reads are still checked by
 * {@link #verifyUnread}, and a compressed one larger than {@link #MAX_UNUSED_COMPRESSED} is refused
 * rather than inflated: torch never compresses, so a large compressed entry is only ever a bomb.
 */
final class CheckedZip implements Closeable {
    static final long MAX_UNUSED_COMPRESSED = 1 << 20;
    private static final int CHUNK = 1 << 16;

    private final ZipFile zip;
    private final Map<String, ZipEntry> entries = new LinkedHashMap<>();
    private final Set<String> verified = new HashSet<>();
    /** One buffer for every entry: a checkpoint has hundreds, and each read should cost no heap. */
    private final byte[] chunk = new byte[CHUNK];

    CheckedZip(Path file) throws IOException {
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new CheckpointException("truncated or corrupt zip archive (" + e.getMessage() + ")", e);
        }
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            ZipEntry e = en.nextElement();
            if (entries.put(e.getName(), e) != null) {
                zip.close();
                throw new CheckpointException("zip entry " + e.getName() + " appears twice");
            }
        }
    }

    Set<String> names() {
        return entries.keySet();
    }

    ZipEntry entry(String name) {
        return entries.get(name);
    }

    static boolean compressed(ZipEntry e) {
        return e.getMethod() != ZipEntry.STORED;
    }

    /** A whole entry of at most {@code max} bytes ({@code what} names the limit in the refusal). */
    byte[] readAll(ZipEntry e, long max, String what) {
        if (e.getSize() > max) {
            throw new CheckpointException(e.getName() + " of " + e.getSize() + " bytes is larger than " + what);
        }
        ByteBuffer b = ByteBuffer.allocate((int) Math.max(e.getSize(), 0));
        readInto(e, b);
        return b.array();
    }

    /** Streams all of {@code e}, keeping its first {@code dst.remaining()} bytes in {@code dst}. */
    void readInto(ZipEntry e, ByteBuffer dst) {
        long declared = e.getSize();
        CRC32 crc = new CRC32();
        long total = 0;
        try (InputStream in = zip.getInputStream(e)) {
            for (int n; (n = in.read(chunk, 0, (int) Math.min(CHUNK, declared - total + 1))) > 0; ) {
                total += n;
                if (total > declared) {
                    throw new CheckpointException(
                            "zip entry " + e.getName() + " expands beyond its declared " + declared + " bytes");
                }
                crc.update(chunk, 0, n);
                dst.put(chunk, 0, Math.min(n, dst.remaining()));
            }
        } catch (IOException ex) {
            throw new CheckpointException("bad zip entry " + e.getName() + " (" + ex.getMessage() + ")", ex);
        }
        if (total != declared) {
            throw new CheckpointException(
                    "zip entry " + e.getName() + " holds " + total + " bytes but declares " + declared);
        }
        if (crc.getValue() != e.getCrc()) {
            throw new CheckpointException(String.format(
                    "zip entry %s fails its CRC-32 check (recorded %08x, computed" + " %08x): the file is corrupt",
                    e.getName(), e.getCrc(), crc.getValue()));
        }
        verified.add(e.getName());
        dst.flip();
    }

    /** Checks every entry not read yet, so that a corrupt byte anywhere in the archive is reported. */
    void verifyUnread() {
        for (ZipEntry e : entries.values()) {
            if (verified.contains(e.getName())) {
                continue;
            }
            if (compressed(e) && e.getSize() > MAX_UNUSED_COMPRESSED) {
                throw new CheckpointException("compressed zip entry " + e.getName() + " expands to " + e.getSize()
                        + " bytes, which nothing in the checkpoint uses");
            }
            readInto(e, ByteBuffer.allocate(0));
        }
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
