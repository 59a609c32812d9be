/**
 * fcn4j on Apache Spark: batch prediction over image collections on any Hadoop file system and distributed
 * evaluation, each executor JVM loading the model once ({@link org.fcn4j.spark.FcnSpark} for a DataFrame,
 * {@link org.fcn4j.spark.SparkMain} for {@code fcn4j spark predict|test} and spark-submit).
 */
package org.fcn4j.spark;
