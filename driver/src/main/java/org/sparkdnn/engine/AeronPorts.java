package org.sparkdnn.engine;

import org.apache.spark.SparkEnv;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

/**
 * The UDP ports of DL4J's parameter server ({@code cluster.shared.port}): the driver (the controller) listens on
 * {@code port}, an executor on {@code port + 1}, so a driver and an executor on one host do not collide (with one
 * port they both bound it and the executor never joined the mesh: measured, nothing was learned). DL4J's own
 * {@code StaticPortSupplier(int)} ignores its argument (1.0.0-M2: always 49876).
 */
final class AeronPorts implements PortSupplier {
    private static final long serialVersionUID = 1L;
    private final int port;

    AeronPorts(int port) {
        this.port = port;
    }

    @Override
    public int getPort() {
        SparkEnv env = SparkEnv.get();
        boolean driver = env == null || SparkEnvDriver.isDriver(env.executorId());
        return driver ? port : port + 1;
    }

    /** Spark names the driver's executor id "driver". */
    static final class SparkEnvDriver {
        private SparkEnvDriver() {
        }

        static boolean isDriver(String executorId) {
            return "driver".equals(executorId);
        }
    }
}
