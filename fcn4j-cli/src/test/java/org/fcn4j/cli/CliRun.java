package org.fcn4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One in-process run of the command line: its exit code and what it printed. */
public record CliRun(int code, String out, String err) {
    /** Runs {@code fcn4j ARGS...} in this JVM, capturing standard output and error. */
    public static CliRun of(String... args) {
        return of(Main::run, args);
    }

    /** Runs another command line's {@code run(String...)} (fcn4j spark's, say) the same way. */
    public static CliRun of(java.util.function.ToIntFunction<String[]> main, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = main.applyAsInt(args);
            return new CliRun(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
