package org.sparkdnn.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.model.BatchNormExchange;
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
            long next = ps.register(server.jobId(), server.secret(), task.worker(), task.attempt(), epoch,
                    server.integrity());
            LOG.info("worker {}/{} (stage attempt {}) registered for epoch {} with {} rows; next step {}",
                    task.worker() + 1, spec.workers(), task.attempt(), epoch + 1, task.shards().rows(), next);
            task.replica().batchNorm(batchNorm(ps, task), task.worker());
            return answer(ps, task);
        }
    }

    /**
     * Synchronized BatchNorm's in-step collective through the parameter server: this worker's statistics vector out,
     * the k workers' merged (by the server, in worker order) back.
     */
    private BatchNormExchange.Exchange batchNorm(PsClient ps, Task task) {
        String jobId = spec.server().jobId();
        return (step, pass, mine) -> {
            try {
                ps.send(new PsMessage.BatchNormStats(jobId, task.worker(), task.attempt(), step, pass, mine));
                PsMessage reply = ps.receive();
                if (reply instanceof PsMessage.BatchNormMerged m && m.step() == step && m.pass() == pass
                        && m.values().length == mine.length) {
                    return new BatchNormExchange.Merged(m.values(), m.writer());
                }
                throw new IOException("expected the merged BatchNorm statistics of step " + step + ", pass " + pass
                        + " (" + mine.length + " values), got " + reply);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
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
            ShardGradient g;
            try {
                g = task.replica().gradient(p.step(), p.params(), task.shards().epoch(p.epoch()), p.batch());
            } catch (RuntimeException e) {
                throw ioFailure(e); // a BatchNorm exchange within the step failed
            }
            ps.send(new PsMessage.Gradient(spec.server().jobId(), task.worker(), task.attempt(), p.step(), g.lossSum(),
                    g.examples(), System.nanoTime() - start, g.gradient()));
            sent++;
        }
    }
}
