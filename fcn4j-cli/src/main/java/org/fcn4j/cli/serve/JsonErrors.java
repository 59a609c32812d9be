package org.fcn4j.cli.serve;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals, of requests the handlers never see (a malformed request line or Content-Length,
 * headers over the limit), in the same {"error": "..."} shape as the handlers' instead of an HTML page.
 */
final class JsonErrors extends ErrorHandler {
    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        String text = code == 431
                ? "request headers are over the limit of " + SegmentServer.MAX_HEADER_BYTES + " bytes"
                : message;
        Reply.error(new HttpError(code, text)).send(response, callback);
    }
}
