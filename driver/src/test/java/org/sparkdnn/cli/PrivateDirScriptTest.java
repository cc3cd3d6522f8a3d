package org.sparkdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/private-dir.sh, which the scripts that keep a work directory at a fixed path (bench/scale and bench/big-data
 * as root, docker-smoke's engine data root) use: a directory another user could have created first is refused.
 */
class PrivateDirScriptTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "private-dir.sh").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private record Result(int status, String stderr) {
    }

    private static Result privateDir(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "source \"$0\" && private_dir \"$1\"", SCRIPT.toString(),
                dir.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), err);
    }

    @Test
    void anAbsentDirectoryIsCreatedForThisUserAlone() throws Exception {
        Path dir = tmp.resolve("a/work");
        assertEquals(0, privateDir(dir).status());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals(0, privateDir(dir).status(), "its own directory is accepted the next time");
    }

    @Test
    void aDirectoryOthersCanWriteOrALinkIsRefusedWithTheReason() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Result r = privateDir(open);
        assertEquals(1, r.status());
        assertTrue(r.stderr().contains("with mode 777") && r.stderr().contains("writable by nobody else"), r.stderr());

        Path link = Files.createSymbolicLink(tmp.resolve("link"), Files.createDirectory(tmp.resolve("target")));
        r = privateDir(link);
        assertEquals(1, r.status());
        assertTrue(r.stderr().contains("is not a plain directory"), r.stderr());
    }
}
