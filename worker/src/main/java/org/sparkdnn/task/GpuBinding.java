package org.sparkdnn.task;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * Binds a task's ND4J thread to the GPU Spark assigned it ({@code spark.task.resource.gpu.amount}, set from
 * {@code cluster.gpusPerWorker}). With the CPU backend, or when Spark assigned no GPU, nothing happens.
 */
public final class GpuBinding {
    private static final Logger LOG = LoggerFactory.getLogger(GpuBinding.class);

    private GpuBinding() {
    }

    /** The first GPU address Spark gave this task, if any. */
    public static Optional<Integer> assignedDevice(Map<String, ResourceInformation> resources) {
        ResourceInformation gpu = resources.get("gpu");
        if (gpu == null || gpu.addresses().length == 0) {
            return Optional.empty();
        }
        String address = gpu.addresses()[0];
        try {
            return Optional.of(Integer.parseInt(address.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Spark assigned GPU address '" + address + "'; the GPU discovery script "
                    + "must report device indices (0, 1, …)", e);
        }
    }

    /** Binds the calling thread to the task's GPU, if it has one. */
    public static void bind(TaskContext context) {
        Map<String, ResourceInformation> resources = JavaConverters.mapAsJavaMap(context.resources());
        assignedDevice(resources).ifPresent(device -> {
            Nd4j.getAffinityManager().unsafeSetDevice(device);
            LOG.info("task {} bound to GPU {}", context.partitionId(), device);
        });
    }
}
