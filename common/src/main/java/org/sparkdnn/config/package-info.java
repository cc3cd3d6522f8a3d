/**
 * The run configuration: a tree of immutable records loaded from YAML ({@link org.sparkdnn.config.ConfigLoader}).
 * Every record validates itself in its canonical constructor and fills in defaults for absent keys; an invalid value
 * fails with {@code <file>: <yaml.path>: <rule>, was <value>} before any SparkSession exists.
 */
package org.sparkdnn.config;
