package org.sparkdnn.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The README and the pages under {@code docs/} link to each other: every relative link must reach a file or folder of
 * the repository, every {@code #anchor} a heading of the file it points into (GitHub's slugs), and the README stays a
 * page a newcomer reads to the end (at most {@value #README_MAX_LINES} lines). Links inside fenced code blocks and
 * inline code are not links and are skipped; {@code http(s)://} and {@code mailto:} links are not checked.
 */
class DocLinksTest {
    static final int README_MAX_LINES = 250;

    /** {@code [text](target)} or {@code [text](target "title")}; images ({@code ![alt](src)}) match too. */
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)(?:\\s+#+)?\\s*$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");
    private static final Pattern INLINE_CODE = Pattern.compile("`+[^`]*`+");

    private final Path root = repositoryRoot();
    private final Map<Path, Set<String>> anchorsByFile = new HashMap<>();

    /** One link as written: the file and line it is on, and its target. */
    record Link(Path file, int line, String target) {
        String describe(Path root) {
            return root.relativize(file) + ":" + line + ": " + target;
        }
    }

    @Test
    void everyRelativeLinkInTheDocsResolves() {
        List<String> broken = new ArrayList<>();
        for (Link link : links()) {
            String path = pathPart(link.target());
            if (!path.isEmpty() && !Files.exists(resolve(link, path))) {
                broken.add(link.describe(root));
            }
        }
        assertTrue(broken.isEmpty(), () -> broken.size() + " relative link(s) point at nothing:\n"
                + String.join("\n", broken));
    }

    @Test
    void everyAnchorMatchesAHeadingOfTheFileItPointsInto() {
        List<String> broken = new ArrayList<>();
        for (Link link : links()) {
            int hash = link.target().indexOf('#');
            if (hash < 0) {
                continue;
            }
            String path = pathPart(link.target());
            Path file = path.isEmpty() ? link.file() : resolve(link, path);
            if (!file.getFileName().toString().endsWith(".md") || !Files.isRegularFile(file)) {
                continue; // a missing file is the other test's finding; anchors into non-Markdown files are not checked
            }
            String anchor = link.target().substring(hash + 1);
            if (!anchorsOf(file).contains(anchor)) {
                broken.add(link.describe(root) + " (headings of " + root.relativize(file) + ": "
                        + String.join(", ", anchorsOf(file)) + ")");
            }
        }
        assertTrue(broken.isEmpty(), () -> broken.size() + " anchor(s) match no heading:\n"
                + String.join("\n", broken));
    }

    @Test
    void theReadmeHasAtMost250Lines() throws IOException {
        int lines = Files.readAllLines(root.resolve("README.md")).size();
        assertTrue(lines <= README_MAX_LINES, () -> "README.md has " + lines + " lines, at most " + README_MAX_LINES
                + " wanted: move a section to a page under docs/ and link it from the README's table of contents");
    }

    @ParameterizedTest(name = "\"{0}\" → #{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "Quick start | quick-start",
        "`checkpoint` and `output` | checkpoint-and-output",
        "DL4J's own trainers: `shared` and `averaging` | dl4js-own-trainers-shared-and-averaging",
        "Trial parallelism × data parallelism | trial-parallelism--data-parallelism",
        "Does the winner hold up? | does-the-winner-hold-up",
        "With a Spark installation (plain `spark-submit`) | with-a-spark-installation-plain-spark-submit",
        "`trainer evaluate --data` | trainer-evaluate---data",
        "The [cost model](scaling.md) | the-cost-model",
        "snake_case_key | snake_case_key",
    })
    void headingsBecomeAnchorsByGitHubsSlugRule(String heading, String slug) {
        assertEquals(slug, slug(heading));
    }

    @Test
    void aLinkInsideAFencedCodeBlockOrInlineCodeIsNotALink() {
        List<String> lines = List.of("[a](a.md)", "```", "[b](b.md)", "```", "`[c](c.md)` and [d](d.md#x)");
        List<String> targets = linksIn(Path.of("x.md"), lines).stream().map(Link::target).collect(Collectors.toList());
        assertEquals(List.of("a.md", "d.md#x"), targets);
    }

    /** Every link of README.md and docs/**&#47;*.md, in file and line order. */
    private List<Link> links() {
        List<Link> links = new ArrayList<>();
        for (Path file : markdownFiles()) {
            links.addAll(linksIn(file, readLines(file)));
        }
        return links;
    }

    private List<Path> markdownFiles() {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> walk = Files.walk(docs)) {
                walk.filter(f -> f.getFileName().toString().endsWith(".md")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    static List<Link> linksIn(Path file, List<String> lines) {
        List<Link> links = new ArrayList<>();
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(r -> codeText(r.group())));
            while (m.find()) {
                String target = m.group(1);
                String lower = target.toLowerCase(Locale.ROOT);
                if (!lower.startsWith("http://") && !lower.startsWith("https://") && !lower.startsWith("mailto:")) {
                    links.add(new Link(file, i + 1, target));
                }
            }
        }
        return links;
    }

    /**
     * Inline code inside a link's text ({@code [`x`](y)}) keeps the link; inline code holding a whole link
     * ({@code `[x](y)`}) is not one: the brackets and parentheses of a code span are blanked.
     */
    private static String codeText(String span) {
        return Matcher.quoteReplacement(span.replaceAll("[\\[\\]()]", " "));
    }

    private Set<String> anchorsOf(Path file) {
        return anchorsByFile.computeIfAbsent(file.toAbsolutePath().normalize(), f -> anchors(readLines(f)));
    }

    /** The anchors GitHub gives a file's headings: each heading's slug, a repeated slug suffixed -1, -2, … */
    static Set<String> anchors(List<String> lines) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : lines) {
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (fenced || !m.matches()) {
                continue;
            }
            String slug = slug(m.group(2));
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }

    /**
     * GitHub's rule: the heading's text (a link reduced to its text), lower case, every character that is not a
     * letter, digit, mark, underscore, hyphen or space dropped, each space turned into a hyphen.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\p{M}_\\- ]", "").replace(' ', '-');
    }

    private String pathPart(String target) {
        int hash = target.indexOf('#');
        return hash < 0 ? target : target.substring(0, hash);
    }

    private Path resolve(Link link, String path) {
        return path.startsWith("/") ? root.resolve(path.substring(1)) : link.file().getParent().resolve(path);
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository root: the nearest folder at or above the working directory with README.md and a parent POM. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(pom)
                    && readLines(pom).stream().anyMatch(l -> l.contains("<modules>"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no folder with README.md and a pom.xml with <modules> at or above "
                + Path.of("").toAbsolutePath());
    }
}
