package org.sparkdnn.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdnn.data.DataFixtures.gzip;
import static org.sparkdnn.data.DataFixtures.idx;
import static org.sparkdnn.data.DataFixtures.idxImages;
import static org.sparkdnn.data.DataFixtures.idxLabels;
import static org.sparkdnn.data.DataFixtures.prefix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed input fails with a {@link DataException} whose message names the file, the place in it ({@code line
 * N}, {@code line N, column M}, {@code record N} or {@code header}) and what was wrong. Files are written to a
 * temporary folder and loaded through {@link DataLoader} with a config parsed from YAML, as a run does.
 */
class InvalidDataTest {
    @TempDir
    Path dir;

    /**
     * One malformed input.
     *
     * @param what    the case, as a sentence
     * @param files   file name → content, written into the temporary folder
     * @param yaml    the run config; {@code {dir}} stands for the temporary folder
     * @param file    the file the message must start with
     * @param where   the place in the file the message must name next ("" when the whole file is at fault)
     * @param problem text the message must contain after the place
     */
    record Row(String what, Map<String, byte[]> files, String yaml, String file, String where, String problem) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static Row csv(String what, String content, String dataKeys, String where, String problem) {
        return new Row(what, Map.of("a.csv", bytes(content)), "data: {train: '{dir}/a.csv'" + dataKeys + "}\n",
                "a.csv", where, problem);
    }

    private static Row libsvm(String what, String content, String dataKeys, String where, String problem) {
        return new Row(what, Map.of("a.svm", bytes(content)),
                "data: {format: libsvm, train: '{dir}/a.svm'" + dataKeys + "}\n", "a.svm", where, problem);
    }

    private static Row idxPair(String what, byte[] images, byte[] labels, String file, String where, String problem) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("images.idx", images);
        files.put("labels.idx", labels);
        return new Row(what, files, "data: {format: idx, train: '{dir}/images.idx', trainLabels: '{dir}/labels.idx'}\n",
                file, where, problem);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Row> invalidData() {
        List<Row> rows = new ArrayList<>();
        // CSV
        rows.add(csv("CSV row with fewer columns", "1,2,0\n3,4,1\n5,6\n", "", "line 3", "expected 3 columns (as on the first row), found 2"));
        rows.add(csv("CSV row with more columns", "1,2,0\n3,4,1,9\n", "", "line 2", "expected 3 columns (as on the first row), found 4"));
        rows.add(csv("CSV line numbers count the header and blank lines", "x,y,label\n1,2,0\n\n3,4\n", ", header: true", "line 4", "expected 3 columns"));
        rows.add(csv("CSV feature that is not a number", "1,2,0\n3,x,1\n", "", "line 2, column 2", "not a finite number: 'x'"));
        rows.add(csv("CSV feature that is NaN", "NaN,2,0\n", "", "line 1, column 1", "not a finite number: 'NaN'"));
        rows.add(csv("CSV label that is not a number", "1,2,0\n3,4,cat\n", "", "line 2, column 3", "not a finite number: 'cat'"));
        rows.add(csv("CSV header without header: true", "x,y,label\n1,2,0\n", "", "line 1, column 1", "not a finite number: 'x'"));
        rows.add(csv("CSV label at or above numClasses", "1,2,0\n3,4,1\n5,6,3\n", ", numClasses: 3", "line 3", "label out of range: 3; must be in [0, 3) (data.numClasses)"));
        rows.add(csv("CSV negative class label", "1,2,0\n3,4,-1\n", "", "line 2", "label out of range: -1"));
        rows.add(csv("CSV class label that is not an integer", "1,2,0\n3,4,1.5\n", "", "line 2", "class label must be an integer, found 1.5"));
        rows.add(csv("CSV labelColumn past the last column", "1,2,0\n", ", labelColumn: 3", "line 1", "data.labelColumn 3 is outside the 3 columns"));
        rows.add(csv("CSV negative labelColumn before the first column", "1,2,0\n", ", labelColumn: -4", "line 1", "data.labelColumn -4 is outside the 3 columns"));
        rows.add(csv("CSV with a single column", "1\n2\n", "", "line 1", "expected at least 2 columns (features and a label), found 1"));
        rows.add(csv("CSV with the wrong delimiter", "1;2;0\n", "", "line 1", "expected at least 2 columns"));
        rows.add(csv("empty CSV file", "", "", "", "no examples found"));
        rows.add(csv("CSV with only a header", "x,y,label\n", ", header: true", "", "no examples found"));
        rows.add(new Row("bceWithLogits label other than 0 or 1", Map.of("a.csv", bytes("1,0\n2,1\n3,2\n")),
                "model: {loss: bceWithLogits}\ndata: {train: '{dir}/a.csv'}\n", "a.csv", "line 3", "label out of range: 2; bceWithLogits needs labels 0 or 1"));
        rows.add(new Row("validation CSV narrower than train", Map.of("a.csv", bytes("1,2,0\n3,4,1\n"), "v.csv", bytes("1,0\n")),
                "data: {train: '{dir}/a.csv', validation: '{dir}/v.csv'}\n", "v.csv", "", "has 1 features but the training data has 2"));
        rows.add(new Row("validation CSV label outside the training classes", Map.of("a.csv", bytes("1,2,0\n3,4,1\n"), "v.csv", bytes("1,2,1\n1,2,2\n")),
                "data: {train: '{dir}/a.csv', validation: '{dir}/v.csv'}\n", "v.csv", "line 2", "label out of range: 2; must be in [0, 2)"));
        rows.add(new Row("missing CSV file", Map.of(), "data: {train: '{dir}/nothing.csv'}\n", "nothing.csv", "", "cannot read ("));
        // LibSVM
        rows.add(libsvm("LibSVM feature without a colon", "1 1:0.5 3\n", "", "line 1", "expected index:value, found '3'"));
        rows.add(libsvm("LibSVM feature without an index", "0 1:1\n1 :0.5\n", "", "line 2", "expected index:value, found ':0.5'"));
        rows.add(libsvm("LibSVM index 0", "0 1:1\n1 0:0.5\n", "", "line 2", "feature indices start at 1, found 0"));
        rows.add(libsvm("LibSVM decreasing indices", "1 3:1 2:1\n", "", "line 1", "feature indices must increase, found 2 after 3"));
        rows.add(libsvm("LibSVM repeated index", "# comment\n1 2:1 2:1\n", "", "line 2", "feature indices must increase, found 2 after 2"));
        rows.add(libsvm("LibSVM value that is not a number", "1 1:abc\n", "", "line 1", "feature 1 is not a finite number: 'abc'"));
        rows.add(libsvm("LibSVM label that is not a number", "0 1:1\nyes 1:1\n", "", "line 2", "label is not a finite number: 'yes'"));
        rows.add(libsvm("LibSVM index that is not an integer", "1 1.5:1\n", "", "line 1", "feature index is not an integer: '1.5'"));
        rows.add(libsvm("LibSVM index above numFeatures", "1 1:1 5:2\n", ", numFeatures: 3", "line 1", "feature index 5 exceeds data.numFeatures 3"));
        rows.add(libsvm("LibSVM file with only comments", "# nothing\n\n", "", "", "no examples found"));
        rows.add(libsvm("LibSVM rows without features", "0\n1\n", "", "", "no features found; set data.numFeatures"));
        // IDX
        byte[] images = idxImages(4, 2, 3);
        byte[] labels = idxLabels(0, 1, 2, 1);
        rows.add(idxPair("IDX images with a wrong magic number", new byte[] {0, 0, 9, 3, 0, 0, 0, 0}, labels, "images.idx", "header",
                "wrong magic number 0x00000903: expected 0x000008NN"));
        rows.add(idxPair("IDX labels with a little-endian magic number", images, new byte[] {1, 8, 0, 0}, "labels.idx", "header",
                "wrong magic number 0x01080000"));
        rows.add(idxPair("IDX file shorter than its magic number", images, new byte[] {0, 0}, "labels.idx", "header",
                "truncated: shorter than the 4-byte magic number"));
        rows.add(idxPair("IDX header cut inside the dimensions", prefix(images, 10), labels, "images.idx", "header",
                "truncated: dimension 1 missing"));
        rows.add(idxPair("IDX images truncated in the third record", prefix(images, images.length - 10), labels, "images.idx", "record 2",
                "truncated: expected 24 data bytes for dimensions [4, 2, 3], found 14"));
        rows.add(idxPair("IDX labels truncated", images, prefix(labels, labels.length - 1), "labels.idx", "record 3",
                "truncated: expected 4 data bytes for dimensions [4], found 3"));
        rows.add(idxPair("IDX fewer labels than images", images, idxLabels(0, 1, 2), "labels.idx", "header",
                "holds 3 labels but"));
        rows.add(idxPair("IDX labels file with two dimensions", images, idx(new int[] {4, 1}, new byte[4]), "labels.idx", "header",
                "a labels file has 1 dimension, found 2"));
        rows.add(idxPair("IDX images file with one dimension", idx(new int[] {4}, new byte[4]), labels, "images.idx", "header",
                "an images file needs at least 2 dimensions, found 1"));
        rows.add(idxPair("IDX negative dimension", idx(new int[] {-1, 2}, new byte[0]), labels, "images.idx", "header",
                "dimension 0 is negative: -1"));
        rows.add(new Row("gzipped IDX images truncated in the second record",
                Map.of("images.idx.gz", gzip(prefix(images, images.length - 15)), "labels.idx", labels),
                "data: {format: idx, train: '{dir}/images.idx.gz', trainLabels: '{dir}/labels.idx'}\n", "images.idx.gz", "record 1",
                "truncated: expected 24 data bytes"));
        rows.add(new Row("IDX label at or above numClasses", Map.of("images.idx", images, "labels.idx", idxLabels(0, 1, 5, 1)),
                "data: {format: idx, train: '{dir}/images.idx', trainLabels: '{dir}/labels.idx', numClasses: 3}\n",
                "labels.idx", "record 2", "label out of range: 5; must be in [0, 3)"));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidData")
    void rejectsInvalidDataAndNamesFileAndPlace(Row row) {
        row.files().forEach((name, content) -> DataFixtures.write(dir, name, content));
        String yaml = row.yaml().replace("{dir}", dir.toString());

        DataException e = assertThrows(DataException.class, () -> DataFixtures.load(yaml));

        String message = e.getMessage();
        String file = dir.resolve(row.file()).toString();
        String expected = row.where().isEmpty() ? file + ": " + row.problem() : file + ": " + row.where() + ": " + row.problem();
        assertTrue(message.startsWith(expected), () -> "expected '" + expected + "…', was: " + message);
    }

    @Test
    void tableCoversAtLeastThirtyInvalidInputs() {
        assertTrue(invalidData().count() >= 30);
    }
}
