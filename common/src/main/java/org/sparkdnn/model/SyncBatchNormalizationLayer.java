package org.sparkdnn.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The layer of {@link SyncBatchNormalization}: DL4J's BatchNormalization (NCHW per channel over N·H·W, dense per
 * feature) computed from the statistics of the whole global batch. In training its forward pass exchanges the shard's
 * per-channel (count, mean, M2) and normalises by the merged mean and biased variance; its backward pass exchanges
 * Σdy and Σdy·x̂ and uses the global sums in dx = γ/σ · (dy − Σdy/M − x̂·Σdy·x̂/M). γ's and β's gradients are the shard's
 * own sums (the engine sums them over the shards like every other gradient). The running statistics are updated as
 * DL4J does it — a pseudo-gradient through a no-op updater, not divided by the batch size: (mean − μ_B)(1 − decay),
 * and for log10(std) log(v/v')/(2 ln 10) with v' = decay·v + (1 − decay)·σ²_B — from the global μ_B and σ²_B, written
 * by one worker only ({@link BatchNormExchange.Merged#writer}; the others write zeros), so the summed gradient holds it
 * once. Without an exchange set ({@link BatchNormExchange}) the batch is the layer's own: DL4J's math, to rounding.
 * Inference uses the running statistics, like DL4J. No helper (cuDNN/oneDNN) runs: they compute shard statistics.
 */
public final class SyncBatchNormalizationLayer extends BatchNormalization {
    private static final double TWO_LN_10 = 2 * Math.log(10);

    private INDArray normalized; // x̂ of the last training forward pass
    private INDArray deviation; // σ = sqrt(var + eps) per channel, of that pass
    private BatchNormExchange.Merged batch; // its merged forward statistics

    public SyncBatchNormalizationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public LayerHelper getHelper() {
        return null;
    }

    private org.deeplearning4j.nn.conf.layers.BatchNormalization config() {
        return layerConf();
    }

    /** The reduction dimensions: all but the channel (NCHW) or feature dimension. */
    private int[] reduceDims(INDArray x) {
        if (x.rank() == 4) {
            return new int[] {0, 2, 3};
        }
        if (x.rank() == 2) {
            return new int[] {0};
        }
        throw new IllegalStateException("BatchNorm on activations of rank " + x.rank() + " " + layerId()
                + ": only dense [N, C] and NCHW [N, C, H, W] are supported");
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray out;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray x = input.castTo(dataType);
            int[] dims = reduceDims(x);
            int channels = (int) x.size(1);
            INDArray gamma = getParam(BatchNormalizationParamInitializer.GAMMA).reshape(channels);
            INDArray beta = getParam(BatchNormalizationParamInitializer.BETA).reshape(channels);
            double eps = config().getEps();
            if (!training) {
                INDArray mean = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(channels);
                out = normalize(x, mean, runningVariance(channels), gamma, beta, eps);
            } else {
                // the shard's per-channel count, mean and M2 = n·(biased variance), exchanged and merged
                double count = (double) x.length() / channels;
                double[] shardMean = x.mean(dims).toDoubleVector();
                double[] shardVar = x.var(false, dims).toDoubleVector();
                double[] mine = BatchNormExchange.vector(getIndex(), true, count, channels);
                for (int c = 0; c < channels; c++) {
                    mine[BatchNormExchange.HEADER + c] = shardMean[c];
                    mine[BatchNormExchange.HEADER + channels + c] = shardVar[c] * count;
                }
                batch = BatchNormExchange.exchange(mine);
                double[] mu = new double[channels];
                double[] variance = new double[channels];
                for (int c = 0; c < channels; c++) {
                    mu[c] = batch.a(c);
                    variance[c] = batch.b(c) / batch.count();
                }
                INDArray mean = vector(mu);
                INDArray var = vector(variance);
                normalized = normalize(x, mean, var, null, null, eps);
                deviation = Transforms.sqrt(var.add(eps), false);
                out = affine(normalized, gamma, beta);
            }
        }
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, out);
    }

    private INDArray vector(double[] values) {
        return Nd4j.createFromArray(values).castTo(dataType);
    }

    /** (x − mean)/sqrt(var + eps)·γ + β per channel (dimension 1), in one pass: libnd4j's batchnorm op. */
    private static INDArray normalize(INDArray x, INDArray mean, INDArray var, INDArray gamma, INDArray beta,
                                      double eps) {
        return Nd4j.exec(new BatchNorm(x, mean, var, gamma, beta, eps, 1))[0];
    }

    /** x·scale + shift per channel, in one pass (the batchnorm op with mean 0, variance 1 and no epsilon). */
    private INDArray affine(INDArray x, INDArray scale, INDArray shift) {
        long channels = scale.length();
        return normalize(x, Nd4j.zeros(dataType, channels), Nd4j.ones(dataType, channels), scale, shift, 0.0);
    }

    /** The running variance estimate, from log10(std) or the variance parameter. */
    private INDArray runningVariance(int channels) {
        if (config().isUseLogStd()) {
            INDArray log10s = getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD).reshape(channels);
            INDArray s = Transforms.pow(Nd4j.valueArrayOf(log10s.shape(), 10.0, dataType), log10s, false);
            return s.muli(s);
        }
        return getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).reshape(channels).dup();
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (normalized == null) {
            throw new IllegalStateException("BatchNorm backward pass without a training forward pass " + layerId());
        }
        INDArray dx;
        Gradient gradient = new DefaultGradient();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray dy = epsilon.castTo(dataType);
            int[] dims = reduceDims(dy);
            int channels = (int) dy.size(1);
            INDArray sumDy = dy.sum(dims);
            INDArray sumDyXHat = dy.mul(normalized).sum(dims);
            double[] mine = BatchNormExchange.vector(getIndex(), false, (double) dy.length() / channels, channels);
            System.arraycopy(sumDy.toDoubleVector(), 0, mine, BatchNormExchange.HEADER, channels);
            System.arraycopy(sumDyXHat.toDoubleVector(), 0, mine, BatchNormExchange.HEADER + channels, channels);
            BatchNormExchange.Merged sums = BatchNormExchange.exchange(mine);
            double[] gamma = getParam(BatchNormalizationParamInitializer.GAMMA).toDoubleVector();
            double[] sigma = deviation.toDoubleVector();
            double count = batch.count();
            double[] onDy = new double[channels];
            double[] onXHat = new double[channels];
            double[] constant = new double[channels];
            for (int c = 0; c < channels; c++) {
                // dx = γ/σ · (dy − Σdy/M − x̂·Σdy·x̂/M), per channel a·dy + b·x̂ + c
                onDy[c] = gamma[c] / sigma[c];
                onXHat[c] = -gamma[c] * sums.b(c) / count / sigma[c];
                constant[c] = -gamma[c] * sums.a(c) / count / sigma[c];
            }
            dx = affine(dy, vector(onDy), vector(constant));
            dx.addi(affine(normalized, vector(onXHat), Nd4j.zeros(dataType, channels)));

            INDArray dGamma = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
            INDArray dBeta = gradientViews.get(BatchNormalizationParamInitializer.BETA);
            dGamma.assign(sumDyXHat.reshape(dGamma.shape()));
            dBeta.assign(sumDy.reshape(dBeta.shape()));
            gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGamma);
            gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBeta);
            runningUpdate(gradient, channels);
        }
        normalized = null;
        deviation = null;
        return new Pair<>(gradient, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx));
    }

    /** The running statistics' pseudo-gradient, from the global batch statistics; zeros unless this worker writes. */
    private void runningUpdate(Gradient gradient, int channels) {
        boolean writes = batch.writer() == BatchNormExchange.worker();
        double decay = config().getDecay();
        INDArray meanParam = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray dMean = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        String stdKey = config().isUseLogStd() ? BatchNormalizationParamInitializer.GLOBAL_LOG_STD
                : BatchNormalizationParamInitializer.GLOBAL_VAR;
        INDArray dStd = gradientViews.get(stdKey);
        if (!writes) {
            dMean.assign(0);
            dStd.assign(0);
        } else {
            double[] mean = meanParam.toDoubleVector();
            double[] std = getParam(stdKey).toDoubleVector();
            double[] gMean = new double[channels];
            double[] gStd = new double[channels];
            for (int c = 0; c < channels; c++) {
                double batchVar = batch.b(c) / batch.count();
                gMean[c] = (mean[c] - batch.a(c)) * (1 - decay);
                if (config().isUseLogStd()) {
                    double s = Math.pow(10.0, std[c]);
                    double v = s * s;
                    double next = v * decay + batchVar * (1 - decay);
                    gStd[c] = Math.log(v / next) / TWO_LN_10;
                } else {
                    gStd[c] = (std[c] - batchVar) * (1 - decay);
                }
            }
            dMean.assign(Nd4j.createFromArray(gMean).castTo(dataType).reshape(dMean.shape()));
            dStd.assign(Nd4j.createFromArray(gStd).castTo(dataType).reshape(dStd.shape()));
        }
        gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, dMean);
        gradient.setGradientFor(stdKey, dStd);
    }
}
