package org.fcn4j.experiment;

import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.data.DatasetSpec;
import org.fcn4j.data.TestPipeline;
import org.fcn4j.data.transform.TrainPipeline;
import org.fcn4j.model.Backbone;
import org.fcn4j.model.BackboneSpec;
import org.fcn4j.optim.LrSchedule;
import org.fcn4j.optim.ParamwiseConfig;

/**
 * The training sections of a config, read and checked before any work: loop length and intervals
 * ({@code train_cfg}, {@code default_hooks}), the optimizer ({@code optim_wrapper}), the learning-rate
 * schedule, the train and validation data, the seed and where to start from.
 *
 * @param valInterval iterations between validations (0: no validation data, never)
 * @param maxNorm {@code clip_grad.max_norm}, or 0 without clipping
 * @param paramwise {@code optim_wrapper.paramwise_cfg}, or null (one param group)
 * @param bf16 mixed-precision training: {@code optim_wrapper} is {@code AmpOptimWrapper} with
 *     {@code dtype='bfloat16'}
 * @param channelsLast fcn4j's {@code channels_last}: the training step's activations stored NHWC (TrainStep);
 *     by default as {@link #channelsLastByDefault} says
 * @param trainData the training set, listed when training starts
 * @param valData the validation set with its test pipeline, or null
 * @param loadFromPartial fcn4j's {@code load_from_partial}: accept a {@code load_from} checkpoint that leaves
 *     most of the backbone at its random initialisation
 */
public record TrainSettings(
        long maxIters,
        long valInterval,
        long logInterval,
        long checkpointInterval,
        double lr,
        double momentum,
        double weightDecay,
        double maxNorm,
        ParamwiseConfig paramwise,
        boolean bf16,
        boolean channelsLast,
        LrSchedule schedule,
        long seed,
        String loadFrom,
        boolean loadFromPartial,
        boolean resume,
        int batchSize,
        int numWorkers,
        boolean shuffle,
        DatasetSpec trainData,
        TrainPipeline pipeline,
        DatasetSpec valData,
        TestPipeline valPipeline) {

    /**
     * AmpOptimWrapper's {@code dtype}: bfloat16 only. Its default, float16, needs a loss scale and has no fast
     * kernels on CPUs. A {@code loss_scale} is accepted and has nothing to do: bfloat16 has float32's exponent
     * range, so gradients neither underflow nor overflow where float32 ones would not.
     */
    private static void requireBfloat16(ConfigNode wrapper) {
        String dtype = wrapper.string("dtype", null);
        if (!"bfloat16".equals(dtype)) {
            throw wrapper.error(
                    "dtype",
                    (dtype == null ? "missing: AmpOptimWrapper's default is float16" : "'" + dtype + "'")
                            + ", but fcn4j's mixed precision is bfloat16 on the CPU (float16 needs a loss scale "
                            + "and has no fast CPU kernels): set dtype='bfloat16'");
        }
        wrapper.accept("loss_scale");
    }

    /**
     * {@code channels_last} when the config does not set it: on where oneDNN's kernels were measured faster with
     * it (docs/performance.md), which is bfloat16 in every model and float32 ResNets (the R-50-D8 step 0.87-0.93x
     * the NCHW one, the demo's R-18 0.83-0.85x); off for float32 VGG16, whose FCN-8s step it slowed 1.07-1.11x.
     */
    public static boolean channelsLastByDefault(boolean bf16, Backbone.Spec backbone) {
        return bf16 || backbone instanceof BackboneSpec;
    }

    static TrainSettings parse(ConfigNode root, Backbone.Spec backbone) {
        ConfigNode loop = root.requireDict("train_cfg");
        loop.oneOf("type", "IterBasedTrainLoop", "IterBasedTrainLoop");
        long maxIters = loop.requireInt("max_iters", 1);
        long valInterval = loop.integer("val_interval", 1000, 1);
        loop.finish();

        ConfigNode hooks = root.dict("default_hooks");
        ConfigNode logger = hooks == null ? null : hooks.dict("logger");
        ConfigNode ckpt = hooks == null ? null : hooks.dict("checkpoint");
        long logInterval = logger == null ? 50 : logger.integer("interval", 50, 1);
        long ckptInterval = ckpt == null ? maxIters : ckpt.integer("interval", (int) maxIters, 1);
        if (logger != null) {
            logger.accept("type", "log_metric_by_epoch");
            logger.finish();
        }
        if (ckpt != null) {
            if (ckpt.bool("by_epoch", false)) {
                throw ckpt.error("by_epoch", "only iteration-based checkpoints (by_epoch: false) are supported");
            }
            ckpt.accept("type", "max_keep_ckpts", "save_best", "save_last", "rule");
            ckpt.finish();
        }

        ConfigNode wrapper = root.requireDict("optim_wrapper");
        boolean bf16 =
                "AmpOptimWrapper".equals(wrapper.oneOf("type", "OptimWrapper", "OptimWrapper", "AmpOptimWrapper"));
        if (bf16) {
            requireBfloat16(wrapper);
        }
        ConfigNode opt = wrapper.requireDict("optimizer");
        opt.oneOf("type", "SGD", "SGD");
        double lr = opt.number("lr", 0.01);
        double momentum = opt.number("momentum", 0);
        double wd = opt.number("weight_decay", 0);
        if (lr <= 0 || momentum < 0 || momentum >= 1 || wd < 0) {
            throw opt.error("lr", "needs lr > 0, 0 <= momentum < 1 and weight_decay >= 0");
        }
        if (opt.number("dampening", 0) != 0 || opt.bool("nesterov", false)) {
            throw opt.error("nesterov", "dampening and nesterov are not supported");
        }
        opt.finish();
        double maxNorm = 0;
        ConfigNode clip = wrapper.dict("clip_grad");
        if (clip != null) {
            maxNorm = clip.number("max_norm", 0);
            if (maxNorm <= 0 || clip.number("norm_type", 2) != 2) {
                throw clip.error("max_norm", "clip_grad needs max_norm > 0 and norm_type 2");
            }
            clip.finish();
        }
        ParamwiseConfig paramwise = ParamwiseConfig.parse(wrapper.dict("paramwise_cfg"));
        wrapper.finish();

        ConfigNode train = root.requireDict("train_dataloader");
        int batch = train.requireInt("batch_size", 1);
        int workers = train.integer("num_workers", 2, 0);
        ConfigNode sampler = train.dict("sampler");
        boolean shuffle = true;
        if (sampler != null) {
            sampler.oneOf("type", "InfiniteSampler", "InfiniteSampler", "DefaultSampler");
            shuffle = sampler.bool("shuffle", true);
            sampler.accept("seed");
            sampler.finish();
        }
        train.accept("persistent_workers", "pin_memory", "collate_fn", "drop_last");
        ConfigNode trainSet = train.requireDict("dataset");
        TrainPipeline pipeline = TrainPipeline.parse(trainSet, "pipeline");
        DatasetSpec trainData = DatasetSpec.parse(trainSet);
        train.finish();

        DatasetSpec valData = null;
        TestPipeline valPipeline = null;
        ConfigNode val = root.dict("val_dataloader");
        if (val != null) {
            ConfigNode valSet = val.requireDict("dataset");
            valPipeline = valSet.has("pipeline") ? TestPipeline.parse(valSet, "pipeline") : TestPipeline.IDENTITY;
            valData = DatasetSpec.parse(valSet);
            val.accept("batch_size", "num_workers", "persistent_workers", "sampler", "pin_memory", "collate_fn");
            val.finish();
        }

        ConfigNode randomness = root.dict("randomness");
        long seed = randomness == null ? 0 : randomness.integer("seed", 0);
        if (randomness != null) {
            randomness.accept("deterministic", "diff_rank_seed");
            randomness.finish();
        }
        Object loadFrom = root.value("load_from");
        if (loadFrom != null && !(loadFrom instanceof String)) {
            throw new ConfigException("load_from: expected a path but got " + ConfigNode.describe(loadFrom));
        }
        return new TrainSettings(
                maxIters,
                val == null ? 0 : valInterval,
                logInterval,
                ckptInterval,
                lr,
                momentum,
                wd,
                maxNorm,
                paramwise,
                bf16,
                root.bool("channels_last", channelsLastByDefault(bf16, backbone)),
                LrSchedule.parse(root, lr),
                seed,
                (String) loadFrom,
                root.bool("load_from_partial", false),
                root.bool("resume", false),
                batch,
                workers,
                shuffle,
                trainData,
                pipeline,
                valData,
                valPipeline);
    }
}
