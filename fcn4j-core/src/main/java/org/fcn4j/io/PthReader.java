package org.fcn4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.fcn4j.io.pickle.PickleException;
import org.fcn4j.io.pickle.PyTuple;
import org.fcn4j.io.pickle.Unpickler;

/**
 * Reads what {@code torch.save} wrote, in the zip format (torch >= 1.6: {@code archive/data.pkl} plus
 * one {@code archive/data/KEY} entry per storage) or the legacy format (magic number, protocol and
 * system-info pickles, the object pickle, the storage-key pickle, then each storage's element count and
 * raw bytes). Tensors come back as NDArrays in {@code manager}; the rest as plain Java values.
 */
public final class PthReader {
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;

    private PthReader() {}

    public static Object read(Path file, NDManager manager) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(4);
            ch.read(head, 0);
            if (ch.size() >= 4 && head.get(0) == 'P' && head.get(1) == 'K') {
                return readZip(file, manager);
            }
            if (ch.size() < 2 || (head.get(0) & 0xff) != 0x80) {
                throw new CheckpointException(file + ": not a PyTorch checkpoint (neither a zip archive nor a pickle)");
            }
            ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            return readLegacy(file, all, manager);
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
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new CheckpointException("truncated or corrupt zip archive (" + e.getMessage() + ")", e);
        }
        try (zip) {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (name.endsWith("data.pkl") && name.indexOf('/') == name.lastIndexOf('/')) {
                    prefix = name.substring(0, name.length() - "data.pkl".length());
                }
            }
            if (prefix == null) {
                throw new CheckpointException("zip archive has no data.pkl: not a torch.save file");
            }
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
            if (byteorder != null
                    && new String(readEntry(zip, byteorder, 16), StandardCharsets.US_ASCII)
                            .trim()
                            .equals("big")) {
                order = ByteOrder.BIG_ENDIAN;
            }
            ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
            Object root = Unpickler.load(
                    ByteBuffer.wrap(readEntry(zip, pkl, 1L << 30)), new TorchGlobals(), PthReader::zipStorage);
            String dataPrefix = prefix + "data/";
            ByteOrder fileOrder = order;
            return materialize(root, manager, new HashMap<>(), ref -> {
                ZipEntry e = zip.getEntry(dataPrefix + ref.key());
                if (e == null) {
                    throw new CheckpointException(
                            "storage entry " + dataPrefix + ref.key() + " is missing from the zip");
                }
                if (e.getSize() >= 0 && e.getSize() < ref.bytes()) {
                    throw new CheckpointException("storage '" + ref.key() + "' needs " + ref.bytes()
                            + " bytes but its zip entry holds " + e.getSize());
                }
                byte[] data = readEntry(zip, e, ref.bytes());
                if (data.length < ref.bytes()) {
                    throw new CheckpointException("storage '" + ref.key() + "' needs " + ref.bytes()
                            + " bytes but its zip entry holds " + data.length);
                }
                return ByteBuffer.wrap(data).order(fileOrder);
            });
        }
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry e, long limit) {
        try (InputStream in = zip.getInputStream(e)) {
            return in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
        } catch (IOException ex) {
            throw new CheckpointException("bad zip entry " + e.getName() + " (" + ex.getMessage() + ")", ex);
        }
    }

    /** Zip persistent id: ('storage', storage_type, key, location, numel). */
    private static Object zipStorage(Object pid) {
        List<Object> t = TorchGlobals.asList(pid);
        if (t.size() < 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Dtype)) {
            throw new PickleException("unknown persistent id " + pid);
        }
        return new StorageRef((Dtype) t.get(1), String.valueOf(t.get(2)), TorchGlobals.asLong(t.get(4)));
    }

    private static Object readLegacy(Path file, ByteBuffer in, NDManager manager) {
        TorchGlobals globals = new TorchGlobals();
        Object magic = Unpickler.load(in, globals, null);
        if (!LEGACY_MAGIC.equals(magic)) {
            throw new CheckpointException("not a PyTorch checkpoint (a pickle without torch's magic number)");
        }
        Object protocol = Unpickler.load(in, globals, null);
        if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol)) {
            throw new CheckpointException("unsupported legacy protocol version " + protocol);
        }
        Object sysInfo = Unpickler.load(in, globals, null);
        ByteOrder order = sysInfo instanceof Map && Boolean.FALSE.equals(((Map<?, ?>) sysInfo).get("little_endian"))
                ? ByteOrder.BIG_ENDIAN
                : ByteOrder.LITTLE_ENDIAN;
        Map<String, StorageRef> declared = new LinkedHashMap<>();
        Object root = Unpickler.load(in, globals, pid -> {
            List<Object> t = TorchGlobals.asList(pid);
            if (t.size() < 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Dtype)) {
                throw new PickleException("unknown persistent id " + pid);
            }
            if (t.size() > 5 && t.get(5) != null) {
                throw new PickleException("storage views (view_metadata) are not supported");
            }
            return declared.computeIfAbsent(
                    String.valueOf(t.get(2)), k -> new StorageRef((Dtype) t.get(1), k, TorchGlobals.asLong(t.get(4))));
        });
        List<Object> keys = TorchGlobals.asList(Unpickler.load(in, globals, null));
        Map<String, ByteBuffer> data = new HashMap<>();
        for (Object k : keys) {
            StorageRef ref = declared.get(String.valueOf(k));
            if (ref == null) {
                throw new CheckpointException("storage key " + k + " was never declared");
            }
            if (in.remaining() < 8) {
                throw new CheckpointException("truncated file: storage '" + k + "' is missing");
            }
            long count = in.order(order).getLong();
            if (count != ref.numel()) {
                throw new CheckpointException(
                        "storage '" + k + "' declares " + ref.numel() + " elements but holds " + count);
            }
            if (in.remaining() < ref.bytes()) {
                throw new CheckpointException("truncated file: storage '" + k + "' needs " + ref.bytes()
                        + " bytes but only " + in.remaining() + " remain");
            }
            ByteBuffer slice = in.slice().limit((int) ref.bytes()).order(order);
            in.position(in.position() + (int) ref.bytes());
            data.put(ref.key(), slice);
        }
        return materialize(root, manager, new HashMap<>(), ref -> {
            ByteBuffer b = data.get(ref.key());
            if (b == null) {
                throw new CheckpointException("storage '" + ref.key() + "' has no data record");
            }
            return b;
        });
    }

    private interface StorageSource {
        ByteBuffer bytes(StorageRef ref);
    }

    /** Replaces every tensor record in the graph with an NDArray; each storage is read once. */
    private static Object materialize(
            Object o, NDManager manager, Map<String, ByteBuffer> cache, StorageSource source) {
        if (o instanceof TensorRef) {
            TensorRef t = (TensorRef) o;
            ByteBuffer storage = cache.computeIfAbsent(t.storage().key(), k -> source.bytes(t.storage()));
            return tensor(t, storage, manager);
        }
        if (o instanceof Map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            ((Map<?, ?>) o).forEach((k, v) -> out.put(k, materialize(v, manager, cache, source)));
            return out;
        }
        if (o instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object v : (List<?>) o) {
                out.add(materialize(v, manager, cache, source));
            }
            return out;
        }
        if (o instanceof PyTuple) {
            return new PyTuple((List<Object>) materialize(((PyTuple) o).items(), manager, cache, source));
        }
        return o;
    }

    private static NDArray tensor(TensorRef t, ByteBuffer storage, NDManager manager) {
        int width = t.storage().dtype().bytes;
        long numel = t.numel();
        ByteBuffer src = storage.duplicate().order(storage.order());
        ByteBuffer packed;
        if (t.contiguous()) {
            packed = src.position((int) (t.offset() * width))
                    .slice()
                    .limit((int) (numel * width))
                    .order(storage.order());
        } else {
            packed = ByteBuffer.allocate((int) (numel * width)).order(storage.order());
            gather(t, src, packed, width);
            packed.flip();
        }
        if (storage.order() == ByteOrder.BIG_ENDIAN) {
            packed = toLittleEndian(packed, width);
        }
        return Tensors.fromLittleEndian(
                manager, packed, new Shape(t.size()), t.storage().dtype());
    }

    /** Copies a strided view element by element in C order. */
    private static void gather(TensorRef t, ByteBuffer src, ByteBuffer dst, int width) {
        int dims = t.size().length;
        long[] index = new long[dims];
        byte[] element = new byte[width];
        for (long n = 0; n < t.numel(); n++) {
            long at = t.offset();
            for (int d = 0; d < dims; d++) {
                at += index[d] * t.stride()[d];
            }
            src.position((int) (at * width));
            src.get(element);
            dst.put(element);
            for (int d = dims - 1; d >= 0; d--) {
                if (++index[d] < t.size()[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
    }

    private static ByteBuffer toLittleEndian(ByteBuffer big, int width) {
        ByteBuffer out = ByteBuffer.allocate(big.remaining());
        byte[] e = new byte[width];
        while (big.hasRemaining()) {
            big.get(e);
            for (int i = width - 1; i >= 0; i--) {
                out.put(e[i]);
            }
        }
        out.flip();
        return out;
    }
}
