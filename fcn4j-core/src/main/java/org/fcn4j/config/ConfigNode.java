package org.fcn4j.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A strict view of one dict of a config. Typed getters name the key path in their errors; every key
 * a reader takes is remembered, and {@link #finish()} rejects what nobody took, so a misspelt key
 * fails instead of being silently ignored.
 */
public final class ConfigNode {
    private final String path;
    private final Map<String, Object> map;
    private final Set<String> taken = new HashSet<>();

    public ConfigNode(String path, Map<String, Object> map) {
        this.path = path;
        this.map = map;
    }

    public String path() {
        return path;
    }

    public String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The dict's keys, for dicts keyed by name (mmengine's {@code custom_keys}); read them with the getters. */
    public Set<String> keys() {
        return new TreeSet<>(map.keySet());
    }

    public boolean has(String key) {
        return map.get(key) != null;
    }

    /** Accepts keys MMSegmentation configs routinely carry but that change nothing here. */
    public void accept(String... keys) {
        taken.addAll(Arrays.asList(keys));
    }

    /** Fails on any key no getter or {@link #accept} took. */
    public void finish() {
        Set<String> unknown = new TreeSet<>(map.keySet());
        unknown.removeAll(taken);
        if (!unknown.isEmpty()) {
            String key = unknown.iterator().next();
            throw new ConfigException(
                    pathOf(key) + ": unknown key" + (unknown.size() > 1 ? " (also: " + rest(unknown) + ")" : ""));
        }
    }

    private static String rest(Set<String> keys) {
        List<String> l = new ArrayList<>(keys);
        return String.join(", ", l.subList(1, l.size()));
    }

    private Object raw(String key) {
        taken.add(key);
        return map.get(key);
    }

    public ConfigException error(String key, String problem) {
        return new ConfigException(pathOf(key) + ": " + problem);
    }

    /** A component's rejected argument, under this node's path. */
    public ConfigException error(InvalidParameter e) {
        return error(e.key(), e.problem());
    }

    /** A list of strings, or {@code def} when absent. */
    public List<String> strings(String key, List<String> def) {
        Object v = raw(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof List)) {
            throw wrongType(key, "a list of strings", v);
        }
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) v) {
            if (!(o instanceof String)) {
                throw wrongType(key, "a list of strings", v);
            }
            out.add((String) o);
        }
        return out;
    }

    private ConfigException wrongType(String key, String expected, Object v) {
        return error(key, "expected " + expected + " but got " + describe(v));
    }

    public static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            return "'" + v + "'";
        }
        String type = v instanceof Map
                ? "a dict"
                : v instanceof List ? "a list" : v.getClass().getSimpleName();
        return type + " " + v;
    }

    public String string(String key, String def) {
        Object v = raw(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof String)) {
            throw wrongType(key, "a string", v);
        }
        return (String) v;
    }

    public String requireString(String key) {
        String s = string(key, null);
        if (s == null) {
            throw error(key, "missing");
        }
        return s;
    }

    public String oneOf(String key, String def, String... allowed) {
        String s = string(key, def);
        if (s != null && !Arrays.asList(allowed).contains(s)) {
            throw error(key, "expected one of " + String.join(", ", allowed) + " but got '" + s + "'");
        }
        return s;
    }

    public int integer(String key, int def) {
        Object v = raw(key);
        return v == null ? def : asInt(key, v);
    }

    public int requireInt(String key) {
        return requireInt(key, Integer.MIN_VALUE);
    }

    /** A required integer that must be at least {@code min}. */
    public int requireInt(String key, int min) {
        if (!has(key)) {
            raw(key);
            throw error(key, "missing");
        }
        return integer(key, 0, min);
    }

    /** An integer that must be at least {@code min}. */
    public int integer(String key, int def, int min) {
        int v = integer(key, def);
        if (v < min) {
            throw error(key, "must be >= " + min + " but got " + v);
        }
        return v;
    }

    private int asInt(String key, Object v) {
        if (v instanceof Integer || v instanceof Long) {
            long l = ((Number) v).longValue();
            if (l == (int) l) {
                return (int) l;
            }
        }
        throw wrongType(key, "an integer", v);
    }

    public double number(String key, double def) {
        Object v = raw(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Number)) {
            throw wrongType(key, "a number", v);
        }
        return ((Number) v).doubleValue();
    }

    public boolean bool(String key, boolean def) {
        Object v = raw(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Boolean)) {
            throw wrongType(key, "true or false", v);
        }
        return (Boolean) v;
    }

    /** A list of integers; {@code length} > 0 also fixes its length. */
    public int[] ints(String key, int[] def, int length) {
        Object v = raw(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof List)) {
            throw wrongType(key, "a list of integers", v);
        }
        List<?> l = (List<?>) v;
        if (length > 0 && l.size() != length) {
            throw error(key, "expected " + length + " integers but got " + l.size());
        }
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asInt(key + "[" + i + "]", l.get(i));
        }
        return out;
    }

    /** A list of numbers; {@code length} > 0 also fixes its length. */
    public double[] numbers(String key, double[] def, int length) {
        Object v = raw(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof List)) {
            throw wrongType(key, "a list of numbers", v);
        }
        List<?> l = (List<?>) v;
        if (length > 0 && l.size() != length) {
            throw error(key, "expected " + length + " numbers but got " + l.size());
        }
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Number)) {
                throw wrongType(key + "[" + i + "]", "a number", l.get(i));
            }
            out[i] = ((Number) l.get(i)).doubleValue();
        }
        return out;
    }

    /** The dict under {@code key}, or null when absent or null. */
    @SuppressWarnings("unchecked")
    public ConfigNode dict(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map)) {
            throw wrongType(key, "a dict", v);
        }
        return new ConfigNode(pathOf(key), (Map<String, Object>) v);
    }

    public ConfigNode requireDict(String key) {
        ConfigNode n = dict(key);
        if (n == null) {
            throw error(key, "missing");
        }
        return n;
    }

    /** The list of dicts under {@code key} (empty when absent); a single dict counts as a list of one. */
    @SuppressWarnings("unchecked")
    public List<ConfigNode> dicts(String key) {
        Object v = raw(key);
        List<ConfigNode> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v instanceof Map) {
            out.add(new ConfigNode(pathOf(key), (Map<String, Object>) v));
            return out;
        }
        if (!(v instanceof List)) {
            throw wrongType(key, "a list of dicts", v);
        }
        List<?> l = (List<?>) v;
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof Map)) {
                throw wrongType(key + "[" + i + "]", "a dict", l.get(i));
            }
            out.add(new ConfigNode(pathOf(key) + "[" + i + "]", (Map<String, Object>) l.get(i)));
        }
        return out;
    }

    /** The raw value, for keys whose shape varies (e.g. a scale given as a pair or a number). */
    public Object value(String key) {
        return raw(key);
    }
}
