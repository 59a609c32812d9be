/**
 * PNG outputs: label maps (8-bit class indices), palette colourings and overlays ({@link org.fcn4j.viz.Pngs}).
 *
 * <p>May use: image, util. Counterpart: MMSegmentation's {@code SegLocalVisualizer}
 * ({@code mmseg/visualization/local_visualizer.py}).
 */
package org.fcn4j.viz;
