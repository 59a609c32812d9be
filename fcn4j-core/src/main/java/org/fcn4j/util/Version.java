package org.fcn4j.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** fcn4j's version, as Maven wrote it into the jar (stored in checkpoints and printed by the CLI). */
public final class Version {
    private static final String VERSION = read();

    private Version() {}

    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("/org/fcn4j/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
