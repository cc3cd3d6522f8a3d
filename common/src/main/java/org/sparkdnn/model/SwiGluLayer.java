package org.sparkdnn.model;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkdnn.config.WeightInit;

/**
 * SwiGLU(x) = Swish(x·W + b) ⊙ (x·V + c), with Swish(u) = u·sigmoid(u) (lecture 004). DL4J has no such layer; this
 * one is a SameDiff layer, so DL4J differentiates it (checked by a finite-difference gradient check).
 */
public final class SwiGluLayer extends SameDiffLayer {
    private static final String W = "W";
    private static final String V = "V";
    private static final String B = "b";
    private static final String C = "c";

    private long nIn;
    private long nOut;
    private WeightInit init;
    private double initScale;
    private boolean hasBias;

    /** For JSON deserialisation. */
    public SwiGluLayer() {
    }

    public SwiGluLayer(long nIn, long nOut, WeightInit init, double initScale, boolean hasBias) {
        this.nIn = nIn;
        this.nOut = nOut;
        this.init = init;
        this.initScale = initScale;
        this.hasBias = hasBias;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable gate = x.mmul(params.get(W));
        SDVariable value = x.mmul(params.get(V));
        if (hasBias) {
            gate = gate.add(params.get(B));
            value = value.add(params.get(C));
        }
        return sd.nn.swish(gate).mul(value);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(W, nIn, nOut);
        params.addWeightParam(V, nIn, nOut);
        if (hasBias) {
            params.addBiasParam(B, 1, nOut);
            params.addBiasParam(C, 1, nOut);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            INDArray view = e.getValue();
            if (W.equals(e.getKey()) || V.equals(e.getKey())) {
                Dl4jMapping.weightInit(init, initScale).init(nIn, nOut, view.shape(), 'c', view);
            } else {
                view.assign(0);
            }
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(nOut);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn <= 0 || override) {
            nIn = ((InputType.InputTypeFeedForward) inputType).getSize();
        }
    }

    public long getNIn() {
        return nIn;
    }

    public void setNIn(long nIn) {
        this.nIn = nIn;
    }

    public long getNOut() {
        return nOut;
    }

    public void setNOut(long nOut) {
        this.nOut = nOut;
    }

    public WeightInit getInit() {
        return init;
    }

    public void setInit(WeightInit init) {
        this.init = init;
    }

    public double getInitScale() {
        return initScale;
    }

    public void setInitScale(double initScale) {
        this.initScale = initScale;
    }

    public boolean isHasBias() {
        return hasBias;
    }

    public void setHasBias(boolean hasBias) {
        this.hasBias = hasBias;
    }
}
