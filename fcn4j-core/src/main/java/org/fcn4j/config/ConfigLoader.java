package org.fcn4j.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads an MMSegmentation-style config written as YAML: a preset name or a file, {@code _base_}
 * inheritance (later wins, dicts merge key by key, lists are replaced, {@code _delete_: true} replaces
 * a dict) and {@code --cfg-options key.sub=value} overrides.
 */
public final class ConfigLoader {
    private static final String PRESETS = "/org/fcn4j/presets/";
    private static final String BASE = "_base_";
    private static final String DELETE = "_delete_";

    private ConfigLoader() {}

    /** Loads {@code nameOrPath} (a preset name or a YAML file) with its bases, then applies the overrides. */
    public static Map<String, Object> load(String nameOrPath, List<String> cfgOptions) {
        Map<String, Object> cfg =
                nameOrPath.endsWith(".yaml") || nameOrPath.endsWith(".yml") || nameOrPath.contains("/")
                        ? loadFile(Path.of(nameOrPath), new ArrayList<>())
                        : loadPreset(nameOrPath, new ArrayList<>());
        for (String option : cfgOptions) {
            applyOption(cfg, option);
        }
        return cfg;
    }

    /** A resolved tree as block-style YAML that {@link #load} reads back to the same tree. */
    public static String dump(Map<String, Object> tree) {
        DumpSettings settings = DumpSettings.builder()
                .setDefaultFlowStyle(FlowStyle.BLOCK)
                .setIndent(2)
                .setWidth(120)
                .build();
        return new Dump(settings).dumpToString(tree);
    }

    public static boolean isPreset(String name) {
        return ConfigLoader.class.getResource(PRESETS + name + ".yaml") != null;
    }

    private static Map<String, Object> loadPreset(String name, List<String> chain) {
        String resource = PRESETS + name + ".yaml";
        try (InputStream in = ConfigLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ConfigException(name + ": no such config file or preset");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return withBases(
                    parse(text, "preset " + name),
                    "preset:" + name,
                    chain,
                    base -> loadPreset(resolvePreset(name, base), chain));
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot read preset: " + e.getMessage(), e);
        }
    }

    /** A base named in a preset: another preset, or a path relative to the preset's folder. */
    private static String resolvePreset(String from, String base) {
        String stem = base.replaceAll("\\.ya?ml$", "");
        if (isPreset(stem)) {
            return stem;
        }
        int slash = from.lastIndexOf('/');
        return Path.of(slash < 0 ? "" : from.substring(0, slash))
                .resolve(stem)
                .normalize()
                .toString();
    }

    private static Map<String, Object> loadFile(Path file, List<String> chain) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config: " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return withBases(
                parse(text, file.toString()), file.toAbsolutePath().normalize().toString(), chain, base -> {
                    Path p = dir.resolve(base);
                    if (Files.exists(p)) {
                        return loadFile(p, chain);
                    }
                    String stem = base.replaceAll("\\.ya?ml$", "");
                    if (isPreset(stem)) {
                        return loadPreset(stem, chain);
                    }
                    throw new ConfigException(
                            file + ": _base_ '" + base + "' is neither a file next to it nor a preset");
                });
    }

    private interface BaseReader {
        Map<String, Object> read(String base);
    }

    private static Map<String, Object> withBases(
            Map<String, Object> cfg, String id, List<String> chain, BaseReader reader) {
        if (chain.contains(id)) {
            throw new ConfigException(id + ": _base_ inheritance loops back to itself");
        }
        Object bases = cfg.remove(BASE);
        if (bases == null) {
            return cfg;
        }
        chain.add(id);
        List<?> list = bases instanceof List ? (List<?>) bases : List.of(bases);
        Map<String, Object> merged = new LinkedHashMap<>();
        for (Object base : list) {
            if (!(base instanceof String)) {
                throw new ConfigException(BASE + ": expected file names but got " + ConfigNode.describe(base));
            }
            merge(merged, reader.read((String) base));
        }
        chain.remove(id);
        merge(merged, cfg);
        return merged;
    }

    /** mmengine's merge: {@code over} wins; nested dicts merge unless they carry {@code _delete_: true}. */
    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> into, Map<String, Object> over) {
        for (Map.Entry<String, Object> e : over.entrySet()) {
            Object v = e.getValue();
            Object old = into.get(e.getKey());
            if (v instanceof Map) {
                Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) v);
                boolean replace = Boolean.TRUE.equals(m.remove(DELETE));
                if (old instanceof Map && !replace) {
                    Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) old);
                    merge(copy, m);
                    into.put(e.getKey(), copy);
                } else {
                    Map<String, Object> fresh = new LinkedHashMap<>();
                    merge(fresh, m);
                    into.put(e.getKey(), fresh);
                }
            } else {
                into.put(e.getKey(), v);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String text, String source) {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setLabel(source).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        if (doc == null) {
            return new LinkedHashMap<>();
        }
        if (!(doc instanceof Map)) {
            throw new ConfigException(source + ": a config must be a mapping of keys to values");
        }
        checkKeys(doc, "", source);
        return new LinkedHashMap<>((Map<String, Object>) doc);
    }

    /** Every mapping key must be a string (YAML allows `5:` or `{ 5}`; configs name their keys). */
    private static void checkKeys(Object node, String path, String source) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new ConfigException(source + ": " + (path.isEmpty() ? "top level" : path) + ": key "
                            + ConfigNode.describe(e.getKey()) + " is not a name");
                }
                checkKeys(e.getValue(), path.isEmpty() ? key : path + "." + key, source);
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                checkKeys(list.get(i), path + "[" + i + "]", source);
            }
        }
    }

    /**
     * mmengine's DictAction reads {@code True}/{@code False} in any case as booleans and {@code None} as None,
     * in a value or a list's elements; YAML 1.2 would keep them strings, so {@code resume=True} would fail.
     */
    private static Object pythonLiterals(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(ConfigLoader::pythonLiterals).collect(java.util.stream.Collectors.toList());
        }
        if (value instanceof String text) {
            if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                return Boolean.valueOf(text);
            }
            if (text.equals("None")) {
                return null;
            }
        }
        return value;
    }

    /**
     * Applies one {@code key.sub=value} override. The value is read as YAML ({@code 4}, {@code True},
     * {@code [512, 512]}); a bare comma list {@code a,b} becomes a list, as mmengine's DictAction does.
     * Intermediate dicts are created; a numeric segment indexes a list.
     */
    @SuppressWarnings("unchecked")
    static void applyOption(Map<String, Object> cfg, String option) {
        int eq = option.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--cfg-options: expected key=value but got '" + option + "'");
        }
        String[] keys = option.substring(0, eq).split("\\.");
        String text = option.substring(eq + 1);
        if (text.contains(",") && !text.startsWith("[") && !text.startsWith("{")) {
            text = "[" + text + "]";
        }
        Object value;
        try {
            value = pythonLiterals(new Load(LoadSettings.builder().build()).loadFromString(text));
        } catch (YamlEngineException e) {
            throw new ConfigException(
                    "--cfg-options " + option.substring(0, eq) + ": cannot read value '" + text + "'");
        }
        Object node = cfg;
        for (int i = 0; i < keys.length; i++) {
            boolean last = i == keys.length - 1;
            String k = keys[i];
            String where = String.join(".", List.of(keys).subList(0, i + 1));
            if (node instanceof Map) {
                Map<String, Object> m = (Map<String, Object>) node;
                if (last) {
                    m.put(k, value);
                } else {
                    node = m.computeIfAbsent(k, x -> new LinkedHashMap<String, Object>());
                }
            } else if (node instanceof List && k.matches("\\d+")) {
                List<Object> l = (List<Object>) node;
                int idx = Integer.parseInt(k);
                if (idx >= l.size()) {
                    throw new ConfigException(where + ": index out of range (the list has " + l.size() + " entries)");
                }
                if (last) {
                    l.set(idx, value);
                } else {
                    node = l.get(idx);
                }
            } else {
                throw new ConfigException(where + ": cannot set a key inside " + ConfigNode.describe(node));
            }
        }
    }
}
