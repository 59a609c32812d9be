package org.fcn4j.config;

/** A config that cannot be used: the message starts with the dotted key path of the offending entry. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
