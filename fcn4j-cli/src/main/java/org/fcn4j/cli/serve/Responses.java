package org.fcn4j.cli.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/** Writing responses: a body with its length, or a JSON error {"error": "..."}. */
final class Responses {
    /** Thread-safe once configured; shared by every handler. */
    static final ObjectMapper JSON = new ObjectMapper();

    private Responses() {}

    static int send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
        return status;
    }

    static int json(HttpExchange ex, int status, Object value) throws IOException {
        return send(ex, status, "application/json", JSON.writeValueAsBytes(value));
    }

    static int error(HttpExchange ex, HttpError e) throws IOException {
        e.headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        return json(ex, e.status, Map.of("error", e.getMessage()));
    }
}
