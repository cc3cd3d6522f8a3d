package org.sparkdnn.engine;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkdnn.config.FaultInjection;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.task.WorkerSpec;

/** Builds the {@link WorkerSpec} both exact engines ship to their tasks (an exchange adds its own part). */
final class WorkerSpecs {
    private WorkerSpecs() {
    }

    static WorkerSpec of(RunConfig config, ComputationGraph master, EngineInput input, WorkerSpec.Server server) {
        FaultInjection fault = config.cluster().faultInjection();
        return new WorkerSpec(server,
                new WorkerSpec.Model(master.getConfiguration().toJson(), config.model().loss(), input.classes(),
                        config.model().dataType(), input.features(), config.cluster().threadsPerWorker()),
                new WorkerSpec.Plan(config.training().seed(), input.trainCount(), config.training().batchSize(),
                        config.cluster().workers()),
                new WorkerSpec.Fault(fault.worker(), fault.step()), WorkerSpec.Peer.NONE);
    }
}
