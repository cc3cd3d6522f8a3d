package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.data.DataException;

/**
 * The image readers on files this test writes from the 8x8 digits: CIFAR binary records (two files, the digits
 * upscaled to 32x32 in three channels) and a folder per class of PNGs. Read on the executors ({@code data.read:
 * executors}: the driver lists files, it reads no record) they train exactly as when the driver reads them — same
 * ids, order, pixels; a corrupt PNG fails the read naming its path, or with {@code data.onBadRecord: skip} is left out:
 * the run then equals one on the folder without it.
 */
class ImageDataTest {
    @RegisterExtension
    static final SparkFixture SPARK = new SparkFixture();

    @TempDir
    static Path tmp;
    static float[][] digits;
    static int[] labels;

    @BeforeAll
    static void readDigits() throws Exception {
        List<String> lines;
        try (InputStream in = new GZIPInputStream(ImageDataTest.class.getResourceAsStream("/datasets/digits.csv.gz"))) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().limit(600).toList();
        }
        digits = new float[lines.size()][64];
        labels = new int[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",");
            for (int j = 0; j < 64; j++) {
                digits[i][j] = Float.parseFloat(cells[j]) * 15; // 0..240
            }
            labels[i] = Integer.parseInt(cells[64].trim());
        }
    }

    private static String yaml(String data, String shape) {
        return String.join("\n",
                "model: {inputShape: " + shape + ", layers: [{type: conv2d, filters: 4, kernel: 3, padding: same},"
                        + " {type: maxPool}, {units: 16}]}",
                "data: {" + data + ", numClasses: 10, scaling: divide255, testFraction: 0.2}",
                "training: {epochs: 1, batchSize: 32, seed: 3, logEvery: 1000, gradientNormsEvery: 0}",
                "checkpoint: {everyEpochs: 0}",
                "cluster: {engine: sync, workers: 2, stepTimeoutSeconds: 60}");
    }

    @Test
    void cifarRecordsReadOnTheExecutorsTrainAsWhenTheDriverReadsThem() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cifar"));
        int half = digits.length / 2;
        writeCifar(dir.resolve("data_batch_1.bin"), 0, half);
        writeCifar(dir.resolve("data_batch_2.bin"), half, digits.length);
        String config = yaml("format: cifar, train: '" + dir + "'", "[3, 32, 32]");
        Runs.Result driver = Runs.train(SPARK.context(), tmp.resolve("cifar-driver"), config, "data.read=driver");
        Runs.Result executors = Runs.train(SPARK.context(), tmp.resolve("cifar-executors"), config,
                "data.read=executors");
        assertEquals(480, executors.summary().at("/train/examples").asInt());
        assertEquals(driver.sha(), executors.sha(), "the same records, ids and pixels on either side");
        // a file cut inside a record is refused, named, before anything is read
        Files.write(dir.resolve("data_batch_3.bin"), new byte[3073 + 100]);
        DataException cut = assertThrows(DataException.class, () -> Runs.train(SPARK.context(),
                tmp.resolve("cifar-cut"), config, "data.read=executors"));
        assertTrue(cut.getMessage().contains("data_batch_3.bin") && cut.getMessage().contains("not a whole number of "
                + "3073-byte records"), cut.getMessage());
    }

    /** Digit i upscaled 4x to 32x32, in three channels (the second and third dimmed), CIFAR-10's record layout. */
    private static void writeCifar(Path file, int from, int to) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = from; i < to; i++) {
                byte[] record = new byte[3073];
                record[0] = (byte) labels[i];
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 32; y++) {
                        for (int x = 0; x < 32; x++) {
                            record[1 + c * 1024 + y * 32 + x] = (byte) (digits[i][(y / 4) * 8 + x / 4] / (c + 1));
                        }
                    }
                }
                out.write(record);
            }
        }
    }

    @Test
    void imageFoldersReadOnTheExecutorsTrainAsWhenTheDriverReadsThemAndABadFileIsNamedOrSkipped() throws Exception {
        Path dir = tmp.resolve("images");
        for (int i = 0; i < digits.length; i++) {
            Path classDir = Files.createDirectories(dir.resolve("digit-" + labels[i]));
            BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < 64; p++) {
                image.getRaster().setSample(p % 8, p / 8, 0, (int) digits[i][p]);
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            Files.write(classDir.resolve(String.format("%04d.png", i)), png.toByteArray());
        }
        String config = yaml("format: images, train: '" + dir + "'", "[1, 8, 8]");
        Runs.Result driver = Runs.train(SPARK.context(), tmp.resolve("images-driver"), config, "data.read=driver");
        Runs.Result executors = Runs.train(SPARK.context(), tmp.resolve("images-executors"), config,
                "data.read=executors");
        assertEquals(480, executors.summary().at("/train/examples").asInt());
        assertEquals(driver.sha(), executors.sha(), "the same files, ids and pixels on either side");

        Path corrupt = dir.resolve("digit-3/0000x-corrupt.png");
        byte[] good = Files.readAllBytes(dir.resolve("digit-3").resolve(Files.list(dir.resolve("digit-3"))
                .map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow()));
        Files.write(corrupt, java.util.Arrays.copyOf(good, 40)); // a PNG cut short
        for (String read : new String[] {"driver", "executors"}) {
            DataException bad = assertThrows(DataException.class, () -> Runs.train(SPARK.context(),
                    tmp.resolve("images-bad-" + read), config, "data.read=" + read));
            assertTrue(bad.getMessage().contains("0000x-corrupt.png") && bad.getMessage().contains("not a decodable "
                    + "image"), read + ": " + bad.getMessage());
        }
        Runs.Result skipped = Runs.train(SPARK.context(), tmp.resolve("images-skip"), config, "data.read=executors",
                "data.onBadRecord=skip");
        assertEquals(executors.sha(), skipped.sha(), "the corrupt file left out: the run without it");
    }
}
