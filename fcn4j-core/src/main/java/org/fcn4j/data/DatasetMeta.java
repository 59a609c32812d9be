package org.fcn4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Class names and palette of a dataset: MMSegmentation's for Cityscapes, ADE20K and Pascal VOC
 * (resource datasets.json), or generated names and colours for a dataset with {@code n} classes.
 */
public record DatasetMeta(List<String> classes, int[][] palette) {
    private static final JsonNode KNOWN = load();

    private static JsonNode load() {
        try (InputStream in = DatasetMeta.class.getResourceAsStream("/org/fcn4j/data/datasets.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("datasets.json is missing from the jar", e);
        }
    }

    /** The metadata of dataset {@code type} (e.g. CityscapesDataset) if fcn4j knows it and it has {@code n} classes. */
    public static DatasetMeta forDataset(String type, int n) {
        JsonNode d = type == null ? null : KNOWN.get(type);
        if (d == null || d.get("classes").size() != n) {
            return generated(n);
        }
        List<String> classes = new ArrayList<>();
        d.get("classes").forEach(c -> classes.add(c.asText()));
        int[][] palette = new int[n][3];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                palette[i][c] = d.get("palette").get(i).get(c).asInt();
            }
        }
        return new DatasetMeta(classes, palette);
    }

    /** Names class0..class{n-1} and well-separated colours (golden-ratio hues). */
    public static DatasetMeta generated(int n) {
        List<String> classes = new ArrayList<>();
        int[][] palette = new int[n][];
        for (int i = 0; i < n; i++) {
            classes.add("class" + i);
            int rgb =
                    java.awt.Color.HSBtoRGB((float) ((i * 0.618033988749895) % 1.0), 0.65f, i % 2 == 0 ? 0.95f : 0.7f);
            palette[i] = new int[] {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
        }
        return new DatasetMeta(classes, palette);
    }
}
