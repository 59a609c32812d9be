package org.fcn4j.io.pickle;

import java.util.List;

/** A Python tuple (kept apart from lists because torch uses tuples for sizes, strides and persistent ids). */
public record PyTuple(List<Object> items) {
    public Object get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }
}
