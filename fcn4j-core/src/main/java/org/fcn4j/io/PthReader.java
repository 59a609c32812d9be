package org.fcn4j.io;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import org.fcn4j.io.pickle.PickleException;
import org.fcn4j.io.pickle.Unpickler;
import org.fcn4j.io.pickle.Values;

/**
 * Reads what {@code torch.save} wrote, in the zip format (torch >= 1.6: {@code archive/data.pkl} plus
 * one {@code archive/data/KEY} entry per storage) or the legacy format (magic number, protocol and
 * system-info pickles, the object pickle, the storage-key pickle, then each storage's element count and
 * raw bytes). Tensors come back as NDArrays in {@code manager}; the rest as plain Java values. Every
 * refusal is a {@link CheckpointException} whose one-line message starts with the file.
 */
public final class PthReader {
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    /** A state dict's pickle takes ~100 bytes a tensor; 64 MiB is hundreds of thousands of tensors. */
    static final long MAX_PICKLE_BYTES = 64L << 20;

    private PthReader() {}

    public static Object read(Path file, NDManager manager) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(4);
            ch.read(head, 0);
            if (ch.size() >= 4 && head.get(0) == 'P' && head.get(1) == 'K') {
                return readZip(file, manager);
            }
            if (ch.size() < 2 || (head.get(0) & 0xff) != 0x80) {
                throw new CheckpointException("not a PyTorch checkpoint (neither a zip archive nor a pickle)");
            }
            return readLegacy(ch, manager);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        } catch (PickleException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        } catch (CheckpointException e) {
            throw e.getMessage().startsWith(file.toString())
                    ? e
                    : new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    private static Object readZip(Path file, NDManager manager) throws IOException {
        try (CheckedZip zip = new CheckedZip(file)) {
            String prefix = archivePrefix(zip);
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry byteorder = zip.entry(prefix + "byteorder");
            if (byteorder != null
                    && new String(zip.readAll(byteorder, 16, "the 16 bytes of a byte order"), StandardCharsets.US_ASCII)
                            .trim()
                            .equals("big")) {
                order = ByteOrder.BIG_ENDIAN;
            }
            ZipEntry pkl = zip.entry(prefix + "data.pkl");
            byte[] pickle = zip.readAll(pkl, MAX_PICKLE_BYTES, "the 64 MiB a checkpoint's pickle may have here");
            Map<String, StorageRef> declared = new HashMap<>();
            Object root = Unpickler.load(
                    ByteBuffer.wrap(pickle), new TorchGlobals(), pid -> StorageRef.fromPersistentId(pid, declared));
            ByteOrder fileOrder = order;
            Object result = PickleGraph.materialize(root, manager, (ref, needed) -> {
                String name = prefix + "data/" + ref.key();
                ZipEntry e = zip.entry(name);
                if (e == null) {
                    throw new CheckpointException("storage entry " + name + " is missing from the zip");
                }
                if (e.getSize() != ref.bytes()) {
                    throw new CheckpointException("storage '" + ref.key() + "' needs " + ref.bytes()
                            + " bytes but its zip entry holds " + e.getSize());
                }
                if (CheckedZip.compressed(e) && e.getSize() > needed) {
                    throw new CheckpointException("compressed zip entry " + name + " expands to " + e.getSize()
                            + " bytes but its tensors need " + needed);
                }
                ByteBuffer data = ByteBuffer.allocateDirect((int) needed).order(ByteOrder.LITTLE_ENDIAN);
                zip.readInto(e, data);
                return littleEndian(data, fileOrder, ref);
            });
            zip.verifyUnread();
            return result;
        }
    }

    /** The directory holding data.pkl (torch names it after the file); there must be exactly one. */
    private static String archivePrefix(CheckedZip zip) {
        String prefix = null;
        for (String name : zip.names()) {
            if (name.endsWith("data.pkl") && name.indexOf('/') == name.lastIndexOf('/')) {
                String p = name.substring(0, name.length() - "data.pkl".length());
                if (prefix != null) {
                    throw new CheckpointException("zip archive holds two data.pkl (" + prefix + " and " + p + ")");
                }
                prefix = p;
            }
        }
        if (prefix == null) {
            throw new CheckpointException("zip archive has no data.pkl: not a torch.save file");
        }
        return prefix;
    }

    /**
     * The legacy format. The pickles are parsed from a mapping of the file (only the pages they span are
     * touched); storages are found by walking their records and read later, each into its own buffer.
     */
    private static Object readLegacy(FileChannel ch, NDManager manager) throws IOException {
        ByteBuffer in = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(ch.size(), Integer.MAX_VALUE));
        Object magic = Unpickler.load(in, TorchGlobals.NO_GLOBALS, null);
        if (!LEGACY_MAGIC.equals(magic)) {
            throw new CheckpointException("not a PyTorch checkpoint (a pickle without torch's magic number)");
        }
        Object protocol = Unpickler.load(in, TorchGlobals.NO_GLOBALS, null);
        if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol)) {
            throw new CheckpointException("unsupported legacy protocol version " + Values.brief(protocol));
        }
        Object sysInfo = Unpickler.load(in, TorchGlobals.NO_GLOBALS, null);
        ByteOrder order = sysInfo instanceof Map && Boolean.FALSE.equals(((Map<?, ?>) sysInfo).get("little_endian"))
                ? ByteOrder.BIG_ENDIAN
                : ByteOrder.LITTLE_ENDIAN;
        Map<String, StorageRef> declared = new LinkedHashMap<>();
        Object root = Unpickler.load(in, new TorchGlobals(), pid -> StorageRef.fromPersistentId(pid, declared));
        List<Object> keys = TorchGlobals.asList(Unpickler.load(in, TorchGlobals.NO_GLOBALS, null));
        Map<String, Long> records = new HashMap<>();
        long at = in.position();
        for (Object k : keys) {
            StorageRef ref = declared.get(k instanceof String ? (String) k : null);
            if (ref == null) {
                throw new CheckpointException("storage key " + Values.brief(k) + " was never declared");
            }
            if (records.put(ref.key(), at + 8) != null) {
                throw new CheckpointException("storage '" + ref.key() + "' has two data records");
            }
            ByteBuffer count = ByteBuffer.allocate(8).order(order);
            if (ch.read(count, at) < 8) {
                throw new CheckpointException("truncated file: storage '" + ref.key() + "' is missing");
            }
            if (count.getLong(0) != ref.numel()) {
                throw new CheckpointException("storage '" + ref.key() + "' declares " + ref.numel()
                        + " elements but holds " + count.getLong(0));
            }
            if (ch.size() - at - 8 < ref.bytes()) {
                throw new CheckpointException("truncated file: storage '" + ref.key() + "' needs " + ref.bytes()
                        + " bytes but only " + (ch.size() - at - 8) + " remain");
            }
            at += 8 + ref.bytes();
        }
        return PickleGraph.materialize(root, manager, (ref, needed) -> {
            Long start = records.get(ref.key());
            if (start == null) {
                throw new CheckpointException("storage '" + ref.key() + "' has no data record");
            }
            ByteBuffer data = ByteBuffer.allocateDirect((int) needed).order(ByteOrder.LITTLE_ENDIAN);
            try {
                while (data.hasRemaining() && ch.read(data, start + data.position()) > 0) {
                    // positional reads: the storage goes straight into its buffer, not through the mapping
                }
            } catch (IOException e) {
                throw new CheckpointException("cannot read storage '" + ref.key() + "': " + e.getMessage(), e);
            }
            return littleEndian(data.flip(), order, ref);
        });
    }

    private static ByteBuffer littleEndian(ByteBuffer data, ByteOrder order, StorageRef ref) {
        if (order == ByteOrder.BIG_ENDIAN) {
            Tensors.swapBytes(data, ref.dtype().bytes);
        }
        return data;
    }
}
