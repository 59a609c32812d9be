package org.fcn4j.infer.djl;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.Set;
import org.fcn4j.infer.SegmenterTranslator;

/** DJL's {@code Image -> CategoryMask} translator for an {@link Fcn4jModel}: fcn4j's test pipeline and argmax. */
public final class Fcn4jTranslatorFactory implements TranslatorFactory {
    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return Set.of(new Pair<>(Image.class, CategoryMask.class));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model, Map<String, ?> arguments) {
        if (!isSupported(input, output)) {
            throw new IllegalArgumentException("fcn4j translates Image to CategoryMask, not " + input.getSimpleName()
                    + " to " + output.getSimpleName());
        }
        if (!(model instanceof Fcn4jModel fcn)) {
            throw new IllegalArgumentException("not an fcn4j model (load it with optEngine(\"fcn4j\")): " + model);
        }
        return (Translator<I, O>) new SegmenterTranslator(fcn.segmenter());
    }
}
