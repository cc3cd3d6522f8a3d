package org.sparkdnn.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.package$;

/**
 * What a run records of the software that made it (checkpoint manifests, {@code summary.json}): Java and Spark as
 * running, this project and DL4J as built — read from {@code sparkdnn-versions.properties}, which Maven filters in
 * from the POM.
 */
final class Versions {
    private static final String RESOURCE = "/sparkdnn-versions.properties";
    private static final Properties BUILT = load();

    private Versions() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath: build with Maven");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return p;
    }

    /** This project's version, as built. */
    static String project() {
        return BUILT.getProperty("project");
    }

    /** DL4J's version, as built. */
    static String dl4j() {
        return BUILT.getProperty("dl4j");
    }

    /** java, spark, dl4j, project. */
    static Map<String, String> all() {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("java", System.getProperty("java.version"));
        versions.put("spark", package$.MODULE$.SPARK_VERSION());
        versions.put("dl4j", dl4j());
        versions.put("project", project());
        return versions;
    }
}
