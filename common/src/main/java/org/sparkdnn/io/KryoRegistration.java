package org.sparkdnn.io;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.serializer.KryoRegistrator;
import org.sparkdnn.data.TrainRow;

/**
 * Registers everything the project ships through Spark, so runs can set {@code spark.kryo.registrationRequired}.
 * Set as {@code spark.kryo.registrator}.
 */
public final class KryoRegistration implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(TrainRow.class, new TrainRowSerializer());
        kryo.register(TrainRow[].class);
        kryo.register(float[].class);
        kryo.register(double[].class);
        kryo.register(int[].class);
        kryo.register(long[].class);
        kryo.register(Object[].class);
    }

    /** Index, length, raw floats, label. */
    static final class TrainRowSerializer extends Serializer<TrainRow> {
        @Override
        public void write(Kryo kryo, Output output, TrainRow row) {
            output.writeInt(row.index());
            output.writeInt(row.x().length);
            output.writeFloats(row.x());
            output.writeFloat(row.y());
        }

        @Override
        public TrainRow read(Kryo kryo, Input input, Class<TrainRow> type) {
            int index = input.readInt();
            int length = input.readInt();
            float[] x = input.readFloats(length);
            return new TrainRow(index, x, input.readFloat());
        }
    }
}
