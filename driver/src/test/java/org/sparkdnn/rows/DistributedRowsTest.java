package org.sparkdnn.rows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.data.CsvReader;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.io.Storage;

/**
 * Training rows read by the executors: the same rows in the same order (stable ids) as the driver's reader, across
 * partitions and files; errors name file and line exactly as the driver's reader does; statistics aggregated there.
 */
class DistributedRowsTest {
    private static JavaSparkContext sc;
    private static List<String> lines;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("DistributedRowsTest")
                .set("spark.ui.enabled", "false"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                DistributedRowsTest.class.getResourceAsStream("/datasets/digits.csv.gz")), StandardCharsets.UTF_8))) {
            lines = in.lines().toList();
        }
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    /** All rows of {@code rows}, ordered by key, as one block; the keys must be exactly 0..n-1. */
    private static RowBlock gathered(DistributedRows rows) {
        List<RowBlock> blocks = new ArrayList<>(rows.blocks().collect());
        int n = blocks.stream().mapToInt(RowBlock::rows).sum();
        int d = rows.features();
        float[] x = new float[n * d];
        float[] y = new float[n];
        int[] keys = new int[n];
        blocks.sort(Comparator.comparingInt(b -> b.rows() == 0 ? Integer.MAX_VALUE : b.keys()[0]));
        int at = 0;
        for (RowBlock b : blocks) {
            for (int i = 0; i < b.rows(); i++, at++) {
                keys[at] = b.keys()[i];
                y[at] = b.y()[i];
                System.arraycopy(b.x(), i * d, x, at * d, d);
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(i, keys[i], "row ids are 0..n-1 in file order");
        }
        return new RowBlock(keys, x, y, d);
    }

    private static void assertSameRows(Examples expected, RowBlock actual) {
        assertEquals(expected.count(), actual.rows());
        assertArrayEquals(expected.x(), actual.x());
        assertArrayEquals(expected.y(), actual.y());
    }

    @Test
    void aFileInSeveralPartitionsGivesTheDriverReadersRowsInOrder() throws Exception {
        Path file = tmp.resolve("digits.csv");
        Files.write(file, lines);
        CsvReader reader = new CsvReader(",", false, -1);
        try (DistributedRows rows = new CsvRowsReader(sc, reader, 4).read(file.toString())) {
            assertTrue(rows.blocks().getNumPartitions() >= 4, "partitions " + rows.blocks().getNumPartitions());
            assertEquals(1797, rows.count());
            assertEquals(64, rows.features());
            Examples driver = reader.read(Storage.withDefaults(), file.toString());
            assertSameRows(driver, gathered(rows));

            RowStats stats = rows.stats();
            assertEquals(1797, stats.count());
            assertEquals(0.0, stats.minLabel());
            assertEquals(9.0, stats.maxLabel());
            for (int j = 0; j < 64; j++) {
                double sum = 0;
                double sumSq = 0;
                for (int i = 0; i < driver.count(); i++) {
                    double v = driver.x()[i * 64 + j];
                    sum += v;
                    sumSq += v * v;
                }
                double mean = sum / driver.count();
                double sd = Math.sqrt(Math.max(0, sumSq / driver.count() - mean * mean));
                assertEquals(mean, stats.mean()[j], 1e-12 * Math.max(1, Math.abs(mean)), "mean of feature " + j);
                assertEquals(sd, stats.sd()[j], 1e-9 * Math.max(1, sd), "sd of feature " + j);
            }
        }
    }

    @Test
    void aDirectoryIsItsFilesInNameOrderEachWithItsHeader() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("parts"));
        String header = "h".repeat(3);
        // written out of order: c, a, b — read as a, b, c
        Files.write(dir.resolve("c.csv"), withHeader(header, lines.subList(1200, 1797)));
        Files.write(dir.resolve("a.csv"), withHeader(header, lines.subList(0, 700)));
        Files.write(dir.resolve("b.csv"), withHeader(header, lines.subList(700, 1200)));
        Files.writeString(dir.resolve("_SUCCESS"), "");
        Path whole = tmp.resolve("whole.csv");
        Files.write(whole, lines);
        try (DistributedRows rows = new CsvRowsReader(sc, new CsvReader(",", true, -1), 2).read(dir.toString())) {
            assertSameRows(new CsvReader(",", false, -1).read(Storage.withDefaults(), whole.toString()),
                    gathered(rows));
        }
    }

    private static List<String> withHeader(String header, List<String> body) {
        List<String> out = new ArrayList<>(List.of(header));
        out.addAll(body);
        return out;
    }

    /** Parquet with an array features column: ids from the files' row indices, a null label named by file and row. */
    @Test
    void parquetRowsKeepTheirOrderAndABadOneIsNamed() throws Exception {
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().sparkContext(sc.sc())
                .getOrCreate();
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            rows.add(org.apache.spark.sql.RowFactory.create(List.of((double) i, i * 2.0).toArray(Double[]::new),
                    i == 250 ? null : (double) (i % 3)));
        }
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("features", org.apache.spark.sql.types.DataTypes.createArrayType(
                        org.apache.spark.sql.types.DataTypes.DoubleType))
                .add("label", org.apache.spark.sql.types.DataTypes.DoubleType);
        Path good = tmp.resolve("good.parquet");
        spark.createDataFrame(rows.subList(0, 200), schema).repartition(1).write().parquet(good.toString());
        try (DistributedRows read = new ParquetRowsReader(sc, "features", "label").read(good.toString())) {
            RowBlock all = gathered(read);
            assertEquals(200, all.rows());
            for (int i = 0; i < 200; i++) {
                assertEquals(i, all.x()[2 * i], "row " + i + " in file order");
                assertEquals(i % 3, all.y()[i]);
            }
        }
        Path bad = tmp.resolve("bad.parquet");
        spark.createDataFrame(rows, schema).repartition(1).write().parquet(bad.toString());
        DataException e = assertThrows(DataException.class,
                () -> new ParquetRowsReader(sc, "features", "label").read(bad.toString()).close());
        assertTrue(e.getMessage().contains(".parquet: row 250: label is null"), e.getMessage());
    }

    @Test
    void aBadRowDeepInTheFileIsNamedByFileAndLineAsTheDriverReaderNamesIt() throws Exception {
        List<String> bad = new ArrayList<>(lines);
        bad.set(1500, bad.get(1500).replaceFirst("^[^,]*", "oops"));
        Path file = tmp.resolve("bad.csv");
        Files.write(file, bad);
        CsvReader reader = new CsvReader(",", false, -1);
        DataException driver = assertThrows(DataException.class,
                () -> reader.read(Storage.withDefaults(), file.toString()));
        DataException executors = assertThrows(DataException.class,
                () -> new CsvRowsReader(sc, reader, 4).read(file.toString()).close());
        assertTrue(driver.getMessage().contains("line 1501, column 1"), driver.getMessage());
        assertEquals(driver.getMessage().replace("file:", ""), executors.getMessage().replace("file:", ""));
    }
}
