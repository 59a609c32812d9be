package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fcn4j analyze-logs}: MMSegmentation's {@code tools/analysis_tools/analyze_logs.py} for log.jsonl. */
@Command(
        name = "analyze-logs",
        mixinStandardHelpOptions = true,
        description = "Plot keys of one or more runs' log.jsonl against the iteration into a PNG (several logs are "
                + "overlaid, each series named by its log): losses on the left axis, accuracies and mIoU on the right.")
final class AnalyzeLogsCommand implements Callable<Integer> {
    @Parameters(paramLabel = "LOG.jsonl", arity = "1..*", description = "WORK_DIR/log.jsonl of fcn4j train.")
    List<Path> logs;

    @Option(
            names = "--keys",
            arity = "1..*",
            paramLabel = "KEY",
            description = "Keys to plot (default: loss), e.g. loss decode.loss_ce decode.acc_seg mIoU aAcc.")
    List<String> keys = List.of("loss");

    @Option(names = "--title", paramLabel = "TEXT", description = "Chart title (default: the keys).")
    String title;

    @Option(names = "--out", required = true, paramLabel = "PNG", description = "The chart to write.")
    Path out;

    @Override
    public Integer call() throws IOException {
        for (Path log : logs) {
            if (!Files.isRegularFile(log)) {
                throw new UserError("LOG.jsonl: no such file " + log);
            }
        }
        LogCurves.write(logs, keys, title != null ? title : String.join(", ", keys), out);
        System.out.println("wrote " + out);
        return 0;
    }
}
