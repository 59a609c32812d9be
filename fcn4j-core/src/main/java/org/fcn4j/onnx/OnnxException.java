package org.fcn4j.onnx;

/** An ONNX graph fcn4j cannot write or run, with a message that names the file, option or operator. */
public final class OnnxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxException(String message) {
        super(message);
    }

    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
