package org.fcn4j.io;

import ai.djl.ndarray.NDArray;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.fcn4j.io.pickle.PyTuple;
import org.fcn4j.util.AtomicFiles;

/**
 * Writes {@code torch.save}'s zip format with a protocol-2 pickle that uses only what
 * {@code torch.load(f, weights_only=True)} accepts: dicts, lists, tuples, strings, numbers, booleans,
 * None, {@code collections.OrderedDict} and tensors ({@code _rebuild_tensor_v2} over typed storages).
 * Storage entries are stored uncompressed and 64-byte aligned, as torch writes them.
 */
public final class PthWriter {
    private static final int ALIGN = 64;

    /** Marks a map to be written as {@code collections.OrderedDict} (torch's state_dict type). */
    public record Ordered(Map<String, ?> map) {}

    private final ByteArrayOutputStream pickle = new ByteArrayOutputStream();
    private final List<NDArray> storages = new ArrayList<>();

    private PthWriter() {}

    /** Writes {@code root} to {@code file} atomically. */
    public static void write(Object root, java.nio.file.Path file) {
        write(root, file, null);
    }

    /** As {@link #write(Object, java.nio.file.Path)}, telling {@code written} (if not null) the bytes so far. */
    public static void write(Object root, java.nio.file.Path file, java.util.function.LongConsumer written) {
        PthWriter w = new PthWriter();
        w.pickle.write(0x80);
        w.pickle.write(2);
        w.value(root);
        w.pickle.write('.');
        String archive = "archive/";
        AtomicFiles.write(
                file,
                raw -> {
                    CountingStream counted = new CountingStream(raw);
                    try (ZipOutputStream zip = new ZipOutputStream(counted)) {
                        zip.setLevel(0);
                        entry(zip, counted, archive + "data.pkl", w.pickle.toByteArray());
                        entry(zip, counted, archive + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
                        for (int i = 0; i < w.storages.size(); i++) {
                            entry(zip, counted, archive + "data/" + i, Safetensors.bytes(w.storages.get(i)));
                        }
                        entry(zip, counted, archive + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
                    }
                },
                written);
    }

    /** A stored entry whose data starts on a 64-byte boundary (padding in an extra field, as torch does). */
    private static void entry(ZipOutputStream zip, CountingStream counted, String name, byte[] data)
            throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        int nameLen = name.getBytes(StandardCharsets.UTF_8).length;
        long headerEnd = counted.count + 30 + nameLen + 4;
        int pad = (int) ((ALIGN - headerEnd % ALIGN) % ALIGN);
        ByteBuffer extra = ByteBuffer.allocate(4 + pad).order(ByteOrder.LITTLE_ENDIAN);
        extra.putShort((short) 0x4246).putShort((short) pad); // "FB", torch's padding field
        e.setExtra(extra.array());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private void value(Object v) {
        if (v == null) {
            pickle.write('N');
        } else if (v instanceof Boolean) {
            pickle.write((Boolean) v ? 0x88 : 0x89);
        } else if (v instanceof Integer || v instanceof Long) {
            integer(((Number) v).longValue());
        } else if (v instanceof Float || v instanceof Double) {
            pickle.write('G');
            writeBytes(ByteBuffer.allocate(8)
                    .order(ByteOrder.BIG_ENDIAN)
                    .putDouble(((Number) v).doubleValue())
                    .array());
        } else if (v instanceof String) {
            byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
            pickle.write('X');
            writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(b.length)
                    .array());
            writeBytes(b);
        } else if (v instanceof NDArray) {
            tensor((NDArray) v);
        } else if (v instanceof Ordered) {
            global("collections", "OrderedDict");
            pickle.write(')');
            pickle.write('R');
            items(((Ordered) v).map());
        } else if (v instanceof Map) {
            pickle.write('}');
            items((Map<?, ?>) v);
        } else if (v instanceof PyTuple) {
            tuple(((PyTuple) v).items().toArray());
        } else if (v instanceof List) {
            pickle.write(']');
            if (!((List<?>) v).isEmpty()) {
                pickle.write('(');
                ((List<?>) v).forEach(this::value);
                pickle.write('e');
            }
        } else if (v instanceof int[]) {
            List<Object> l = new ArrayList<>();
            for (int i : (int[]) v) {
                l.add((long) i);
            }
            value(l);
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getSimpleName() + " to a .pth file");
        }
    }

    private void items(Map<?, ?> m) {
        if (m.isEmpty()) {
            return;
        }
        pickle.write('(');
        m.forEach((k, val) -> {
            value(k);
            value(val);
        });
        pickle.write('u');
    }

    private void tuple(Object... items) {
        pickle.write('(');
        for (Object o : items) {
            value(o);
        }
        pickle.write('t');
    }

    private void integer(long n) {
        if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
            pickle.write('J');
            writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) n)
                    .array());
        } else {
            pickle.write(0x8a);
            pickle.write(8);
            writeBytes(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(n)
                    .array());
        }
    }

    private void global(String module, String name) {
        pickle.write('c');
        writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code _rebuild_tensor_v2((persistent storage), 0, size, contiguous stride, False, OrderedDict())}. */
    private void tensor(NDArray a) {
        Dtype dtype = Dtype.of(a.getDataType());
        long[] size = a.getShape().getShape();
        Object[] sizes = new Object[size.length];
        Object[] strides = new Object[size.length];
        long stride = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            sizes[i] = size[i];
            strides[i] = stride;
            stride *= size[i];
        }
        global("torch._utils", "_rebuild_tensor_v2");
        pickle.write('(');
        pickle.write('(');
        value("storage");
        global("torch", dtype.storageName);
        value(Integer.toString(storages.size()));
        value("cpu");
        integer(a.getShape().size());
        pickle.write('t');
        pickle.write('Q');
        integer(0);
        tuple(sizes);
        tuple(strides);
        pickle.write(0x89);
        global("collections", "OrderedDict");
        pickle.write(')');
        pickle.write('R');
        pickle.write('t');
        pickle.write('R');
        storages.add(a);
    }

    private void writeBytes(byte[] b) {
        pickle.write(b, 0, b.length);
    }

    /** Tracks the byte offset, to place storage data on aligned boundaries. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
