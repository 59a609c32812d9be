package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.ConvTranspose2d;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.OnnxTrace;
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
public final class FCNSkipHead extends DecodeHead {
    private final FCNSkipHeadSpec spec;
    private final Conv2d scoreFr;
    /** upscore2 and pool4: null for FCN-32s. */
    private final ConvTranspose2d upscore2;

    private final Skip pool4;
    /** upscore_pool4 and pool3: null but for FCN-8s. */
    private final ConvTranspose2d upscorePool4;

    private final Skip pool3;
    /** upscore, upscore16 or upscore8. */
    private final String lastName;

    private final ConvTranspose2d upscoreLast;

    /** A skip branch: a pool's 1x1 scores, cropped at a fixed offset to the upsampled coarse scores. */
    private record Skip(String name, Conv2d score, double atOnceScale, int offset) {}

    public FCNSkipHead(NDManager m, FCNSkipHeadSpec spec) {
        this.spec = spec;
        int[] in = spec.inChannels();
        scoreFr = child("score_fr", score(m, in[2]));
        boolean fusePool4 = spec.stride() <= 16;
        boolean fusePool3 = spec.stride() == 8;
        upscore2 = fusePool4 ? child("upscore2", upsampler(m, "upscore2", 2)) : null;
        pool4 = fusePool4 ? skip(m, "score_pool4", in[1], 0.01, 5) : null;
        upscorePool4 = fusePool3 ? child("upscore_pool4", upsampler(m, "upscore_pool4", 2)) : null;
        pool3 = fusePool3 ? skip(m, "score_pool3", in[0], 0.0001, 9) : null;
        lastName = spec.upsamplers().get(spec.upsamplers().size() - 1);
        upscoreLast = child(lastName, upsampler(m, lastName, spec.stride()));
    }

    private Skip skip(NDManager m, String name, int in, double atOnceScale, int offset) {
        return new Skip(name, child(name, score(m, in)), atOnceScale, offset);
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

    @Override
    public FCNSkipHeadSpec spec() {
        return spec;
    }

    /**
     * Logits (N, num_classes, height, width) for an input of that size.
     *
     * @param features the backbone's [pool3, pool4, fc7]
     */
    @Override
    public NDArray forward(List<NDArray> features, int height, int width) {
        if (features.size() != 3) {
            throw new IllegalArgumentException(
                    "expected [pool3, pool4, fc7] but got " + features.size() + " feature maps");
        }
        NDArray score = scoreFr.forward(features.get(2));
        if (pool4 != null) {
            score = fuse(upscore2, score, pool4, features.get(1));
        }
        if (pool3 != null) {
            score = fuse(upscorePool4, score, pool3, features.get(0));
        }
        NDArray up = upscoreLast.forward(score);
        Scope.discard(score);
        NDArray logits = crop(up, lastOffset(), height, width, lastName);
        OnnxTrace.crop(up, lastOffset(), null, logits); // to the input's size
        Scope.discard(up); // the crop, a view, keeps what it needs
        return logits;
    }

    /** The logits as they are: the last upsampler and crop already made them the input's size. */
    @Override
    public NDArray predictByFeat(NDArray logits, int height, int width) {
        return logits;
    }

    /** upsample(coarse) + crop(skip's scores of pool), freeing the coarse scores. */
    private NDArray fuse(ConvTranspose2d upsample, NDArray coarse, Skip skip, NDArray pool) {
        NDArray up = upsample.forward(coarse);
        Scope.discard(coarse);
        // numbers as libtorch tensors: autograd keeps them for backward (Functional.scalar)
        NDArray in = pool;
        if (spec.atOnce()) {
            in = pool.mul(Functional.scalar(pool, skip.atOnceScale));
            OnnxTrace.mulScalar(pool, skip.atOnceScale, in);
        }
        NDArray scored = skip.score.forward(in);
        if (in != pool) {
            Scope.discard(in);
        }
        Shape s = up.getShape();
        NDArray cropped = crop(scored, skip.offset, (int) s.get(2), (int) s.get(3), skip.name);
        OnnxTrace.crop(scored, skip.offset, up, cropped);
        NDArray fused = up.add(cropped);
        OnnxTrace.add(up, cropped, fused);
        Scope.discard(up, cropped, scored);
        return fused;
    }

    /** The final crop of the paper's reference models: where the input's pixel (0, 0) lands. */
    private int lastOffset() {
        switch (spec.stride()) {
            case 32:
                return 19;
            case 16:
                return 27;
            default:
                return 31;
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
