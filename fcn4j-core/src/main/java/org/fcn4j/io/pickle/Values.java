package org.fcn4j.io.pickle;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks and descriptions for values a hostile pickle built. Nothing here recurses into a container or
 * prints one whole: a value can be nested 100,000 deep, contain itself, or hold gigabytes of text, and
 * hashing or printing it would overflow the stack, never end, or fill the heap.
 */
public final class Values {
    private Values() {}

    /**
     * Returns {@code k} if it may be a dict key or set item: a string, number, boolean, None, or a tuple of
     * those (all checkpoints use). Java hashes a container by walking it; a list key could never end.
     */
    public static Object hashable(Object k, String role) {
        if (k instanceof PyTuple) {
            for (Object item : ((PyTuple) k).items()) {
                if (!scalar(item)) {
                    throw new PickleException("a tuple holding " + brief(item) + " cannot be a " + role);
                }
            }
            return k;
        }
        if (!scalar(k)) {
            throw new PickleException(brief(k) + " cannot be a " + role);
        }
        return k;
    }

    private static boolean scalar(Object o) {
        return o == null
                || o instanceof String
                || o instanceof Long
                || o instanceof BigInteger
                || o instanceof Double
                || o instanceof Boolean;
    }

    /** A short description for an error message: scalars shown (cut to 60 characters), containers by kind and size. */
    public static String brief(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof String) {
            String s = (String) o;
            return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        }
        if (o instanceof BigInteger) {
            int bits = ((BigInteger) o).bitLength(); // toString is quadratic in the digits
            return bits > 256 ? "an integer of " + bits + " bits" : o.toString();
        }
        if (o instanceof Long || o instanceof Double || o instanceof Boolean) {
            return o.toString();
        }
        if (o instanceof PyTuple) {
            return "a tuple of " + ((PyTuple) o).size() + " items";
        }
        if (o instanceof List) {
            return "a list of " + ((List<?>) o).size() + " items";
        }
        if (o instanceof Map) {
            return "a dict of " + ((Map<?, ?>) o).size() + " items";
        }
        if (o instanceof Set) {
            return "a set of " + ((Set<?>) o).size() + " items";
        }
        if (o instanceof byte[]) {
            return "bytes of length " + ((byte[]) o).length;
        }
        if (o instanceof Opaque || o instanceof PyGlobal) {
            String s = o.toString();
            return s.length() > 120 ? s.substring(0, 120) + "..." : s;
        }
        if (o instanceof Unpickler.Reconstructor) {
            return "a function";
        }
        if (o instanceof Enum) {
            return o.getClass().getSimpleName() + " " + o;
        }
        return "a " + o.getClass().getSimpleName();
    }
}
