package org.fcn4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fcn4j.util.AtomicFiles;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. The header is checked whole before any
 * data is read ({@link SafetensorsHeader}); tensors are then read one by one in file order, each straight
 * into its own buffer, which becomes the tensor. Files fcn4j writes carry the SHA-256 of their data in
 * {@code __metadata__} under {@link #DIGEST_KEY}; it is verified when present (files from elsewhere have none).
 */
public final class Safetensors {
    /** Metadata key of the payload's SHA-256, as lowercase hex. */
    public static final String DIGEST_KEY = "fcn4j.sha256";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** Tensors in file order, created in {@code manager}. */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        return readWithMetadata(file, manager).tensors();
    }

    /** A file's tensors and its {@code __metadata__} string map. */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    public static Contents readWithMetadata(Path file, NDManager manager) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            SafetensorsHeader header = SafetensorsHeader.read(ch);
            MessageDigest sha = sha256();
            Map<String, NDArray> byOffset = new LinkedHashMap<>();
            for (SafetensorsHeader.Entry e : header.byOffset()) {
                ByteBuffer data = ByteBuffer.allocateDirect((int) e.bytes()).order(ByteOrder.nativeOrder());
                while (data.hasRemaining() && ch.read(data, header.dataStart() + e.begin() + data.position()) > 0) {
                    // positional reads straight into the tensor's buffer
                }
                data.flip();
                sha.update(data.duplicate());
                byOffset.put(e.name(), Tensors.adopt(manager, data, new Shape(e.shape()), e.dtype()));
            }
            String digest = header.metadata().get(DIGEST_KEY);
            if (digest != null && !digest.equals(HexFormat.of().formatHex(sha.digest()))) {
                throw new CheckpointException("the tensor data does not match its " + DIGEST_KEY
                        + " digest: the file is corrupt or was altered");
            }
            Map<String, NDArray> out = new LinkedHashMap<>();
            header.names().forEach(n -> out.put(n, byOffset.get(n)));
            return new Contents(out, header.metadata());
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        } catch (CheckpointException e) {
            throw e.getMessage().startsWith(file.toString())
                    ? e
                    : new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code tensors} (in map order) to {@code file} atomically: a temp file, then a rename. The
     * metadata gains {@link #DIGEST_KEY}, computed in a first pass over the data (the header comes first).
     */
    public static void write(Map<String, NDArray> tensors, Map<String, String> metadata, Path file) {
        write(tensors, metadata, file, null);
    }

    /** As {@link #write(Map, Map, Path)}, telling {@code written} (if not null) the bytes written so far. */
    public static void write(
            Map<String, NDArray> tensors,
            Map<String, String> metadata,
            Path file,
            java.util.function.LongConsumer written) {
        MessageDigest sha = sha256();
        tensors.values().forEach(a -> sha.update(littleEndian(a)));
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        metadata.forEach(meta::put);
        meta.put(DIGEST_KEY, HexFormat.of().formatHex(sha.digest()));
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
        AtomicFiles.write(
                file,
                out -> {
                    ByteBuffer len = ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(0, padded);
                    out.write(len.array());
                    out.write(json);
                    for (int i = json.length; i < padded; i++) {
                        out.write(' ');
                    }
                    byte[] chunk = new byte[1 << 16];
                    for (NDArray a : tensors.values()) {
                        for (ByteBuffer b = littleEndian(a); b.hasRemaining(); ) {
                            int n = Math.min(chunk.length, b.remaining());
                            b.get(chunk, 0, n);
                            out.write(chunk, 0, n);
                        }
                    }
                },
                written);
    }

    /** The array's elements as little-endian bytes. */
    static byte[] bytes(NDArray a) {
        ByteBuffer b = littleEndian(a);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static ByteBuffer littleEndian(NDArray a) {
        return a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
