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

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (!unexpected.isEmpty()) {
            sb.append("unexpected key in source state_dict: ").append(String.join(", ", unexpected)).append('\n');
        }
        if (!shapeMismatch.isEmpty()) {
            sb.append("size mismatch for: ").append(String.join(", ", shapeMismatch)).append('\n');
        }
        if (!missing.isEmpty()) {
            sb.append("missing keys in source state_dict: ").append(String.join(", ", missing)).append('\n');
        }
        return sb.length() == 0 ? "all keys matched" : sb.toString().trim();
    }
}
