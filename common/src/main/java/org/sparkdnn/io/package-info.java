/**
 * Storage access through the Hadoop {@code FileSystem} API, so that every path the user gives may be a local path,
 * {@code file://} or {@code hdfs://} URI; plus the {@code embedded:} scheme for data sets shipped in the jar.
 */
package org.sparkdnn.io;
