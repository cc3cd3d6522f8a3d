package org.sparkdnn.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's chromium, headless, with no network activity of its own (DESIGN.md "Browser tests"). Installed by
 * scripts/install-test-tools.sh (which .ci/run calls); where it is missing a test is skipped, except under CI, where
 * it fails.
 */
public final class HeadlessChromium {
    private final Path binary;
    private final Path profile;

    private HeadlessChromium(Path binary, Path profile) {
        this.binary = binary;
        this.profile = profile;
    }

    public static HeadlessChromium require(Path profile) {
        Optional<Path> found = find();
        if (found.isEmpty()) {
            String why = "chromium is not installed: run scripts/install-test-tools.sh";
            if (System.getenv("CI") != null) {
                throw new AssertionError(why + " (CI must install it)");
            }
            Assumptions.abort(why);
        }
        return new HeadlessChromium(found.get(), profile);
    }

    private static Optional<Path> find() {
        String override = System.getenv("SPARKDNN_CHROMIUM");
        if (override != null) {
            return Optional.of(Path.of(override));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "chromium");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** What a page load printed: the DOM after its scripts ran, and the browser's log (console messages included). */
    public record Load(String dom, String log) {
        /** The page's console messages and uncaught errors (chromium logs them as "CONSOLE"). */
        public List<String> consoleMessages() {
            return log.lines().filter(l -> l.contains(":CONSOLE")).toList();
        }
    }

    public Load dumpDom(Path page) throws IOException, InterruptedException {
        Path dom = Files.createTempFile(profile.getParent(), "dom", ".html");
        Path log = Files.createTempFile(profile.getParent(), "chromium", ".log");
        run(List.of("--enable-logging=stderr", "--v=0", "--dump-dom", page.toUri().toString()), dom, log);
        return new Load(Files.readString(dom), Files.readString(log));
    }

    public void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        Path log = Files.createTempFile(profile.getParent(), "chromium", ".log");
        run(List.of("--hide-scrollbars", "--window-size=" + width + "," + height, "--screenshot=" + png,
                page.toUri().toString()), Path.of("/dev/null"), log);
    }

    private void run(List<String> args, Path stdout, Path stderr) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + cmd);
        }
    }
}
