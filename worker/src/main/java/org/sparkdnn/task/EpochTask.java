package org.sparkdnn.task;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.client.PsClient;
import org.sparkdnn.step.ShardGradient;

/**
 * The worker half of {@code cluster.exchange: driver}: registers with the parameter server, then answers each
 * {@code Params} with the gradient of its shard until {@code EndEpoch}. Returns the number of gradients it sent.
 */
public final class EpochTask extends BarrierEpochTask {
    private static final Logger LOG = LoggerFactory.getLogger(EpochTask.class);

    /** A task of one epoch's stage: its partition holds its shards of {@code epoch}. */
    public EpochTask(WorkerSpec spec, int epoch) {
        this(spec, epoch, null);
    }

    /** A task from {@code epoch} on, see {@link BarrierEpochTask#BarrierEpochTask}. */
    public EpochTask(WorkerSpec spec, int epoch, RunRows run) {
        super(spec, epoch, run);
    }

    @Override
    protected Replica replica() {
        return new Replica(spec.model().json(), spec.model().threads());
    }

    @Override
    protected long serve(Task task) throws IOException {
        LOG.info("worker {}/{}: epoch {} shards ready in {} ms (incl. reading the shuffle), replica in {} ms",
                task.worker() + 1, spec.workers(), epoch + 1, (task.shardsNanos() - task.startNanos()) / 1_000_000,
                (System.nanoTime() - task.shardsNanos()) / 1_000_000);
        WorkerSpec.Server server = spec.server();
        try (PsClient ps = PsClient.connect(server.host(), server.port(), server.stepTimeoutMillis(),
                server.stepTimeoutMillis(), task.replica().parameters())) {
            long next = ps.register(server.jobId(), server.secret(), task.worker(), task.attempt(), epoch);
            LOG.info("worker {}/{} (stage attempt {}) registered for epoch {} with {} rows; next step {}",
                    task.worker() + 1, spec.workers(), task.attempt(), epoch + 1, task.shards().rows(), next);
            return answer(ps, task);
        }
    }

    private long answer(PsClient ps, Task task) throws IOException {
        long sent = 0;
        while (true) {
            PsMessage message = ps.receive();
            if (message instanceof PsMessage.EndEpoch) {
                return sent;
            }
            if (!(message instanceof PsMessage.Params p)) {
                throw new IOException("expected Params or EndEpoch from the parameter server, got " + message);
            }
            beforeStep(task, p.step());
            long start = System.nanoTime();
            ShardGradient g = task.replica().gradient(p.step(), p.params(), task.shards().epoch(p.epoch()), p.batch());
            ps.send(new PsMessage.Gradient(spec.server().jobId(), task.worker(), task.attempt(), p.step(), g.lossSum(),
                    g.examples(), System.nanoTime() - start, g.gradient()));
            sent++;
        }
    }
}
