package org.fcn4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.RgbImage;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Against cv2.resize (OpenCV 4.6, tools/fixtures/gen_resize.py). */
class CvResizeTest {
    @ParameterizedTest
    @CsvSource({"80,55", "26,18", "53,37", "100,30", "17,60", "211,148", "29,19"})
    void bilinearEqualsOpenCvInterLinearAndNearestEqualsInterNearest(int w, int h) {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> fx = Fixtures.tensors("resize.safetensors", m);
            RgbImage src = new RgbImage(37, 53, fx.get("src").toByteArray());
            byte[] expected = fx.get("linear." + w + "x" + h).toByteArray();
            byte[] actual = CvResize.bilinear(src, w, h).pixels();
            int differ = 0;
            for (int i = 0; i < expected.length; i++) {
                differ += expected[i] != actual[i] ? 1 : 0;
            }
            assertThat(differ).as("pixels differing from OpenCV at %dx%d", w, h).isZero();

            byte[] lab = fx.get("label").toByteArray();
            int[] labels = new int[lab.length];
            for (int i = 0; i < lab.length; i++) {
                labels[i] = lab[i] & 0xff;
            }
            int[] near = CvResize.nearest(new LabelMap(37, 53, labels), w, h).labels();
            byte[] nearExpected = fx.get("nearest." + w + "x" + h).toByteArray();
            for (int i = 0; i < near.length; i++) {
                assertThat(near[i]).as("nearest pixel %d", i).isEqualTo(nearExpected[i] & 0xff);
            }
        }
    }
}
