/**
 * Training rows read on the executors, never on the driver ({@code data.read: executors}, the Spark ML estimators):
 * one {@link org.sparkdnn.rows.RowsReader} per format (CSV, LibSVM, Parquet, a DataFrame), global row ids, statistics
 * aggregated where the rows are, and the errors that name the file and line of a bad row.
 */
package org.sparkdnn.rows;
