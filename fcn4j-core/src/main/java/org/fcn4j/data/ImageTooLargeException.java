package org.fcn4j.data;

/** An image whose header declares more pixels than allowed; refused before any pixel is decoded. */
public class ImageTooLargeException extends ImageDecodeException {
    private static final long serialVersionUID = 1L;

    public ImageTooLargeException(String message) {
        super(message);
    }
}
