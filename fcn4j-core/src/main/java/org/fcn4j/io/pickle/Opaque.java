package org.fcn4j.io.pickle;

/**
 * An object of a class the reader does not reconstruct (e.g. an mmengine history buffer in a
 * checkpoint's meta). Its constructor is never called; the pickle's arguments and state are kept
 * only so the structure stays intact.
 */
public record Opaque(PyGlobal type, Object args, Object state) {
    public Opaque withState(Object newState) {
        return new Opaque(type, args, newState);
    }

    @Override
    public String toString() {
        return "<" + type + " (not reconstructed)>";
    }
}
