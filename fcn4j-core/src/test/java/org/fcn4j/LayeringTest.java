package org.fcn4j;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package layers of fcn4j-core point only down (docs/architecture.md draws them). A new import that
 * points up, or a cycle between packages, fails here with the offending classes named.
 */
class LayeringTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.fcn4j");

    @Test
    void packagesFormNoCycle() {
        slices().matching("org.fcn4j.(*)..").should().beFreeOfCycles().check(CORE);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                // the foundations know nothing of each other
                .layer("nn")
                .definedBy("org.fcn4j.nn..")
                .layer("config")
                .definedBy("org.fcn4j.config..")
                .layer("util")
                .definedBy("org.fcn4j.util..")
                .layer("image")
                .definedBy("org.fcn4j.image..")
                // file formats, datasets and transforms, optimisers, metrics
                .layer("io")
                .definedBy("org.fcn4j.io..")
                .layer("viz")
                .definedBy("org.fcn4j.viz..")
                .layer("data")
                .definedBy("org.fcn4j.data..")
                .layer("optim")
                .definedBy("org.fcn4j.optim..")
                .layer("eval")
                .definedBy("org.fcn4j.eval..")
                .layer("model")
                .definedBy("org.fcn4j.model..")
                .layer("experiment")
                .definedBy("org.fcn4j.experiment..")
                .layer("infer")
                .definedBy("org.fcn4j.infer..")
                .layer("train")
                .definedBy("org.fcn4j.train..")
                .layer("onnx")
                .definedBy("org.fcn4j.onnx..")
                .layer("apps")
                .definedBy("org.fcn4j.bench..", "org.fcn4j.demo..")
                .whereLayer("nn")
                .mayNotAccessAnyLayer()
                .whereLayer("config")
                .mayNotAccessAnyLayer()
                .whereLayer("util")
                .mayNotAccessAnyLayer()
                .whereLayer("image")
                .mayNotAccessAnyLayer()
                .whereLayer("io")
                .mayOnlyAccessLayers("util")
                .whereLayer("viz")
                .mayOnlyAccessLayers("image", "util")
                .whereLayer("data")
                .mayOnlyAccessLayers("config", "image", "util")
                .whereLayer("optim")
                .mayOnlyAccessLayers("config", "nn")
                .whereLayer("model")
                .mayOnlyAccessLayers("nn", "config", "util", "image", "io")
                .whereLayer("eval")
                .mayOnlyAccessLayers("config", "util")
                .whereLayer("experiment")
                .mayOnlyAccessLayers("config", "data", "eval", "model", "optim")
                .whereLayer("infer")
                .mayOnlyAccessLayers("nn", "config", "util", "image", "io", "data", "eval", "model", "experiment")
                .whereLayer("train")
                .mayOnlyAccessLayers(
                        "nn", "config", "util", "image", "io", "data", "optim", "model", "experiment", "infer", "eval")
                .whereLayer("onnx")
                .mayOnlyAccessLayers("nn", "config", "util", "data", "model", "experiment", "infer")
                .whereLayer("apps")
                .mayOnlyAccessLayers(
                        "nn", "util", "image", "viz", "data", "optim", "model", "experiment", "infer", "train")
                .check(CORE);
    }
}
