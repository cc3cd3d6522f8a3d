package org.sparkdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdnn.data.DataFixtures.idxImages;
import static org.sparkdnn.data.DataFixtures.idxLabels;
import static org.sparkdnn.data.DataFixtures.pixel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.model.IoShape;

/** Held-out splits, scaling fitted on the training split only, class counts and the embedded digits set. */
class DataLoaderTest {
    private static final int ROWS = 50;

    @TempDir
    Path dir;

    /** ROWS rows "i, (i·i) mod 7, i mod 3": feature 0 identifies the row (line i + 1). */
    private String numberedCsv() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ROWS; i++) {
            sb.append(i).append(',').append(i * i % 7).append(',').append(i % 3).append('\n');
        }
        return DataFixtures.write(dir, "rows.csv", sb.toString());
    }

    private static float raw(int row, int feature) {
        return feature == 0 ? row : row * row % 7;
    }

    /** The file row of each example, from its origin "line N". */
    private static List<Integer> rows(Examples e) {
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < e.count(); i++) {
            rows.add(Integer.parseInt(e.origin(i).substring("line ".length())) - 1);
        }
        return rows;
    }

    private Splits loadNumbered(String dataKeys) {
        return DataFixtures.load("data: {train: '" + numberedCsv() + "'" + dataKeys + "}\n");
    }

    @Test
    void embeddedDigitsLoad1797RowsOf64FeaturesWithLabelsZeroToNine() {
        Splits splits = DataFixtures.load("data: {train: 'embedded:digits'}\n");
        Examples train = splits.train();
        assertEquals(1797, train.count());
        assertEquals(64, train.features());
        assertEquals(10, splits.classes());
        assertEquals(new IoShape(64, 10), splits.shape());
        Set<Float> labels = new TreeSet<>();
        for (float y : train.y()) {
            labels.add(y);
        }
        assertEquals(Set.of(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f), labels);
        assertFalse(splits.validation().isPresent());
        assertFalse(splits.test().isPresent());
    }

    @Test
    void heldOutSplitsAreDisjointAndCoverEveryRow() {
        Splits splits = loadNumbered(", validationFraction: 0.1, testFraction: 0.2");
        List<Integer> train = rows(splits.train());
        List<Integer> validation = rows(splits.validation().orElseThrow());
        List<Integer> test = rows(splits.test().orElseThrow());

        assertEquals(35, train.size());
        assertEquals(5, validation.size());
        assertEquals(10, test.size());
        Set<Integer> all = new HashSet<>();
        all.addAll(train);
        all.addAll(validation);
        all.addAll(test);
        assertEquals(ROWS, all.size(), "disjoint and covering: 35 + 5 + 10 distinct rows");
        for (int r = 0; r < ROWS; r++) {
            assertTrue(all.contains(r), "row " + r);
        }
    }

    @Test
    void aTrainingSubsetIsDrawnFromTheTrainingSplitAloneAndKeepsFileOrder() {
        Splits whole = loadNumbered(", testFraction: 0.2");
        Splits subset = loadNumbered(", testFraction: 0.2, trainSubset: 12");
        List<Integer> rows = rows(subset.train());
        assertEquals(12, rows.size());
        assertTrue(rows(whole.train()).containsAll(rows), "drawn from the training split");
        assertEquals(rows.stream().sorted().toList(), rows, "file order");
        assertEquals(rows(whole.test().orElseThrow()), rows(subset.test().orElseThrow()), "the held-out rows stay");
        assertEquals(rows, rows(loadNumbered(", testFraction: 0.2, trainSubset: 12").train()), "seeded");
        assertEquals(40, loadNumbered(", testFraction: 0.2, trainSubset: 400").train().count(), "more than there is: all");
    }

    @Test
    void heldOutRowsKeepTheirFeaturesAndLabels() {
        Splits splits = loadNumbered(", testFraction: 0.2");
        Examples test = splits.test().orElseThrow();
        List<Integer> rows = rows(test);
        for (int i = 0; i < test.count(); i++) {
            int r = rows.get(i);
            assertEquals(raw(r, 0), test.x()[2 * i]);
            assertEquals(raw(r, 1), test.x()[2 * i + 1]);
            assertEquals(r % 3, test.y()[i]);
        }
    }

    @Test
    void trainingSplitKeepsFileOrder() {
        List<Integer> train = rows(loadNumbered(", testFraction: 0.3").train());
        List<Integer> sorted = new ArrayList<>(train);
        sorted.sort(null);
        assertEquals(sorted, train);
    }

    @Test
    void sameSplitSeedGivesTheSameSplitAndAnotherSeedADifferentOne() {
        Splits a = loadNumbered(", validationFraction: 0.2, testFraction: 0.2, splitSeed: 5");
        Splits b = loadNumbered(", validationFraction: 0.2, testFraction: 0.2, splitSeed: 5");
        Splits c = loadNumbered(", validationFraction: 0.2, testFraction: 0.2, splitSeed: 6");
        assertEquals(rows(a.train()), rows(b.train()));
        assertEquals(rows(a.validation().orElseThrow()), rows(b.validation().orElseThrow()));
        assertEquals(rows(a.test().orElseThrow()), rows(b.test().orElseThrow()));
        assertNotEquals(new TreeSet<>(rows(a.test().orElseThrow())), new TreeSet<>(rows(c.test().orElseThrow())));
    }

    @Test
    void withoutScalingFeaturesAreUntouched() {
        Examples train = loadNumbered("").train();
        for (int r = 0; r < ROWS; r++) {
            assertEquals(raw(r, 0), train.x()[2 * r]);
            assertEquals(raw(r, 1), train.x()[2 * r + 1]);
        }
    }

    @Test
    void standardizeGivesTheTrainingSplitMeanZeroAndDeviationOne() {
        Examples train = loadNumbered(", scaling: standardize, validationFraction: 0.1, testFraction: 0.2").train();
        for (int j = 0; j < 2; j++) {
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < train.count(); i++) {
                double v = train.x()[i * 2 + j];
                sum += v;
                sumSq += v * v;
            }
            double mean = sum / train.count();
            double std = Math.sqrt(sumSq / train.count() - mean * mean);
            assertEquals(0, mean, 1e-5, "feature " + j + " mean");
            assertEquals(1, std, 1e-4, "feature " + j + " deviation");
        }
    }

    @Test
    void standardizeScalesHeldOutRowsWithTrainingStatisticsOnly() {
        Splits splits = loadNumbered(", scaling: standardize, testFraction: 0.3");
        List<Integer> trainRows = rows(splits.train());
        for (int j = 0; j < 2; j++) {
            double sum = 0;
            double sumSq = 0;
            for (int r : trainRows) {
                sum += raw(r, j);
                sumSq += raw(r, j) * raw(r, j);
            }
            double mean = sum / trainRows.size();
            double std = Math.sqrt(sumSq / trainRows.size() - mean * mean);
            Examples test = splits.test().orElseThrow();
            List<Integer> testRows = rows(test);
            for (int i = 0; i < test.count(); i++) {
                double expected = (raw(testRows.get(i), j) - mean) / std;
                assertEquals(expected, test.x()[i * 2 + j], 1e-4, "test row " + testRows.get(i) + " feature " + j);
            }
        }
    }

    @Test
    void standardizeUsesTrainingStatisticsForAValidationFile() {
        String train = DataFixtures.write(dir, "train.csv", "0,0\n2,1\n4,0\n6,1\n");
        String validation = DataFixtures.write(dir, "validation.csv", "103,0\n3,1\n");
        Splits splits = DataFixtures.load("data: {train: '" + train + "', validation: '" + validation
                + "', scaling: standardize}\n");
        double mean = 3;
        double std = Math.sqrt(5); // population deviation of 0, 2, 4, 6
        assertArrayEquals(new float[] {(float) (100 / std), 0f}, splits.validation().orElseThrow().x(), 1e-5f);
        assertArrayEquals(new float[] {(float) (-mean / std), (float) (-1 / std), (float) (1 / std),
            (float) (mean / std)}, splits.train().x(), 1e-5f);
    }

    @Test
    void standardizeOnlyCentresAConstantFeature() {
        String train = DataFixtures.write(dir, "train.csv", "5,1,0\n5,3,1\n");
        Examples e = DataFixtures.load("data: {train: '" + train + "', scaling: standardize}\n").train();
        assertArrayEquals(new float[] {0, -1, 0, 1}, e.x(), 1e-6f);
    }

    @Test
    void divide255MapsIdxPixelsIntoTheUnitInterval() {
        String images = DataFixtures.write(dir, "images.idx", idxImages(4, 2, 2));
        String labels = DataFixtures.write(dir, "labels.idx", idxLabels(0, 1, 2, 1));
        Splits splits = DataFixtures.load("data: {format: idx, train: '" + images + "', trainLabels: '" + labels
                + "', scaling: divide255}\n");
        Examples train = splits.train();
        assertEquals(4, train.features());
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(pixel(i, j) / 255f, train.x()[i * 4 + j], 1e-7f);
            }
        }
        assertEquals(3, splits.classes());
        assertEquals("record 3", train.origin(3));
    }

    @Test
    void numClassesFromTheConfigWinsOverTheLargestLabel() {
        Splits splits = loadNumbered(", numClasses: 7");
        assertEquals(7, splits.classes());
        assertEquals(new IoShape(2, 7), splits.shape());
        assertEquals(3, loadNumbered("").classes(), "1 + the largest label");
    }

    @Test
    void regressionLossAcceptsAnyTargetAndHasOneOutput() {
        String train = DataFixtures.write(dir, "train.csv", "1,2.5\n2,-7.25\n");
        Splits splits = DataFixtures.load("model: {loss: mse}\ndata: {train: '" + train + "'}\n");
        assertEquals(0, splits.classes());
        assertEquals(new IoShape(1, 1), splits.shape());
        assertArrayEquals(new float[] {2.5f, -7.25f}, splits.train().y());
    }

    @Test
    void binaryLossHasTwoClassesAndOneOutput() {
        String train = DataFixtures.write(dir, "train.csv", "1,0\n2,1\n");
        Splits splits = DataFixtures.load("model: {loss: bceWithLogits}\ndata: {train: '" + train + "'}\n");
        assertEquals(2, splits.classes());
        assertEquals(new IoShape(1, 1), splits.shape());
    }

    @Test
    void libsvmDataLoadsThroughTheConfig() {
        String train = DataFixtures.write(dir, "a.svm", "1 2:1\n0 1:3\n");
        Splits splits = DataFixtures.load("data: {format: libsvm, train: '" + train + "', numFeatures: 3}\n");
        assertArrayEquals(new float[] {0, 1, 0, 3, 0, 0}, splits.train().x());
        assertEquals(new IoShape(3, 2), splits.shape());
    }
}
