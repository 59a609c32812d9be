package org.fcn4j.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.io.pickle.Values;

/**
 * A safetensors header, checked as the format's reference implementation checks it: a JSON object
 * (no duplicate keys) of tensors with a known dtype, a shape of non-negative integers and a byte range
 * that shape fills exactly, plus an optional {@code __metadata__} of strings to strings; and the ranges,
 * taken in offset order, must tile the data exactly: no overlap, no gap, nothing after the last.
 */
record SafetensorsHeader(long dataStart, Map<String, String> metadata, List<String> names, List<Entry> byOffset) {
    /**
     * Real headers take ~100 bytes a tensor (kilobytes); the reference implementation allows 100 MB, but the
     * JSON tree of a header takes ~10x its size in heap, so this reader stops at 16 MiB.
     */
    static final long MAX_HEADER = 16 << 20;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One tensor: its byte range in the data section ({@code begin} inclusive, {@code end} exclusive). */
    record Entry(String name, Dtype dtype, long[] shape, long begin, long end) {
        long bytes() {
            return end - begin;
        }
    }

    static SafetensorsHeader read(FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        if (size < 8 || ch.read(lenBuf, 0) < 8) {
            throw new CheckpointException("truncated safetensors file (" + size + " bytes)");
        }
        long headerLen = lenBuf.getLong(0);
        if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
            throw new CheckpointException(
                    "not a safetensors file (header length " + headerLen + " does not fit in " + size + " bytes)");
        }
        ByteBuffer text = ByteBuffer.allocate((int) headerLen);
        while (text.hasRemaining() && ch.read(text, 8 + text.position()) > 0) {
            // a positional read may return less than asked
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(text.array(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointException("safetensors header is not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException("safetensors header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        long dataLen = size - 8 - headerLen;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                metadata(e.getValue(), metadata);
            } else {
                names.add(e.getKey());
                entries.add(entry(e.getKey(), e.getValue(), dataLen));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        tile(entries, dataLen);
        return new SafetensorsHeader(8 + headerLen, metadata, names, entries);
    }

    private static void metadata(JsonNode m, Map<String, String> out) {
        if (!m.isObject()) {
            throw new CheckpointException("__metadata__ must map strings to strings but is " + m.getNodeType());
        }
        m.fields().forEachRemaining(kv -> {
            if (!kv.getValue().isTextual()) {
                throw new CheckpointException(
                        "__metadata__ must map strings to strings but " + Values.brief(kv.getKey())
                                + " is "
                                + kv.getValue().getNodeType());
            }
            out.put(kv.getKey(), kv.getValue().asText());
        });
    }

    private static Entry entry(String key, JsonNode h, long dataLen) {
        String name = Values.brief(key);
        Dtype dtype = Dtype.ofSafetensors(h.path("dtype").asText());
        if (dtype == null) {
            throw new CheckpointException("tensor " + name + " has unsupported dtype " + shown(h, "dtype"));
        }
        JsonNode dims = h.path("shape");
        if (!dims.isArray()) {
            throw new CheckpointException("tensor " + name + " has a bad shape " + shown(h, "shape"));
        }
        long[] shape = new long[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = dims.get(i);
            shape[i] = d.canConvertToExactIntegral() && d.canConvertToLong() ? d.asLong() : -1;
            if (!d.isIntegralNumber() || shape[i] < 0 || count > StorageRef.MAX_BYTES / Math.max(1, shape[i])) {
                throw new CheckpointException("tensor " + name + " has a bad shape " + shown(h, "shape"));
            }
            count *= shape[i];
        }
        JsonNode offsets = h.path("data_offsets");
        long begin = offsets.path(0).isIntegralNumber() ? offsets.path(0).asLong(-1) : -1;
        long end = offsets.path(1).isIntegralNumber() ? offsets.path(1).asLong(-1) : -1;
        if (offsets.size() != 2 || begin < 0 || end < begin || end > dataLen) {
            throw new CheckpointException("tensor " + name + " has data_offsets " + shown(h, "data_offsets")
                    + " outside the file's " + dataLen + " data bytes (truncated?)");
        }
        if (end - begin != count * dtype.bytes || count * dtype.bytes > StorageRef.MAX_BYTES) {
            throw new CheckpointException("tensor " + name + " needs " + count * dtype.bytes + " bytes for shape "
                    + shown(h, "shape") + " but its range holds " + (end - begin));
        }
        return new Entry(key, dtype, shape, begin, end);
    }

    /** A header value for a message, cut short: a hostile header can hold megabytes in one field. */
    private static String shown(JsonNode h, String field) {
        String s = h.has(field) ? h.get(field).toString() : "(missing)";
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** The format forbids overlapping and unused bytes: each range starts where the previous one ends. */
    private static void tile(List<Entry> byOffset, long dataLen) {
        long at = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin() < at) {
                throw new CheckpointException(
                        "tensors " + Values.brief(previous.name()) + " and " + Values.brief(e.name())
                                + " overlap (bytes " + previous.begin() + "-" + previous.end() + " and " + e.begin()
                                + "-" + e.end()
                                + ")");
            }
            if (e.begin() > at) {
                throw new CheckpointException("data bytes " + at + "-" + e.begin() + " belong to no tensor");
            }
            at = e.end();
            previous = e;
        }
        if (at != dataLen) {
            throw new CheckpointException("data bytes " + at + "-" + dataLen + " belong to no tensor");
        }
    }
}
