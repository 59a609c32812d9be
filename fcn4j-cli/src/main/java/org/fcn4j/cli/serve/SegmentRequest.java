package org.fcn4j.cli.serve;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What a {@code POST /v1/segment} asks for: {@code ?format=labels|color|overlay|json} (without it, the
 * {@code Accept} header picks the label PNG or JSON), {@code ?mode=whole|slide} (default: the config's
 * {@code test_cfg}) and {@code ?tta=true|false}.
 */
record SegmentRequest(Format format, String mode, boolean tta) {
    enum Format {
        LABELS,
        COLOR,
        OVERLAY,
        JSON;

        String contentType() {
            return this == JSON ? "application/json" : "image/png";
        }
    }

    static SegmentRequest parse(String rawQuery, String accept) {
        Format format = null;
        String mode = null;
        boolean tta = false;
        for (String pair : rawQuery == null || rawQuery.isEmpty() ? new String[0] : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1)).toLowerCase(Locale.ROOT);
            switch (key) {
                case "format" ->
                    format = switch (value) {
                        case "labels", "label", "png" -> Format.LABELS;
                        case "color", "colour" -> Format.COLOR;
                        case "overlay" -> Format.OVERLAY;
                        case "json" -> Format.JSON;
                        default -> throw bad("format", value, "labels, color, overlay, json");
                    };
                case "mode" -> {
                    if (!value.equals("whole") && !value.equals("slide")) {
                        throw bad("mode", value, "whole, slide");
                    }
                    mode = value;
                }
                case "tta" ->
                    tta = switch (value) {
                        case "true", "1", "yes" -> true;
                        case "false", "0", "no" -> false;
                        default -> throw bad("tta", value, "true, false");
                    };
                default -> throw new HttpError(400, "unknown query parameter '" + key + "' (known: format, mode, tta)");
            }
        }
        return new SegmentRequest(negotiate(format, accept), mode, tta);
    }

    /** The format to send, honouring {@code Accept}; 406 when it allows neither PNG nor JSON as needed. */
    static Format negotiate(Format asked, String accept) {
        double png = quality(accept, "image", "png");
        double json = quality(accept, "application", "json");
        if (asked != null) {
            if ((asked == Format.JSON ? json : png) > 0) {
                return asked;
            }
            throw new HttpError(
                    406,
                    "format=" + asked.name().toLowerCase(Locale.ROOT) + " answers " + asked.contentType()
                            + " but Accept is '" + accept + "'");
        }
        if (json > png) {
            return Format.JSON;
        }
        if (png > 0) {
            return Format.LABELS;
        }
        throw new HttpError(406, "can answer image/png or application/json but Accept is '" + accept + "'");
    }

    /** The q-value {@code Accept} gives type/subtype (1 when there is no header; the best matching range). */
    static double quality(String accept, String type, String subtype) {
        if (accept == null || accept.isBlank()) {
            return 1;
        }
        double best = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String media = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (media.equals("*/*") || media.equals(type + "/*") || media.equals(type + "/" + subtype)) {
                best = Math.max(best, q);
            }
        }
        return best;
    }

    private static HttpError bad(String key, String value, String allowed) {
        return new HttpError(400, "query parameter " + key + "='" + value + "' is not one of: " + allowed);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "malformed query string");
        }
    }
}
