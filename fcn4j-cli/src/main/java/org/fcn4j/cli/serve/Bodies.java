package org.fcn4j.cli.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body with a size limit. */
final class Bodies {
    /**
     * How far past the limit a body is still read (and thrown away) so the client, which is still
     * sending, gets the 413 instead of a connection reset; bigger bodies are cut off unread.
     */
    static final long DRAIN_FACTOR = 4;

    private Bodies() {}

    /** 413 at once, the body unread, when it declares more than would be drained. */
    static void refuseUndrainable(long declaredLength, long max) {
        if (declaredLength > drainCap(max)) {
            throw tooLarge(declaredLength + " bytes", max).header("Connection", "close");
        }
    }

    /** The body, or 413 when it is (or declares itself, by {@code declaredLength} >= 0) longer than {@code max}. */
    static byte[] read(InputStream in, long declaredLength, long max) throws IOException {
        refuseUndrainable(declaredLength, max);
        long drainCap = drainCap(max);
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declaredLength, 8192), max));
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total <= max) {
                out.write(buf, 0, n);
            } else if (total > drainCap) {
                throw tooLarge("more than " + drainCap + " bytes", max).header("Connection", "close");
            }
        }
        if (total > max) {
            throw tooLarge(total + " bytes", max);
        }
        return out.toByteArray();
    }

    private static long drainCap(long max) {
        return Math.max(max * DRAIN_FACTOR, 1 << 20);
    }

    private static HttpError tooLarge(String size, long max) {
        return new HttpError(413, "request body of " + size + " is over the limit of " + max + " bytes");
    }
}
