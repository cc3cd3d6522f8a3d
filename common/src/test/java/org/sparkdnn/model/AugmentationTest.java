package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;

/**
 * {@code data.augment}: each example's transform is a pure function of (seed, step, its position in the global
 * batch) — shards transform as the whole batch does — the geometric ones move whole pixels with zeros filling in (or
 * interpolate, rotating), backprop is the transform's transpose, and inference sees the input untouched.
 */
class AugmentationTest {
    private static final int H = 5;
    private static final int W = 6;

    private static INDArray images(int rows, int channels) {
        double[] v = new double[rows * channels * H * W];
        for (int i = 0; i < v.length; i++) {
            v[i] = 1 + i; // distinct, non-zero: a moved pixel is recognisable
        }
        return Nd4j.create(v, new long[] {rows, channels * H * W}, 'c');
    }

    private static INDArray apply(Augmentation a, INDArray x, long step, int[] positions) {
        return DropoutContext.with(step, positions, () -> a.applyDropout(x, x.dup(), 0, 0, null));
    }

    @Test
    void aShardIsTransformedAsTheSameRowsOfTheWholeBatch() {
        Augmentation a = new Augmentation(11, 2, H, W, 1, true, 1, 15, 0.1);
        INDArray x = images(6, 2);
        INDArray whole = apply(a, x, 4, DropoutContext.range(0, 6));
        INDArray first = apply(a, x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup(), 4, DropoutContext.range(0, 2));
        INDArray rest = apply(a, x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 6),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup(), 4, DropoutContext.range(2, 4));
        assertArrayEquals(whole.getRows(0, 1).dup().data().asDouble(), first.data().asDouble(), 0);
        assertArrayEquals(whole.getRows(2, 3, 4, 5).dup().data().asDouble(), rest.data().asDouble(), 0);
        assertNotEquals(whole, apply(a, x, 5, DropoutContext.range(0, 6)), "another step draws other transforms");
        assertEquals(whole, apply(a, x, 4, DropoutContext.range(0, 6)), "the same step draws the same");
    }

    @Test
    void shiftsMoveWholePixelsWithZerosFillingInAndEveryChannelAlike() {
        Augmentation a = new Augmentation(3, 2, H, W, 0, false, 2, 0, 0);
        INDArray x = images(40, 2);
        INDArray out = apply(a, x, 0, DropoutContext.range(0, 40));
        int moved = 0;
        for (int r = 0; r < 40; r++) {
            int[] found = shiftOf(x, out, r);
            assertTrue(Math.abs(found[0]) <= 2 && Math.abs(found[1]) <= 2, "shift within ±2: " + found[0] + "," + found[1]);
            moved += found[0] != 0 || found[1] != 0 ? 1 : 0;
        }
        assertTrue(moved > 30, "most of 40 rows move (1 in 25 stays), moved " + moved);
    }

    /** The (dy, dx) that maps row r of x onto row r of out, checking every pixel of both channels. */
    private static int[] shiftOf(INDArray x, INDArray out, int r) {
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
                boolean all = true;
                for (int c = 0; c < 2 && all; c++) {
                    for (int y = 0; y < H && all; y++) {
                        for (int col = 0; col < W && all; col++) {
                            int sy = y - dy;
                            int sx = col - dx;
                            double want = sy < 0 || sy >= H || sx < 0 || sx >= W ? 0
                                    : x.getDouble(r, c * H * W + sy * W + sx);
                            all = want == out.getDouble(r, c * H * W + y * W + col);
                        }
                    }
                }
                if (all) {
                    return new int[] {dy, dx};
                }
            }
        }
        throw new AssertionError("row " + r + " is no whole-pixel shift of its input");
    }

    @Test
    void flipsMirrorAboutHalfTheRows() {
        Augmentation a = new Augmentation(5, 1, H, W, 0, true, 0, 0, 0);
        INDArray x = images(200, 1);
        INDArray out = apply(a, x, 1, DropoutContext.range(0, 200));
        int mirrored = 0;
        for (int r = 0; r < 200; r++) {
            boolean same = out.getRow(r).equals(x.getRow(r));
            boolean flipped = true;
            for (int y = 0; y < H; y++) {
                for (int col = 0; col < W; col++) {
                    flipped &= out.getDouble(r, y * W + col) == x.getDouble(r, y * W + W - 1 - col);
                }
            }
            assertTrue(same ^ flipped, "row " + r + " is either itself or its mirror image");
            mirrored += flipped ? 1 : 0;
        }
        assertTrue(mirrored > 70 && mirrored < 130, "about half mirrored: " + mirrored);
    }

    /** ⟨T·x, g⟩ = ⟨x, Tᵀ·g⟩ for the rotation's interpolation taps (and the rest): backprop is the transpose. */
    @Test
    void backpropIsTheTransposeOfTheTransform() {
        Augmentation a = new Augmentation(9, 3, H, W, 1, true, 1, 30, 0.5);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 3 * H * W);
        INDArray g = Nd4j.rand(DataType.DOUBLE, 4, 3 * H * W);
        INDArray noiseOnly = apply(a, Nd4j.zeros(DataType.DOUBLE, 4, 3 * H * W), 2, DropoutContext.range(0, 4));
        INDArray tx = apply(a, x, 2, DropoutContext.range(0, 4)).sub(noiseOnly); // the linear part
        INDArray back = a.backprop(g, g.dup(), 0, 0);
        assertEquals(tx.mul(g).sumNumber().doubleValue(), x.mul(back).sumNumber().doubleValue(), 1e-10);
        assertTrue(noiseOnly.std(true).getDouble(0) > 0.3, "noise of std 0.5 added");
    }

    @Test
    void inferenceSeesTheInputUntouchedAndTrainingTheTransformedOne() {
        RunConfig config = new ConfigLoader().parse("test.yaml", String.join("\n",
                "model: {dataType: double, inputShape: [1, 8, 8], layers: [{type: conv2d, filters: 2, kernel: 3}]}",
                "data: {train: 'embedded:digits', augment: {shift: {pixels: 2}, rotate: {degrees: 10}}}"), List.of());
        ComputationGraph net = new ModelFactory(config.model(), config.optimizer(), 1, 10)
                .augmenting(config.data().augment()).build(new IoShape(64, 10), Storage.withDefaults());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 64);
        assertEquals(x, net.feedForward(x, false).get(ModelFactory.AUGMENT), "not applied in inference");
        INDArray trained = DropoutContext.with(0, DropoutContext.range(0, 3),
                () -> net.feedForward(x, true).get(ModelFactory.AUGMENT));
        assertNotEquals(x, trained, "applied in training");
    }
}
