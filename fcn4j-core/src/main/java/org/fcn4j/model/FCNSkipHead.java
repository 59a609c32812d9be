package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.ConvTranspose2d;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Scope;

/**
 * The FCN paper's decode head, FCN-32s, FCN-16s or FCN-8s: {@code score_fr} scores fc7; for 16s and 8s,
 * {@code upscore2} doubles the scores and adds {@code score_pool4} (pool4 scored, cropped at offset 5);
 * for 8s, {@code upscore_pool4} doubles that sum and adds {@code score_pool3} (pool3 scored, cropped at 9);
 * the last upsampler ({@code upscore} x32, {@code upscore16} or {@code upscore8}) brings the scores to the
 * padded input's scale, and a crop at 19, 27 or 31 cuts out the input's own pixels.
 *
 * <p>Score layers are 1x1 convolutions with bias, initialised to zero; upsamplers are transposed
 * convolutions without bias, initialised bilinear and fixed unless the spec learns them. The at-once
 * FCN-8s scales pool4 by 0.01 and pool3 by 0.0001 before scoring them, so that the finer scores start
 * small against the coarse ones.
 */
public final class FCNSkipHead extends Module {
    private static final int POOL4_OFFSET = 5;
    private static final int POOL3_OFFSET = 9;
    private static final double POOL4_SCALE = 0.01;
    private static final double POOL3_SCALE = 0.0001;

    private final FCNSkipHeadSpec spec;
    private final Conv2d scoreFr;
    /** null for FCN-32s. */
    private final Conv2d scorePool4;
    private final ConvTranspose2d upscore2;
    /** null but for FCN-8s. */
    private final Conv2d scorePool3;
    private final ConvTranspose2d upscorePool4;
    /** upscore, upscore16 or upscore8. */
    private final ConvTranspose2d upscoreLast;

    public FCNSkipHead(NDManager m, FCNSkipHeadSpec spec) {
        this.spec = spec;
        int[] in = spec.inChannels();
        List<String> ups = spec.upsamplers();
        scoreFr = child("score_fr", score(m, in[2]));
        boolean pool4 = spec.stride() <= 16;
        boolean pool3 = spec.stride() == 8;
        upscore2 = pool4 ? child("upscore2", upsampler(m, "upscore2", 2)) : null;
        scorePool4 = pool4 ? child("score_pool4", score(m, in[1])) : null;
        upscorePool4 = pool3 ? child("upscore_pool4", upsampler(m, "upscore_pool4", 2)) : null;
        scorePool3 = pool3 ? child("score_pool3", score(m, in[0])) : null;
        String last = ups.get(ups.size() - 1);
        upscoreLast = child(last, upsampler(m, last, spec.stride()));
    }

    private Conv2d score(NDManager m, int in) {
        Conv2d conv = new Conv2d(m, in, spec.numClasses(), 1, 1, 0, 1, true);
        conv.weight().set(m.zeros(conv.weight().get().getShape()));
        return conv;
    }

    /** Kernel twice the stride, as every upsampler of the paper. */
    private ConvTranspose2d upsampler(NDManager m, String name, int stride) {
        return ConvTranspose2d.bilinearUpsampler(m, spec.numClasses(), 2 * stride, stride, spec.learned(name));
    }

    public FCNSkipHeadSpec spec() {
        return spec;
    }

    /**
     * Logits (N, num_classes, height, width) for an input of that size.
     *
     * @param features the backbone's [pool3, pool4, fc7]
     */
    public NDArray forward(List<NDArray> features, int height, int width) {
        if (features.size() != 3) {
            throw new IllegalArgumentException("expected [pool3, pool4, fc7] but got " + features.size() + " feature maps");
        }
        NDArray score = scoreFr.forward(features.get(2));
        if (upscore2 != null) {
            score = fuse(upscore2, score, scorePool4, "score_pool4", features.get(1), POOL4_SCALE, POOL4_OFFSET);
        }
        if (upscorePool4 != null) {
            score = fuse(upscorePool4, score, scorePool3, "score_pool3", features.get(0), POOL3_SCALE, POOL3_OFFSET);
        }
        NDArray up = upscoreLast.forward(score);
        Scope.discard(score);
        NDArray logits = crop(up, lastOffset(), height, width, spec.upsamplers().get(spec.upsamplers().size() - 1));
        Scope.discard(up); // the crop, a view, keeps what it needs
        return logits;
    }

    /** upsample(coarse) + crop(skip(pool)), freeing the coarse scores. */
    private NDArray fuse(ConvTranspose2d upsample, NDArray coarse, Conv2d skip, String skipName, NDArray pool,
            double atOnceScale, int offset) {
        NDArray up = upsample.forward(coarse);
        Scope.discard(coarse);
        // numbers as libtorch tensors: autograd keeps them for backward (Functional.scalar)
        NDArray in = spec.atOnce() ? pool.mul(Functional.scalar(pool, atOnceScale)) : pool;
        NDArray scored = skip.forward(in);
        if (in != pool) {
            Scope.discard(in);
        }
        Shape s = up.getShape();
        NDArray skipScores = crop(scored, offset, (int) s.get(2), (int) s.get(3), skipName);
        NDArray fused = up.add(skipScores);
        Scope.discard(up, skipScores, scored);
        return fused;
    }

    /** The final crop of the paper's reference models: where the input's pixel (0, 0) lands. */
    private int lastOffset() {
        switch (spec.stride()) {
            case 32: return 19;
            case 16: return 27;
            default: return 31;
        }
    }

    /** x[:, :, offset:offset + height, offset:offset + width], a view. */
    private static NDArray crop(NDArray x, int offset, int height, int width, String name) {
        Shape s = x.getShape();
        if (offset + height > s.get(2) || offset + width > s.get(3)) {
            throw new IllegalArgumentException(name + " is " + s.get(2) + "x" + s.get(3) + ", too small for a "
                    + height + "x" + width + " crop at offset " + offset + ": the features must come from the "
                    + "paper's VGG trunk (conv1_1 padded by 100, ceil-mode pools) for this input size");
        }
        return x.get(new NDIndex(":, :, {}:{}, {}:{}", offset, offset + height, offset, offset + width));
    }
}
