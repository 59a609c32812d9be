package org.fcn4j.cli.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fcn4j.data.ImageDecodeException;
import org.fcn4j.data.ImageTooLargeException;
import org.fcn4j.data.Images;
import org.fcn4j.image.RgbImage;
import org.fcn4j.infer.SegmentOptions;
import org.fcn4j.infer.Segmentation;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.model.TestConfig;
import org.fcn4j.viz.Pngs;

/** {@code POST /v1/segment}: admission, body, decoding, the model on a worker, and the answer in the asked format. */
final class SegmentHandler {
    private final Segmenter segmenter;
    private final ServeOptions options;
    private final Admission admission;

    SegmentHandler(Segmenter segmenter, ServeOptions options, Admission admission) {
        this.segmenter = segmenter;
        this.options = options;
        this.admission = admission;
    }

    /** Answers the exchange and returns the status sent; refusals are thrown as {@link HttpError}. */
    int handle(HttpExchange ex, long startNanos) throws IOException, InterruptedException {
        // cheap checks first, so a doomed request costs no admission place and no body read
        SegmentRequest req = SegmentRequest.parse(
                ex.getRequestURI().getRawQuery(), ex.getRequestHeaders().getFirst("Accept"));
        long declared = declaredLength(ex);
        if (declared > options.maxBodyBytes()) {
            Bodies.read(ex.getRequestBody(), declared, options.maxBodyBytes()); // throws 413
        }
        if (!admission.tryEnter()) {
            // the body stays unread; Connection: close spares the server from draining it
            throw HttpError.busy("server busy: " + admission.capacity() + " requests already admitted")
                    .header("Connection", "close");
        }
        try {
            RgbImage image = decode(Bodies.read(ex.getRequestBody(), declared, options.maxBodyBytes()));
            long waitNanos = options.timeout().toNanos() - (System.nanoTime() - startNanos);
            if (!admission.awaitWorker(waitNanos)) {
                throw HttpError.busy("timed out after " + options.timeout().toSeconds() + " s waiting for a worker");
            }
            Segmentation s;
            try {
                s = segmenter.segment(
                        image, SegmentOptions.DEFAULT.withTta(req.tta()).withTestCfg(testCfg(req.mode())));
            } finally {
                admission.releaseWorker();
            }
            return Responses.send(ex, 200, req.format().contentType(), answer(req, image, s));
        } finally {
            admission.leave();
        }
    }

    private RgbImage decode(byte[] body) {
        if (body.length == 0) {
            throw new HttpError(400, "empty request body: send a JPEG or PNG image");
        }
        if (!isJpeg(body) && !isPng(body)) {
            throw new HttpError(400, "request body is not a JPEG or PNG image");
        }
        try {
            // the pixel limit is checked against the header before any pixel is decoded
            return Images.decodeCompleteRgb(body, "request body", options.maxPixels());
        } catch (ImageTooLargeException e) {
            throw new HttpError(413, e.getMessage());
        } catch (ImageDecodeException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    private TestConfig testCfg(String mode) {
        if (mode == null) {
            return segmenter.model().spec().testCfg();
        }
        return mode.equals("slide") ? options.slide() : TestConfig.WHOLE;
    }

    private byte[] answer(SegmentRequest req, RgbImage image, Segmentation s) throws IOException {
        int[][] palette = segmenter.meta().palette();
        return switch (req.format()) {
            case LABELS -> Pngs.encode(Pngs.labels(s.labels()));
            case COLOR -> Pngs.encode(Pngs.colour(s.labels(), palette));
            case OVERLAY -> Pngs.encode(Pngs.overlay(image, s.labels(), palette));
            case JSON -> {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("width", image.width());
                out.put("height", image.height());
                out.put("mode", testCfg(req.mode()).mode().configName());
                out.put("tta", req.tta());
                out.put("classes", segmenter.meta().classes());
                out.put("palette", segmenter.meta().palette());
                out.put("pixel_counts", s.pixelCounts());
                out.put("label_map_png", Base64.getEncoder().encodeToString(Pngs.encode(Pngs.labels(s.labels()))));
                yield Responses.JSON.writeValueAsBytes(out);
            }
        };
    }

    /** Content-Length, or -1 when absent (chunked); 400 when it is not a number. */
    private static long declaredLength(HttpExchange ex) {
        String v = ex.getRequestHeaders().getFirst("Content-Length");
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new HttpError(400, "Content-Length is not a number: " + v);
        }
    }

    private static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff;
    }

    private static boolean isPng(byte[] b) {
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        return b.length >= magic.length && java.util.Arrays.equals(b, 0, magic.length, magic, 0, magic.length);
    }
}
