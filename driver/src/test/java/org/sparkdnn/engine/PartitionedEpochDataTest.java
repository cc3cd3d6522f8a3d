package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.OneToOneDependency;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.RowBlock;
import scala.Tuple2;

/** Rows at home: each epoch is a narrow re-keying of the cached home partitions, and partition w holds worker w's. */
class PartitionedEpochDataTest {
    @Test
    void epochsReKeyTheCachedHomesWithoutAShuffle() {
        try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]")
                .setAppName("PartitionedEpochDataTest").set("spark.ui.enabled", "false"))) {
            int n = 103;
            int k = 3;
            BatchPlan plan = BatchPlan.partitioned(5, n, 12, k);
            List<RowBlock> input = new ArrayList<>();
            for (int from = 0; from < n; from += 25) { // 5 input blocks that do not align with the homes
                int to = Math.min(n, from + 25);
                int[] keys = new int[to - from];
                float[] x = new float[2 * keys.length];
                float[] y = new float[keys.length];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = from + i;
                    x[2 * i] = from + i; // feature 0 names the row
                    x[2 * i + 1] = -(from + i);
                    y[i] = (from + i) % 10;
                }
                input.add(new RowBlock(keys, x, y, 2));
            }
            PartitionedEpochData data = new PartitionedEpochData(sc.parallelize(input, 5), plan, k);
            for (int epoch = 0; epoch < 3; epoch++) {
                JavaPairRDD<Integer, RowBlock> rdd = data.epoch(epoch);
                assertEquals(1, rdd.rdd().dependencies().size());
                assertTrue(rdd.rdd().dependencies().head() instanceof OneToOneDependency, "narrow: no shuffle");
                assertSame(data.home().rdd(), rdd.rdd().dependencies().head().rdd(), "straight from the cache");
                int[] position = plan.positions(epoch);
                int epochNumber = epoch;
                List<Tuple2<Integer, RowBlock>> parts = rdd.mapPartitionsWithIndex((index, it) -> {
                    List<Tuple2<Integer, RowBlock>> out = new ArrayList<>();
                    it.forEachRemaining(t -> out.add(new Tuple2<>(index, t._2())));
                    return out.iterator();
                }, true).collect();
                int rows = 0;
                for (Tuple2<Integer, RowBlock> part : parts) {
                    int w = part._1();
                    RowBlock b = part._2();
                    for (int i = 0; i < b.rows(); i++) {
                        int row = (int) b.x()[2 * i];
                        assertTrue(row >= plan.home(w) && row < plan.home(w + 1), "row " + row + " at home " + w);
                        assertEquals(position[row], b.keys()[i], "keyed by its position in epoch " + epochNumber);
                        assertEquals(w, plan.ownerOf(b.keys()[i], k));
                        assertEquals(row % 10, b.y()[i]);
                    }
                    rows += b.rows();
                }
                assertEquals(n, rows);
            }
            data.close();
        }
    }
}
