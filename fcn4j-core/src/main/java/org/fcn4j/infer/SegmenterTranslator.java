package org.fcn4j.infer;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.LambdaBlock;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import org.fcn4j.image.RgbImage;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.Torch;

/**
 * The DJL face of a {@link Segmenter}: {@code Translator<Image, CategoryMask>} whose input is the test
 * pipeline's resized, normalised image and whose output is the class mask at the original size.
 * {@link #model} wraps the segmenter's network (whole or slide inference) in a DJL {@link Model}:
 *
 * <pre>{@code
 * try (Model model = SegmenterTranslator.model(segmenter);
 *      Predictor<Image, CategoryMask> p = model.newPredictor(new SegmenterTranslator(segmenter))) {
 *     CategoryMask mask = p.predict(ImageFactory.getInstance().fromFile(path));
 * }
 * }</pre>
 */
public final class SegmenterTranslator implements NoBatchifyTranslator<Image, CategoryMask> {
    private static final String SIZE = "originalSize";
    private final Segmenter segmenter;

    public SegmenterTranslator(Segmenter segmenter) {
        this.segmenter = segmenter;
    }

    /** A DJL model whose block runs the segmenter's inference on a preprocessed input. */
    public static Model model(Segmenter segmenter) {
        Model model = Model.newInstance("fcn4j", Torch.engine().getEngineName());
        model.setBlock(new LambdaBlock(in -> new NDList(segmenter.inference(in.singletonOrThrow())), "fcn"));
        return model;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        NDArray hwc = input.toNDArray(ctx.getNDManager(), Image.Flag.COLOR);
        int h = input.getHeight();
        int w = input.getWidth();
        ctx.setAttachment(SIZE, new int[] {h, w});
        return new NDList(segmenter.preprocess(ctx.getNDManager(), new RgbImage(h, w, hwc.toByteArray())));
    }

    @Override
    public CategoryMask processOutput(TranslatorContext ctx, NDList list) {
        int[] size = (int[]) ctx.getAttachment(SIZE);
        NDArray logits = segmenter.toOriginalSize(list.singletonOrThrow(), size[0], size[1]);
        int[] flat = Functional.argmaxChannels(logits).toIntArray();
        int[][] mask = new int[size[0]][size[1]];
        for (int y = 0; y < size[0]; y++) {
            System.arraycopy(flat, y * size[1], mask[y], 0, size[1]);
        }
        return new CategoryMask(segmenter.meta().classes(), mask);
    }
}
