package org.fcn4j.cli.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a bare socket, byte for byte as the test writes it: for requests no well-behaved client
 * library would send, and for timing one request on a fresh connection.
 */
final class RawHttp {
    private RawHttp() {}

    /** A response: the status, the headers (names in lower case) and the body. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static Socket connect(int port, Duration timeout) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout((int) timeout.toMillis());
        return s;
    }

    /**
     * Sends {@code request} on a fresh connection and reads the answer; null when the server closed the
     * connection (or reset it) without answering. A server that does neither within {@code timeout} fails
     * the read with a {@link java.net.SocketTimeoutException}.
     */
    static Answer exchange(int port, byte[] request, Duration timeout) throws IOException {
        try (Socket s = connect(port, timeout)) {
            try {
                s.getOutputStream().write(request);
            } catch (SocketException closedWhileSending) {
                // the server may answer and close before reading everything: the answer is still readable
            }
            return read(s.getInputStream());
        }
    }

    static byte[] get(String path) {
        return ascii("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    }

    static byte[] post(String path, byte[] body) {
        byte[] head =
                ascii("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n");
        byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One response from the stream; null at a close or reset before its first byte. */
    static Answer read(InputStream in) throws IOException {
        String statusLine;
        try {
            statusLine = line(in);
        } catch (SocketException reset) {
            return null;
        }
        if (statusLine == null) {
            return null;
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        Map<String, String> headers = new TreeMap<>();
        for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
            int colon = h.indexOf(':');
            headers.put(
                    h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    h.substring(colon + 1).trim());
        }
        String length = headers.get("content-length");
        byte[] body = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
        return new Answer(Integer.parseInt(parts[1]), headers, body);
    }

    /** A CRLF-terminated line without its terminator; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }
}
