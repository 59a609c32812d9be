package org.fcn4j.nn;

import java.util.List;

/**
 * What loading a state dict found, as mmengine's load_checkpoint reports it: model keys the checkpoint
 * lacks, checkpoint keys the model lacks, and keys present in both with different shapes (not loaded).
 */
public record LoadReport(List<String> missing, List<String> unexpected, List<String> shapeMismatch) {
    public boolean clean() {
        return missing.isEmpty() && unexpected.isEmpty() && shapeMismatch.isEmpty();
    }

    /** At most this many keys are listed per kind; the rest are counted. */
    private static final int LISTED = 8;

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        append(sb, "unexpected key in source state_dict: ", unexpected);
        append(sb, "size mismatch for: ", shapeMismatch);
        append(sb, "missing keys in source state_dict: ", missing);
        return sb.length() == 0 ? "all keys matched" : sb.toString().trim();
    }

    private static void append(StringBuilder sb, String title, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        sb.append(title).append(String.join(", ", keys.subList(0, Math.min(LISTED, keys.size()))));
        if (keys.size() > LISTED) {
            sb.append(" (and ").append(keys.size() - LISTED).append(" more)");
        }
        sb.append('\n');
    }
}
