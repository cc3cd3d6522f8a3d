package org.sparkdnn.model;

import java.lang.reflect.Field;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes DL4J's convolution and pooling layers to libnd4j's {@code conv2d}/{@code conv2d_bp} and
 * {@code maxpool2d}/{@code avgpool2d} ops, which the {@code -onednn} build of nd4j-native runs through oneDNN (and
 * the {@code -cudnn} build of nd4j-cuda through cuDNN: untested, no GPU here).
 *
 * <p>Why: in DL4J 1.0.0-M2.1 layer helpers are off by default, and {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment}, a class M2.1 no longer has, so every conv layer runs its Java
 * im2col + GEMM path. DL4J's own {@code MKLDNNConvHelper}/{@code MKLDNNSubsamplingHelper} still work once set: this
 * sets them into each layer's {@code helper} field (the layers call a non-null helper and fall back to their own path
 * if it fails). Installed only when the loaded libnd4j was built with oneDNN (its build info says
 * {@code HAVE_ONEDNN} or {@code HAVE_CUDNN}; launch with {@code -Dorg.bytedeco.javacpp.platform.extension=-onednn}, as scripts/trainer
 * does) and for float networks: without oneDNN the same ops are slower than DL4J's path, and in double oneDNN does
 * not run (libnd4j's generic kernels would), so double networks — the exactness tests' — keep DL4J's own path.
 * Deterministic for a fixed thread count; float results differ from the im2col path by summation order.
 */
public final class NativeConv {
    private static final Logger LOG = LoggerFactory.getLogger(NativeConv.class);
    private static volatile Boolean available;
    private static volatile boolean announced;

    private NativeConv() {
    }

    /** Whether the loaded libnd4j has oneDNN (or cuDNN). */
    public static boolean available() {
        Boolean a = available;
        if (a == null) {
            String info = buildInfo();
            a = info.contains("HAVE_ONEDNN") || info.contains("HAVE_CUDNN");
            available = a;
        }
        return a;
    }

    private static String buildInfo() {
        try {
            String info = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
            return info == null ? "" : info;
        } catch (RuntimeException | LinkageError e) {
            return "";
        }
    }

    /** Sets the helpers into {@code net}'s conv and pooling layers where oneDNN is loaded and the network is float. */
    public static ComputationGraph install(ComputationGraph net) {
        if (available() && net.getConfiguration().getDataType() == DataType.FLOAT) {
            if (install(net, DataType.FLOAT) > 0 && !announced) {
                announced = true;
                LOG.info("convolution: libnd4j's conv2d/pooling ops ({}) instead of DL4J's im2col path",
                        buildInfo().contains("HAVE_CUDNN") ? "cuDNN" : "oneDNN");
            }
        }
        return net;
    }

    /** Sets the helpers whatever the build and type (tests compare the paths); returns how many layers got one. */
    static int install(ComputationGraph net, DataType type) {
        int installed = 0;
        for (Layer layer : net.getLayers()) {
            // exact classes: DL4J's subclasses (depthwise, separable, 1-D, 3-D) have other helpers or none
            if (layer.getClass() == ConvolutionLayer.class) {
                set(ConvolutionLayer.class, layer, new MKLDNNConvHelper(type));
                installed++;
            } else if (layer.getClass() == SubsamplingLayer.class) {
                set(SubsamplingLayer.class, layer, new MKLDNNSubsamplingHelper(type));
                installed++;
            }
        }
        return installed;
    }

    /** DL4J's own path again (tests and the CNN benchmark compare the two). */
    public static void uninstall(ComputationGraph net) {
        for (Layer layer : net.getLayers()) {
            if (layer.getClass() == ConvolutionLayer.class) {
                set(ConvolutionLayer.class, layer, null);
            } else if (layer.getClass() == SubsamplingLayer.class) {
                set(SubsamplingLayer.class, layer, null);
            }
        }
    }

    private static void set(Class<?> owner, Layer layer, Object helper) {
        try {
            Field field = owner.getDeclaredField("helper");
            field.setAccessible(true);
            field.set(layer, helper);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DL4J's " + owner.getSimpleName() + " has no helper field to set: "
                    + "another DL4J version than 1.0.0-M2.1?", e);
        }
    }
}
