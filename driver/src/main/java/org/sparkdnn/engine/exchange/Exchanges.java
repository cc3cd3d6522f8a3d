package org.sparkdnn.engine.exchange;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkdnn.config.Exchange;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.ps.server.ParameterServer;
import org.sparkdnn.step.GlobalUpdate;

/** The one place {@code cluster.exchange} picks a {@link GradientExchange}. */
public final class Exchanges {
    private Exchanges() {
    }

    /**
     * The exchange {@code config} asks for, updating {@code master} through {@code update}, talking to the workers
     * through {@code ps}. Config errors it finds (owner slices for a model that cannot have them) name the key.
     */
    public static GradientExchange of(RunConfig config, ComputationGraph master, GlobalUpdate update,
                                      ParameterServer ps) {
        return config.cluster().exchange() == Exchange.PEER ? new PeerExchange(config, master, update, ps)
                : new DriverExchange(master, update, ps, config.cluster().workers());
    }
}
