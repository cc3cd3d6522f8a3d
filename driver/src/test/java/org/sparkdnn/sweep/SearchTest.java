package org.sparkdnn.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkdnn.config.Distribution;
import org.sparkdnn.config.SearchConfig;
import org.sparkdnn.config.SearchType;

/** Trial lists: the grid in order, seeded draws reproducible and within their bounds, Halton's radical inverse. */
class SearchTest {
    private static final JsonNodeFactory N = JsonNodeFactory.instance;

    private static Map<String, Distribution> space() {
        Map<String, Distribution> s = new LinkedHashMap<>();
        s.put("optimizer.learningRate", new Distribution(null, null, null, List.of(1e-4, 1e-1), null));
        s.put("training.batchSize", new Distribution(List.of(N.numberNode(16), N.numberNode(32)), null, null, null, null));
        s.put("model.layers.0.units", new Distribution(null, null, null, null, List.of(8L, 10L)));
        s.put("model.dropout", new Distribution(null, null, List.of(0.0, 0.5), null, null));
        return s;
    }

    @Test
    void gridSearchIsTheCartesianProductWithTheLastKeyFastest() {
        Map<String, Distribution> s = new LinkedHashMap<>();
        s.put("a", new Distribution(null, List.of(N.numberNode(1), N.numberNode(2)), null, null, null));
        s.put("b", new Distribution(List.of(N.textNode("x"), N.textNode("y"), N.textNode("z")), null, null, null, null));
        List<Trial> trials = Search.trials(s, new SearchConfig(SearchType.GRID, null, null, null));
        assertEquals(6, trials.size());
        assertEquals("t004", trials.get(4).id());
        assertEquals("{a=2, b=\"y\"}", trials.get(4).params().toString());
    }

    @Test
    void randomAndHaltonDrawsAreReproducibleWithinTheirBoundsAndDependOnTheSeed() {
        for (SearchType type : new SearchType[] {SearchType.RANDOM, SearchType.HALTON}) {
            List<Trial> a = Search.trials(space(), new SearchConfig(type, 50, 7L, null));
            assertEquals(a, Search.trials(space(), new SearchConfig(type, 50, 7L, null)), type + " reproducible");
            assertNotEquals(a, Search.trials(space(), new SearchConfig(type, 50, 8L, null)), type + " seed matters");
            boolean[] units = new boolean[11];
            for (Trial t : a) {
                double lr = t.params().get("optimizer.learningRate").asDouble();
                assertTrue(lr >= 1e-4 && lr <= 1e-1, "logUniform in bounds: " + lr);
                int batch = t.params().get("training.batchSize").asInt();
                assertTrue(batch == 16 || batch == 32);
                JsonNode u = t.params().get("model.layers.0.units");
                assertTrue(u.isIntegralNumber() && u.asInt() >= 8 && u.asInt() <= 10, "intUniform inclusive: " + u);
                units[u.asInt()] = true;
                double p = t.params().get("model.dropout").asDouble();
                assertTrue(p >= 0 && p < 0.5);
            }
            assertTrue(units[8] && units[9] && units[10], type + " reaches both ends of intUniform");
        }
    }

    @Test
    void haltonUsesTheRadicalInverseInPrimeBases() {
        assertEquals(0.5, Search.radicalInverse(1, 2));
        assertEquals(0.25, Search.radicalInverse(2, 2));
        assertEquals(0.75, Search.radicalInverse(3, 2));
        assertEquals(1.0 / 3 + 1.0 / 9, Search.radicalInverse(4, 3), 1e-15);
        double[] noShift = Search.halton(3, new double[] {0, 0});
        assertEquals(0.75, noShift[0]);
        assertEquals(1.0 / 9, noShift[1], 1e-15);
    }
}
