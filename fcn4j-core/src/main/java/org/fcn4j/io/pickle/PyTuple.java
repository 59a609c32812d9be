package org.fcn4j.io.pickle;

import java.util.List;

/** A Python tuple (kept apart from lists because torch uses tuples for sizes, strides and persistent ids). */
public record PyTuple(List<Object> items) {
    /** Item {@code i}; a hostile pickle may pass fewer arguments than a function takes, so this is checked. */
    public Object get(int i) {
        if (i >= items.size()) {
            throw new PickleException("expected at least " + (i + 1) + " items but the tuple has " + items.size());
        }
        return items.get(i);
    }

    public int size() {
        return items.size();
    }
}
