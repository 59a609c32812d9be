/**
 * fcn4j behind DJL's front door: {@code Criteria.builder().setTypes(Image.class, CategoryMask.class)
 * .optModelPath(dir).optEngine("fcn4j").optTranslatorFactory(new Fcn4jTranslatorFactory())} loads an fcn4j
 * {@link org.fcn4j.infer.djl.ModelDirectory} as a DJL model ({@link org.fcn4j.infer.djl.Fcn4jEngine},
 * {@link org.fcn4j.infer.djl.Fcn4jModel}).
 */
package org.fcn4j.infer.djl;
