package org.fcn4j.io.pickle;

/** A reference to a Python module attribute ({@code module.name}) as a pickle names it. */
public record PyGlobal(String module, String name) {
    @Override
    public String toString() {
        return module + "." + name;
    }
}
