package org.fcn4j.config;

/**
 * A bad constructor argument, named by its config key. Components check their arguments once, in the
 * constructor, and throw this; their parser re-keys it with the config path ({@link ConfigNode#error(InvalidParameter)}),
 * so the rule is written once and library callers get the same message without a config.
 */
public final class InvalidParameter extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;

    public InvalidParameter(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
        this.problem = problem;
    }

    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }
}
