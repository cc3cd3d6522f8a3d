/**
 * Training engines: how one optimizer step on a global batch is carried out. {@code local} is plain DL4J
 * {@code fit} in this JVM; the distributed engines ({@code sync}, {@code reference}) come with the parameter server.
 */
package org.sparkdnn.engine;
