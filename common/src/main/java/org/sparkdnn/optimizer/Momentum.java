package org.sparkdnn.optimizer;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Classic (heavy-ball) momentum as PyTorch's SGD defines it: v ← μ·v + g; w ← w − η_t·v. DL4J only ships Nesterov
 * momentum. Plugged into DL4J's updater framework, so L2 and weight decay still apply.
 */
public final class Momentum implements IUpdater {
    private ISchedule learningRateSchedule;
    private final double momentum;

    public Momentum(@JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
                    @JsonProperty("momentum") double momentum) {
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> state, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(state, initializeStateArrays);
        return u;
    }

    @Override
    public IUpdater clone() {
        return new Momentum(learningRateSchedule.clone(), momentum);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule.valueAt(iteration, epoch);
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRateSchedule = lrSchedule != null ? lrSchedule : new FixedSchedule(lr);
    }

    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    public double getMomentum() {
        return momentum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Momentum && ((Momentum) o).momentum == momentum
                && ((Momentum) o).learningRateSchedule.equals(learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(momentum) * 31 + learningRateSchedule.hashCode();
    }

    /** The velocity v lives in DL4J's updater state view, so it is saved with the model and restored on resume. */
    static final class Updater implements GradientUpdater<Momentum> {
        private static final String V = "V";
        private final Momentum config;
        private INDArray velocity;

        Updater(Momentum config) {
            this.config = config;
        }

        @Override
        public Momentum getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            if (!state.containsKey(V) || state.size() != 1) {
                throw new IllegalStateException("momentum state must hold exactly the key " + V + ", was " + state.keySet());
            }
            velocity = state.get(V);
            if (initialize) {
                velocity.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(V, velocity);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char order, boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            velocity = viewArray.reshape(order, gradientShape);
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            velocity.muli(config.momentum).addi(gradient);
            gradient.assign(velocity).muli(config.getLearningRate(iteration, epoch));
        }
    }
}
