package org.sparkdnn;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The structure the code keeps, checked on every build: the modules depend one way ({@code driver → worker →
 * common}), the top-level packages have no cycles, the {@code sync} engine knows its exchanges only through their
 * interface and factory, engines are made in one place, and every package says what it is for. A rule that fails
 * prints every class and dependency that broke it.
 */
class ArchitectureTest {
    private static final Pattern MODULE = Pattern.compile("(?:/|sparkdnn-)(common|worker|driver)(?:/target/|-[0-9])");
    private static JavaClasses product;

    @BeforeAll
    static void importProductClasses() {
        product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.sparkdnn");
    }

    /** The module a class was compiled in, from where its class file lies (a module's classes or its jar). */
    static String module(JavaClass c) {
        String uri = c.getSource().map(s -> s.getUri().toString()).orElse("");
        Matcher m = MODULE.matcher(uri);
        return m.find() ? m.group(1) : "unknown";
    }

    private static DescribedPredicate<JavaClass> inModule(String... modules) {
        List<String> names = List.of(modules);
        return DescribedPredicate.describe("in module " + String.join(" or ", names),
                c -> names.contains(module(c)));
    }

    @Test
    void everyProductClassIsFoundInItsModule() {
        List<String> unknown = product.stream().filter(c -> module(c).equals("unknown"))
                .map(c -> c.getName() + " from " + c.getSource().map(s -> s.getUri().toString()).orElse("?"))
                .toList();
        assertEquals(List.of(), unknown, "classes whose module the rules cannot tell");
        for (String m : List.of("common", "worker", "driver")) {
            if (product.stream().noneMatch(c -> module(c).equals(m))) {
                throw new AssertionError("no class of module " + m + " imported: the rules would check nothing");
            }
        }
    }

    @Test
    void modulesDependOneWayDriverOnWorkerOnCommon() {
        noClasses().that(inModule("common")).should().dependOnClassesThat(inModule("worker", "driver"))
                .check(product);
        noClasses().that(inModule("worker")).should().dependOnClassesThat(inModule("driver")).check(product);
    }

    @Test
    void topLevelPackagesHaveNoCycles() {
        slices().matching("org.sparkdnn.(*)..").should().beFreeOfCycles().check(product);
    }

    @Test
    void theSyncEngineKnowsItsExchangesOnlyThroughTheirInterfaceAndFactory() {
        ArchRule rule = noClasses().that().resideInAPackage("org.sparkdnn.engine")
                .should().dependOnClassesThat(DescribedPredicate.describe("exchange-specific", c ->
                        c.getPackageName().equals("org.sparkdnn.ps.peer")
                                || c.getName().equals("org.sparkdnn.task.EpochTask")
                                || c.getName().equals("org.sparkdnn.task.PeerEpochTask")
                                || c.getName().equals("org.sparkdnn.config.Exchange")
                                || c.getName().equals("org.sparkdnn.config.PeerUpdate")
                                || c.getName().equals("org.sparkdnn.config.PeerConfig")
                                || (c.getPackageName().equals("org.sparkdnn.engine.exchange")
                                        && !c.getSimpleName().equals("GradientExchange")
                                        && !c.getSimpleName().equals("Exchanges"))
                                || (c.getPackageName().equals("org.sparkdnn.ps")
                                        && c.getName().startsWith("org.sparkdnn.ps.PsMessage$")
                                        && !c.getSimpleName().equals("PsMessage"))));
        rule.check(product);
    }

    @Test
    void enginesAreMadeOnlyByTheFactory() {
        noClasses().that().doNotHaveFullyQualifiedName("org.sparkdnn.engine.Engines")
                .should().callConstructorWhere(DescribedPredicate.describe("of a StepEngine", call ->
                        call.getTargetOwner().isAssignableTo("org.sparkdnn.engine.StepEngine")
                                && !call.getOriginOwner().equals(call.getTargetOwner()))) // its own this(…)
                .check(product);
    }

    @Test
    void onlyModelZipRestoresModelFilesSoNoPathJavaDeserializesOne() {
        // DL4J's restore methods Java-deserialize a zip's preprocessor.bin; ModelZip refuses it before DL4J reads it
        noClasses().that().doNotHaveFullyQualifiedName("org.sparkdnn.model.ModelZip")
                .should().callMethodWhere(DescribedPredicate.describe("ModelSerializer.restore*", call ->
                        call.getTargetOwner().getName().equals("org.deeplearning4j.util.ModelSerializer")
                                && call.getName().startsWith("restore")))
                .check(product);
    }

    @Test
    void theDriversPartsAreDrivenFromTheCommandLineDown() {
        // the run and the engines never reach up into the command line, sweeps or reports
        noClasses().that().resideInAnyPackage("org.sparkdnn.engine..", "org.sparkdnn.run..", "org.sparkdnn.ml..")
                .should().dependOnClassesThat().resideInAnyPackage("org.sparkdnn.cli..", "org.sparkdnn.sweep..")
                .check(product);
    }

    @Test
    void everyMainPackageHasAPackageInfo() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path sources : mainSourceRoots()) {
            try (Stream<Path> dirs = Files.walk(sources)) {
                dirs.filter(Files::isDirectory).filter(ArchitectureTest::holdsJava)
                        .filter(d -> !Files.exists(d.resolve("package-info.java")))
                        .forEach(d -> missing.add(sources.relativize(d).toString()));
            }
        }
        assertEquals(List.of(), missing, "packages without a package-info.java");
    }

    @Test
    void noMainClassIsOver400Lines() throws IOException {
        List<String> long400 = new ArrayList<>();
        for (Path sources : mainSourceRoots()) {
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    long lines = Files.readAllLines(f).size();
                    if (lines > 400) {
                        long400.add(sources.relativize(f) + " (" + lines + " lines)");
                    }
                }
            }
        }
        assertEquals(List.of(), long400, "main classes over 400 lines: split them by responsibility");
    }

    private static boolean holdsJava(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** src/main/java of every module, from the driver module's directory (Maven runs tests there). */
    private static List<Path> mainSourceRoots() {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> roots = new ArrayList<>();
        for (String m : List.of("common", "worker", "driver", "bench")) {
            Path p = root.resolve(m).resolve("src/main/java");
            if (!Files.isDirectory(p)) {
                throw new AssertionError("no sources at " + p + ": run the test from the driver module");
            }
            roots.add(p);
        }
        return roots;
    }

    @Test
    void classesNamedAfterEnginesAreEngines() {
        classes().that().resideInAPackage("org.sparkdnn.engine").and().haveSimpleNameEndingWith("Engine")
                .and().areNotInterfaces().should().implement("org.sparkdnn.engine.StepEngine").check(product);
    }
}
