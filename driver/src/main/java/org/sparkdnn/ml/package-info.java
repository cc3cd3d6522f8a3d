/**
 * The Spark ML API: {@link org.sparkdnn.ml.DnnClassifier} and {@link org.sparkdnn.ml.DnnRegressor} (Estimators whose
 * params are the run config) and {@link org.sparkdnn.ml.DnnModel} (a Model that predicts on the executors), all
 * MLWritable/MLReadable so that Pipelines with them save and load.
 */
package org.sparkdnn.ml;
