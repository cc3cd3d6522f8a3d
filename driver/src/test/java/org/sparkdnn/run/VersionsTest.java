package org.sparkdnn.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The versions a run records are the POM's, filtered in at build time, not literals that drift. */
class VersionsTest {
    @Test
    void projectAndDl4jVersionsAreThePomsAsBuilt() throws Exception {
        String pom = Files.readString(Path.of("..", "pom.xml"));
        assertEquals(first(pom, "<artifactId>sparkdnn-parent</artifactId>\\s*<version>([^<]+)</version>"),
                Versions.project());
        assertEquals(first(pom, "<dl4j.version>([^<]+)</dl4j.version>"), Versions.dl4j());
        assertEquals(Versions.project(), Versions.all().get("project"));
        assertEquals(System.getProperty("java.version"), Versions.all().get("java"));
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new AssertionError("the POM has no match for " + regex);
        }
        return m.group(1);
    }
}
