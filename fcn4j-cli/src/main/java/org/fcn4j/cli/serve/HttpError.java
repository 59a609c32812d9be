package org.fcn4j.cli.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/** A request the server refuses: the status, a message for the JSON body, and any headers the status needs. */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final Map<String, String> headers = new LinkedHashMap<>();

    HttpError(int status, String message) {
        super(message, null, false, false); // control flow, not a bug: no stack trace
        this.status = status;
    }

    HttpError header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** 503 with Retry-After: the client did nothing wrong and may try again shortly. */
    static HttpError busy(String message) {
        return new HttpError(503, message).header("Retry-After", "1");
    }
}
