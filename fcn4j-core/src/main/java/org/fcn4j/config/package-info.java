/**
 * Config files, independent of FCN: {@link org.fcn4j.config.ConfigLoader} reads YAML with {@code _base_}
 * inheritance, {@code _delete_} and {@code --cfg-options} overrides (presets under
 * {@code resources/org/fcn4j/presets}); {@link org.fcn4j.config.ConfigNode} is a strict view whose errors name
 * the key path and which rejects keys nobody read; {@code InvalidParameter} carries a
 * component's rejected argument to its parser.
 *
 * <p>A foundation layer: it uses no other fcn4j package. Counterpart: mmengine's {@code Config}
 * ({@code mmengine/config/config.py}).
 */
package org.fcn4j.config;
