package org.sparkdnn.task;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers what the worker tasks ship through Spark (beside {@code data.KryoRegistration}, in
 * {@code spark.kryo.registrator}, which runs with {@code spark.kryo.registrationRequired}), with compact serializers;
 * on a session without it Kryo's field serializer handles them too.
 */
public final class TaskKryoRegistration implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(FlatVector.class, new FlatVectorSerializer());
        kryo.register(ReferenceTask.Result.class, new ResultSerializer());
    }

    /** A flag (doubles or floats), then the array. */
    static final class FlatVectorSerializer extends Serializer<FlatVector> {
        @Override
        public void write(Kryo kryo, Output output, FlatVector v) {
            output.writeBoolean(v.doubles() != null);
            if (v.doubles() != null) {
                output.writeInt(v.doubles().length);
                output.writeDoubles(v.doubles());
            } else {
                output.writeInt(v.floats().length);
                output.writeFloats(v.floats());
            }
        }

        @Override
        public FlatVector read(Kryo kryo, Input input, Class<FlatVector> type) {
            boolean doubles = input.readBoolean();
            int n = input.readInt();
            return doubles ? new FlatVector(null, input.readDoubles(n)) : new FlatVector(input.readFloats(n), null);
        }
    }

    /** Loss sum, examples, then either the gradient or (a paused BatchNorm replay) the statistics vector. */
    static final class ResultSerializer extends Serializer<ReferenceTask.Result> {
        private final FlatVectorSerializer vectors = new FlatVectorSerializer();

        @Override
        public void write(Kryo kryo, Output output, ReferenceTask.Result r) {
            output.writeDouble(r.lossSum());
            output.writeInt(r.examples());
            output.writeBoolean(r.statistics() != null);
            if (r.statistics() != null) {
                output.writeInt(r.statistics().length);
                output.writeDoubles(r.statistics());
            } else {
                vectors.write(kryo, output, r.gradient());
            }
        }

        @Override
        public ReferenceTask.Result read(Kryo kryo, Input input, Class<ReferenceTask.Result> type) {
            double lossSum = input.readDouble();
            int examples = input.readInt();
            if (input.readBoolean()) {
                return ReferenceTask.Result.paused(input.readDoubles(input.readInt()));
            }
            return new ReferenceTask.Result(lossSum, examples, vectors.read(kryo, input, FlatVector.class));
        }
    }
}
