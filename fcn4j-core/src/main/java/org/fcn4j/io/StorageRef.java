package org.fcn4j.io;

import java.util.List;
import java.util.Map;
import org.fcn4j.io.pickle.PickleException;
import org.fcn4j.io.pickle.Values;

/** A pickled storage: its element type, its key (zip entry or legacy record) and its element count. */
record StorageRef(Dtype dtype, String key, long numel) {
    /** The most bytes a storage or tensor may have here: Java buffers are indexed by int. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    StorageRef {
        if (numel < 0 || numel > MAX_BYTES / dtype.bytes) {
            throw new CheckpointException("storage '" + key + "' declares " + numel + " elements"
                    + (numel < 0 ? "" : " (more than the 2 GiB a storage may have here)"));
        }
    }

    long bytes() {
        return numel * dtype.bytes;
    }

    /**
     * The one parser of torch's persistent ids, for both formats: {@code ('storage', storage_type, key,
     * location, numel)} in the zip format, with a sixth item {@code view_metadata} in the legacy one
     * (torch writes None there; a view of a storage's part is refused). Each key is declared once in
     * {@code declared}: a second record with another type or size would describe the same bytes twice.
     */
    static StorageRef fromPersistentId(Object pid, Map<String, StorageRef> declared) {
        List<Object> t = TorchGlobals.asList(pid);
        if (t.size() < 5 || t.size() > 6 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Dtype)) {
            throw new PickleException("unknown persistent id " + Values.brief(pid));
        }
        if (!(t.get(2) instanceof String) || ((String) t.get(2)).length() > 256) {
            throw new PickleException("storage key must be a short string but is " + Values.brief(t.get(2)));
        }
        if (t.size() == 6 && t.get(5) != null) {
            throw new PickleException("storage views (view_metadata) are not supported");
        }
        StorageRef ref = new StorageRef((Dtype) t.get(1), (String) t.get(2), TorchGlobals.asLong(t.get(4)));
        StorageRef first = declared.putIfAbsent(ref.key(), ref);
        if (first != null && !first.equals(ref)) {
            throw new CheckpointException("storage '" + ref.key() + "' is declared twice, as " + first.numel() + " "
                    + first.dtype() + " and as " + ref.numel() + " " + ref.dtype());
        }
        return first == null ? ref : first;
    }
}
