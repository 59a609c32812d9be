package org.fcn4j.cli.serve;

import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;
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
    /** Null without micro-batching. */
    private final Batcher batcher;

    SegmentHandler(Segmenter segmenter, ServeOptions options, Admission admission, Batcher batcher) {
        this.segmenter = segmenter;
        this.options = options;
        this.admission = admission;
        this.batcher = batcher;
    }

    /** The answer to the request; refusals are thrown as {@link HttpError}, a client gone as IOException. */
    Reply handle(Request request, long startNanos) throws IOException, InterruptedException {
        // cheap checks first, so a doomed request costs no admission place and no body read; a body over the
        // limit that is still drained (for the client to read its 413) holds a place, so those are bounded too
        SegmentRequest req = SegmentRequest.parse(
                request.getHttpURI().getQuery(), request.getHeaders().get(HttpHeader.ACCEPT));
        long declared = request.getLength(); // -1 when chunked; Jetty has refused a malformed Content-Length
        Bodies.refuseUndrainable(declared, options.maxBodyBytes());
        if (!admission.tryEnter()) {
            // the body stays unread; Connection: close spares the server from draining it
            throw HttpError.busy("server busy: " + admission.capacity() + " requests already admitted")
                    .header("Connection", "close");
        }
        try {
            RgbImage image = decode(body(request, declared, startNanos));
            long waitNanos = options.timeout().toNanos() - (System.nanoTime() - startNanos);
            Segmentation s = batcher != null && !req.tta()
                    ? batcher.segment(image, testCfg(req.mode()), waitNanos)
                    : segmentAlone(image, req, waitNanos);
            return Reply.of(200, req.format().contentType(), answer(req, image, s));
        } finally {
            admission.leave();
        }
    }

    /** One forward pass (or TTA's views) for this request alone, once a worker is free within {@code waitNanos}. */
    private Segmentation segmentAlone(RgbImage image, SegmentRequest req, long waitNanos) throws InterruptedException {
        if (!admission.awaitWorker(waitNanos)) {
            throw HttpError.busy("timed out after " + options.timeout().toSeconds() + " s waiting for a worker");
        }
        try {
            return segmenter.segment(
                    image, SegmentOptions.DEFAULT.withTta(req.tta()).withTestCfg(testCfg(req.mode())));
        } finally {
            admission.releaseWorker();
        }
    }

    /**
     * The body, if it arrives within the timeout from the request's arrival: a stalled or trickling upload
     * would otherwise hold its admission place and thread for as long as the client likes. At the deadline the
     * request is failed, which wakes the blocked read.
     */
    private byte[] body(Request request, long declared, long startNanos) throws IOException {
        long left = options.timeout().toNanos() - (System.nanoTime() - startNanos);
        Scheduler.Task cutOff = request.getComponents()
                .getScheduler()
                .schedule(
                        () -> request.fail(new TimeoutException(
                                "not complete " + options.timeout().toSeconds() + " s after the request arrived")),
                        left,
                        TimeUnit.NANOSECONDS);
        try {
            return Bodies.read(Request.asInputStream(request), declared, options.maxBodyBytes());
        } catch (IOException | RuntimeException e) {
            HttpError refusal = refusal(e);
            if (refusal == null) {
                throw e; // the client went away (or a bug): nothing to tell it
            }
            throw refusal;
        } finally {
            cutOff.cancel();
        }
    }

    /**
     * What a failed body read tells the client: 413 from {@link Bodies}, 408 at the deadline or the idle
     * timeout, Jetty's status for a malformed body (broken chunking); null when there is no one to tell.
     */
    private static HttpError refusal(Exception e) {
        if (e instanceof HttpError tooLarge) {
            return tooLarge;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return new HttpError(408, "request body too slow: " + t.getMessage()).header("Connection", "close");
            }
            if (t instanceof HttpException bad) {
                return new HttpError(bad.getCode(), "malformed request body: " + bad.getReason())
                        .header("Connection", "close");
            }
        }
        return null;
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
                yield Reply.JSON.writeValueAsBytes(out);
            }
        };
    }

    private static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff;
    }

    private static boolean isPng(byte[] b) {
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        return b.length >= magic.length && java.util.Arrays.equals(b, 0, magic.length, magic, 0, magic.length);
    }
}
