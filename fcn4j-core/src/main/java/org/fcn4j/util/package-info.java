/**
 * Small process and file helpers with no model knowledge: atomic file writes ({@link
 * org.fcn4j.util.AtomicFiles}, failing with {@link org.fcn4j.util.FileWriteException}), resident memory from
 * /proc ({@link org.fcn4j.util.ProcessMemory}) and the like.
 *
 * <p>A foundation layer: it uses no other fcn4j package. No MMSegmentation counterpart.
 */
package org.fcn4j.util;
