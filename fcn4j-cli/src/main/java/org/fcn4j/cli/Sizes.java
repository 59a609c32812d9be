package org.fcn4j.cli;

/** Command-line sizes written {@code HxW} (height x width). */
final class Sizes {
    private Sizes() {}

    static int[] parse(String option, String text) {
        String[] parts = text.toLowerCase().split("x");
        try {
            if (parts.length == 2) {
                int h = Integer.parseInt(parts[0].trim());
                int w = Integer.parseInt(parts[1].trim());
                if (h > 0 && w > 0) {
                    return new int[] {h, w};
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UserError(option + ": expected HxW with positive integers (e.g. 512x1024) but got '" + text + "'");
    }
}
