package org.fcn4j.util;

import java.io.UncheckedIOException;

/** A file could not be written (its previous version, if any, is untouched); the message names the file. */
public final class FileWriteException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    public FileWriteException(String message, java.io.IOException cause) {
        super(message, cause);
    }
}
