package org.sparkdnn.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sparkdnn.config.ConfigException;

/** Experiment specs: the project's own parse; a bad one is refused naming the file, the key and the value. */
class ExperimentSpecTest {
    private static final String GOOD = String.join("\n",
            "title: t",
            "lecture: {file: f, section: s, quote: q}",
            "base: conf/digits.yaml",
            "runs: {a: [], b: [model.activation=relu]}",
            "checks:",
            "  - {claim: c, left: {run: a, metric: lastLoss}, op: '<', right: {run: b, metric: lastLoss}}");

    @Test
    void theProjectsExperimentsParse() throws Exception {
        try (Stream<Path> specs = Files.list(Path.of("..", "conf", "experiments"))) {
            for (Path p : specs.toList()) {
                ExperimentSpec spec = ExperimentSpec.parse(p.toString(), Files.readString(p));
                assertTrue(Files.exists(Path.of("..").resolve(spec.base())), p + ": base " + spec.base());
            }
        }
        ExperimentSpec spec = ExperimentSpec.parse("x.yaml", GOOD);
        assertEquals(1.0, spec.checks().get(0).factorOrOne());
        assertTrue(spec.checks().get(0).holdsAtSmallScale());
    }

    @Test
    void aBadSpecNamesTheFileTheKeyAndTheValue() {
        ConfigException op = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD.replace("op: '<'", "op: '<='")));
        assertTrue(op.getMessage().contains("x.yaml: checks[0].op") && op.getMessage().contains("<="), op.getMessage());
        ConfigException run = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD.replace("{run: b,", "{run: c,")));
        assertTrue(run.getMessage().contains("names no run") && run.getMessage().contains("c"), run.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD + "\nclaims: []"));
        assertTrue(unknown.getMessage().contains("x.yaml") && unknown.getMessage().contains("claims"),
                unknown.getMessage());
        ConfigException both = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD.replace("right: {run: b, metric: lastLoss}",
                        "right: {run: b, metric: lastLoss, value: 1.0}")));
        assertTrue(both.getMessage().contains("checks[0]") && both.getMessage().contains("not both"), both.getMessage());
        ConfigException reference = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD.replace("left: {run: a, metric: lastLoss}",
                        "left: {run: a, metric: gradientDeviation.chain}")));
        assertTrue(reference.getMessage().contains("names no reference") && reference.getMessage().contains("chain"),
                reference.getMessage());
        ConfigException number = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD.replace("left: {run: a, metric: lastLoss}",
                        "left: {run: a, metric: epochsToLoss.low}")));
        assertTrue(number.getMessage().contains("must end with a number"), number.getMessage());
        ConfigException seeds = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD + "\nscales: {small: []}\nseeds: {small: 0}"));
        assertTrue(seeds.getMessage().contains("seeds.small") && seeds.getMessage().contains("0"), seeds.getMessage());
        ConfigException factor = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD.replace("op: '<',", "op: '<', factor: -1.0,")));
        assertTrue(factor.getMessage().contains("checks[0].factor") && factor.getMessage().contains("-1.0"),
                factor.getMessage());
        ConfigException runName = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD.replace("runs: {a: [],", "runs: {'../a': [],")));
        assertTrue(runName.getMessage().contains("directory name") && runName.getMessage().contains("../a"),
                runName.getMessage());
        ConfigException seedScale = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD + "\nseeds: {ful: 3}"));
        assertTrue(seedScale.getMessage().contains("seeds.ful") && seedScale.getMessage().contains("names no scale"),
                seedScale.getMessage());
        ConfigException stat = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD.replace("left: {run: a, metric: lastLoss}",
                        "left: {run: a, metric: activation.layer0.median}")));
        assertTrue(stat.getMessage().contains("STAT") && stat.getMessage().contains("median"), stat.getMessage());
        ConfigException scale = assertThrows(ConfigException.class,
                () -> ExperimentSpec.parse("x.yaml", GOOD).scale("medium"));
        assertTrue(scale.getMessage().contains("--scale") && scale.getMessage().contains("medium"),
                scale.getMessage());
    }
}
