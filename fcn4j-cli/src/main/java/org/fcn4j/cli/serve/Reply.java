package org.fcn4j.cli.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A whole answer, built before a byte is written: the status is known when the write completes (for the
 * metrics), and every answer goes out in one write with its length.
 */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    /** Thread-safe once configured; shared by every handler. */
    static final ObjectMapper JSON = new ObjectMapper();

    static Reply of(int status, String contentType, byte[] body) {
        return new Reply(status, contentType, body, Map.of());
    }

    static Reply json(int status, Object value) {
        try {
            return of(status, "application/json", JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** {"error": "..."} with the headers the status needs. */
    static Reply error(HttpError e) {
        Reply r = json(e.status, Map.of("error", e.getMessage()));
        return new Reply(r.status, r.contentType, r.body, e.headers);
    }

    Reply withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, contentType, body, h);
    }

    /** Writes it all; {@code done} completes once the last byte is written or the write failed. */
    void send(Response response, Callback done) {
        response.setStatus(status);
        HttpFields.Mutable h = response.getHeaders();
        headers.forEach(h::put);
        h.put(HttpHeader.CONTENT_TYPE, contentType);
        h.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), done);
    }
}
