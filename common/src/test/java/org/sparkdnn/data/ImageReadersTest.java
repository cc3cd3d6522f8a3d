package org.sparkdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.io.Storage;

/** The CIFAR and image-folder readers on the driver: layout, labels, fitting, and errors that name the file. */
class ImageReadersTest {
    @TempDir
    Path tmp;

    private static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void aColourImageIsScaledToCoverCroppedToTheCentreAndSplitIntoChannelPlanes() throws Exception {
        BufferedImage wide = new BufferedImage(24, 12, BufferedImage.TYPE_INT_RGB); // red | green | blue thirds
        Graphics2D g = wide.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 8, 12);
        g.setColor(Color.GREEN);
        g.fillRect(8, 0, 8, 12);
        g.setColor(Color.BLUE);
        g.fillRect(16, 0, 8, 12);
        g.dispose();
        // scaled to 12x6 (covers 6x6), the centre 6 columns kept: 3..8 of 12, i.e. the middle third and its borders
        float[] rgb = new ImageFolderReader(List.of(3, 6, 6), false).decode("wide.png", png(wide));
        assertEquals(3 * 36, rgb.length);
        int centre = 3 * 6 + 3; // row 3, column 3
        assertEquals(0, rgb[centre], 1, "red plane at the centre");
        assertEquals(255, rgb[36 + centre], 1, "green plane at the centre: the middle third");
        assertEquals(0, rgb[72 + centre], 1, "blue plane");
        float[] grey = new ImageFolderReader(List.of(1, 6, 6), false).decode("wide.png", png(wide));
        assertEquals(0.587 * 255, grey[centre], 1, "luma of green");
        BufferedImage byteGrey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        byteGrey.getRaster().setSample(2, 1, 0, 77);
        float[] same = new ImageFolderReader(List.of(1, 4, 4), false).decode("g.png", png(byteGrey));
        assertEquals(77, same[1 * 4 + 2], 0, "a grey image of the right size is read sample for sample");
    }

    @Test
    void aFolderPerClassGivesLabelsInFolderOrderAndABadFileFailsNamedOrIsSkipped() throws Exception {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (String cls : new String[] {"cat", "ant", "bee"}) {
            Files.createDirectories(tmp.resolve("set").resolve(cls));
            Files.write(tmp.resolve("set").resolve(cls).resolve("b.png"), png(image));
            Files.write(tmp.resolve("set").resolve(cls).resolve("a.png"), png(image));
        }
        Files.write(tmp.resolve("set/bee/.hidden.png"), new byte[] {1});
        Examples read = new ImageFolderReader(List.of(1, 4, 4), false).read(Storage.withDefaults(),
                tmp.resolve("set").toString());
        assertEquals(6, read.count());
        assertArrayEquals(new float[] {0, 0, 1, 1, 2, 2}, read.y(), "ant, bee, cat: labels 0, 1, 2");
        assertEquals(List.of(1, 4, 4), read.imageShape().orElseThrow());
        Files.write(tmp.resolve("set/bee/c.png"), "not an image".getBytes());
        DataException bad = assertThrows(DataException.class, () -> new ImageFolderReader(List.of(1, 4, 4), false)
                .read(Storage.withDefaults(), tmp.resolve("set").toString()));
        assertTrue(bad.getMessage().contains("bee/c.png") && bad.getMessage().contains("not a decodable image"),
                bad.getMessage());
        assertEquals(6, new ImageFolderReader(List.of(1, 4, 4), true).read(Storage.withDefaults(),
                tmp.resolve("set").toString()).count(), "skipped");
    }

    @Test
    void cifarRecordsAreChannelPlanesAfterTheLabelAndACutFileIsNamed() throws Exception {
        byte[] records = new byte[2 * 3074];
        records[0] = 3; // CIFAR-100: coarse 3, fine 42
        records[1] = 42;
        records[2] = (byte) 200; // red (0, 0)
        records[2 + 1024 + 33] = 7; // green (1, 1)
        records[3074 + 1] = 99;
        Path file = tmp.resolve("train.bin");
        Files.write(file, records);
        Examples read = new CifarReader(2).read(Storage.withDefaults(), file.toString());
        assertEquals(2, read.count());
        assertArrayEquals(new float[] {42, 99}, read.y(), "the fine label");
        assertEquals(200, read.x()[0], 0);
        assertEquals(7, read.x()[1024 + 33], 0);
        assertEquals(List.of(3, 32, 32), read.imageShape().orElseThrow());
        DataException cut = assertThrows(DataException.class, () -> new CifarReader(1).read(Storage.withDefaults(),
                file.toString()));
        assertTrue(cut.getMessage().contains("train.bin") && cut.getMessage().contains("not a whole number of "
                + "3073-byte records"), cut.getMessage());
    }

    @Test
    void perChannelScalingUsesEachChannelsMeanAndDeviationOverAllItsPixels() {
        // two rows of two channels of two pixels: channel 0 holds 1, 3 / 5, 7; channel 1 holds 10, 10 / 10, 10
        Examples e = new Examples("t", "row", 4, new float[] {1, 3, 10, 10, 5, 7, 10, 10}, new float[] {0, 1},
                new int[] {0, 1}).withImage(List.of(2, 1, 2));
        Scaler s = Scaler.fit(org.sparkdnn.config.Scaling.PER_CHANNEL, e, 2);
        double sd = Math.sqrt(5); // channel 0: mean 4, E[x²] = (1 + 9 + 25 + 49)/4 = 21, variance 5
        assertArrayEquals(new float[] {4, 4, 10, 10}, s.shift());
        assertArrayEquals(new float[] {(float) sd, (float) sd, 1, 1}, s.scale(), "a constant channel is only centred");
        ConfigException none = assertThrows(ConfigException.class, () -> DataLoader.of(new ConfigLoader().parse("t.yaml",
                "data: {train: 'embedded:digits', scaling: perChannel}", List.of()), Storage.withDefaults()).load());
        assertTrue(none.getMessage().startsWith("data.scaling: perChannel needs image rows"), none.getMessage());
        assertEquals(64, DataLoader.of(new ConfigLoader().parse("t.yaml", "model: {inputShape: [1, 8, 8]}\n"
                + "data: {train: 'embedded:digits', scaling: perChannel}", List.of()), Storage.withDefaults()).load()
                .train().features(), "model.inputShape names the channels");
    }

    @Test
    void skippingIsForImageFoldersOnlyAndImagesNeedAnInputShape() {
        ConfigException skip = assertThrows(ConfigException.class, () -> new ConfigLoader().parse("t.yaml",
                "data: {train: x.csv, onBadRecord: skip}", List.of()));
        assertTrue(skip.getMessage().contains("data.onBadRecord: skip applies to data.format images"),
                skip.getMessage());
        ConfigException shape = assertThrows(ConfigException.class, () -> DataLoader.of(new ConfigLoader().parse(
                "t.yaml", "data: {train: '" + tmp + "', format: images}", List.of()), Storage.withDefaults()).load());
        assertTrue(shape.getMessage().startsWith("model.inputShape: must be set for data.format images"),
                shape.getMessage());
    }
}
