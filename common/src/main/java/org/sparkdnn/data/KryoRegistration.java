package org.sparkdnn.data;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers everything the project ships through Spark, so runs can set {@code spark.kryo.registrationRequired}.
 * Set as {@code spark.kryo.registrator}.
 */
public final class KryoRegistration implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(RowBlock.class, new RowBlockSerializer());
        kryo.register(RowBlock[].class);
        kryo.register(ShardIndex.class, new ShardIndexSerializer());
        kryo.register(float[].class);
        kryo.register(double[].class);
        kryo.register(int[].class);
        kryo.register(long[].class);
        kryo.register(Object[].class);
        kryo.register(java.util.HashMap.class); // file path → first row id, broadcast by the binary-file readers
    }

    /** Row count, feature count, then the three arrays in bulk. */
    static final class RowBlockSerializer extends Serializer<RowBlock> {
        @Override
        public void write(Kryo kryo, Output output, RowBlock block) {
            output.writeInt(block.rows());
            output.writeInt(block.features());
            output.writeInts(block.keys());
            output.writeFloats(block.x());
            output.writeFloats(block.y());
        }

        @Override
        public RowBlock read(Kryo kryo, Input input, Class<RowBlock> type) {
            int rows = input.readInt();
            int features = input.readInt();
            int[] keys = input.readInts(rows);
            float[] x = input.readFloats(rows * features);
            return new RowBlock(keys, x, input.readFloats(rows), features);
        }
    }

    /** Worker, count, then positions and rows in bulk. */
    static final class ShardIndexSerializer extends Serializer<ShardIndex> {
        @Override
        public void write(Kryo kryo, Output output, ShardIndex index) {
            output.writeInt(index.worker());
            output.writeInt(index.rows().length);
            output.writeInts(index.positions());
            output.writeInts(index.rows());
        }

        @Override
        public ShardIndex read(Kryo kryo, Input input, Class<ShardIndex> type) {
            int worker = input.readInt();
            int n = input.readInt();
            int[] positions = input.readInts(n);
            return new ShardIndex(worker, positions, input.readInts(n));
        }
    }
}
