package org.fcn4j.data;

/** An image or label file that cannot be decoded; the message names the file and why. */
public class ImageDecodeException extends DataException {
    private static final long serialVersionUID = 1L;

    public ImageDecodeException(String message) {
        super(message);
    }

    public ImageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
