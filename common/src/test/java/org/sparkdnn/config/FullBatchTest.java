package org.sparkdnn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code training.batchSize: all}: parsed, written back as all until resolved, resolved and checked like a number. */
class FullBatchTest {
    private final ConfigLoader loader = new ConfigLoader();

    private RunConfig parse(String yaml) {
        return loader.parse("x.yaml", "data: {format: synthetic, train: points}\n" + yaml, List.of());
    }

    @Test
    void allIsResolvedToTheTrainingRowsAndCheckedAgainstTheCluster() {
        RunConfig config = parse("training: {batchSize: all}\ncluster: {engine: sync, workers: 4}\n");
        assertTrue(config.training().fullBatch());
        assertTrue(loader.toYaml(config).contains("batchSize: \"all\"") || loader.toYaml(config).contains("batchSize: all"),
                loader.toYaml(config));
        RunConfig resolved = config.withFullBatch(40);
        assertFalse(resolved.training().fullBatch());
        assertEquals(40, resolved.training().batchSize());
        assertTrue(loader.toYaml(resolved).contains("batchSize: 40"), loader.toYaml(resolved));
        assertSame(resolved, resolved.withFullBatch(7), "a number is not re-resolved");
        // fewer rows than workers: the rule of any batch size, said as all's
        ConfigException few = assertThrows(ConfigException.class, () -> config.withFullBatch(3));
        assertEquals("training.batchSize", few.path());
        assertTrue(few.getMessage().contains("all = 3 training rows") && few.getMessage().contains("must be <= "
                + "training.batchSize (3)"), few.getMessage());
        // partitioned shuffling: the workers must divide the batch, all's too
        RunConfig partitioned = loader.parse("x.yaml", "data: {format: synthetic, train: points, shuffle: "
                + "partitioned}\ntraining: {batchSize: all}\ncluster: {engine: sync, workers: 4}\n", List.of());
        assertEquals(52, partitioned.withFullBatch(52).training().batchSize());
        ConfigException odd = assertThrows(ConfigException.class, () -> partitioned.withFullBatch(50));
        assertTrue(odd.getMessage().contains("all = 50 training rows") && odd.getMessage().contains("must divide"),
                odd.getMessage());
    }

    @Test
    void allIsTheOnlyWord() {
        ConfigException word = assertThrows(ConfigException.class, () -> parse("training: {batchSize: most}\n"));
        assertTrue(word.getMessage().contains("training.batchSize") && word.getMessage().contains("most"),
                word.getMessage());
        assertEquals(64, parse("training: {batchSize: 64}\n").training().batchSize());
    }
}
