package org.fcn4j.model;

/**
 * A spec's constructor argument that is out of range, named by its config key: the check lives in the
 * constructor, and {@code parse} re-keys it into a {@code ConfigException} with the key's full path.
 */
final class InvalidParameter extends IllegalArgumentException {
    final String key;
    final String problem;

    InvalidParameter(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
        this.problem = problem;
    }
}
