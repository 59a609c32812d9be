package org.fcn4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fcn4j.util.AtomicFiles;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. Every range is checked against the
 * file before anything is allocated.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** Tensors in file order, created in {@code manager}. */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        return readWithMetadata(file, manager).tensors();
    }

    /** A file's tensors and its {@code __metadata__} string map. */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    public static Contents readWithMetadata(Path file, NDManager manager) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file + ": truncated safetensors file (" + size + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new CheckpointException(file + ": not a safetensors file (header length " + headerLen
                        + " does not fit in " + size + " bytes)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            ch.read(headerBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new CheckpointException(file + ": safetensors header is not valid JSON: " + e.getMessage(), e);
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            ByteBuffer data =
                    ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLen).order(ByteOrder.LITTLE_ENDIAN);
            Map<String, NDArray> out = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue()
                            .fields()
                            .forEachRemaining(
                                    m -> metadata.put(m.getKey(), m.getValue().asText()));
                } else {
                    out.put(e.getKey(), tensor(file, e.getKey(), e.getValue(), data, manager));
                }
            }
            return new Contents(out, metadata);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static NDArray tensor(Path file, String name, JsonNode h, ByteBuffer data, NDManager manager) {
        Dtype dtype = Dtype.ofSafetensors(h.path("dtype").asText());
        if (dtype == null) {
            throw new CheckpointException(file + ": tensor '" + name + "' has unsupported dtype " + h.path("dtype"));
        }
        JsonNode dims = h.path("shape");
        long[] shape = new long[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).asLong(-1);
            if (shape[i] < 0) {
                throw new CheckpointException(file + ": tensor '" + name + "' has a bad shape " + dims);
            }
            count = Math.multiplyExact(count, shape[i]);
        }
        JsonNode offsets = h.path("data_offsets");
        long begin = offsets.path(0).asLong(-1);
        long end = offsets.path(1).asLong(-1);
        if (begin < 0 || end < begin || end > data.capacity()) {
            throw new CheckpointException(file + ": tensor '" + name + "' data range " + offsets
                    + " lies outside the file's " + data.capacity() + " data bytes (truncated?)");
        }
        if (end - begin != count * dtype.bytes) {
            throw new CheckpointException(file + ": tensor '" + name + "' needs " + count * dtype.bytes
                    + " bytes for shape " + dims + " but its range holds " + (end - begin));
        }
        ByteBuffer slice =
                data.duplicate().position((int) begin).limit((int) end).slice();
        return Tensors.fromLittleEndian(manager, slice, new Shape(shape), dtype);
    }

    /** Writes {@code tensors} (in map order) to {@code file} atomically: a temp file, then a rename. */
    public static void write(Map<String, NDArray> tensors, Map<String, String> metadata, Path file) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            long len = a.getShape().size() * Dtype.of(a.getDataType()).bytes;
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", Dtype.of(a.getDataType()).safetensorsName);
            t.putPOJO("shape", a.getShape().getShape());
            t.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot encode header", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        AtomicFiles.write(file, out -> {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            for (NDArray a : tensors.values()) {
                out.write(bytes(a));
            }
        });
    }

    /** The array's elements as little-endian bytes. */
    static byte[] bytes(NDArray a) {
        ByteBuffer b = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
