package org.sparkdnn.task;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.client.PsClient;
import org.sparkdnn.step.ShardGradient;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one barrier task of the {@code sync} engine: worker w of epoch e, or of every epoch from e on (a
 * run-wide stage, {@link RunRows}). Holds its shards of every batch of the epoch, registers with the parameter
 * server, then answers each {@code Params} with the gradient of its shard until {@code EndEpoch}. Returns the number
 * of gradients it sent.
 */
public final class EpochTask extends AbstractFunction1<Iterator<Tuple2<Integer, RowBlock>>, Iterator<Long>>
        implements Serializable {
    private static final Logger LOG = LoggerFactory.getLogger(EpochTask.class);
    private final WorkerSpec spec;
    private final int epoch;
    private final RunRows run;

    /** A task of one epoch's stage: its partition holds its shards of {@code epoch}. */
    public EpochTask(WorkerSpec spec, int epoch) {
        this(spec, epoch, null);
    }

    /**
     * @param run  non-null: a stage for the rest of the run from {@code epoch} on, its shards derived per epoch
     *             from {@code run} (the partition is ignored); it ends with the driver's {@code EndEpoch}
     */
    public EpochTask(WorkerSpec spec, int epoch, RunRows run) {
        this.spec = spec;
        this.epoch = epoch;
        this.run = run;
    }

    @Override
    public Iterator<Long> apply(Iterator<Tuple2<Integer, RowBlock>> rows) {
        BarrierTaskContext context = BarrierTaskContext.get();
        int worker = context.partitionId();
        int attempt = context.stageAttemptNumber();
        GpuBinding.bind(context);
        long start = System.nanoTime();
        TaskShards shards = new TaskShards(JavaConverters.asJavaIterator(rows), spec, run, epoch, worker);
        long built = System.nanoTime();
        Replica replica = new Replica(spec.modelJson(), spec.threads());
        LOG.info("worker {}/{}: epoch {} shards ready in {} ms (incl. reading the shuffle), replica in {} ms",
                worker + 1, spec.workers(), epoch + 1, (built - start) / 1_000_000, (System.nanoTime() - built) / 1_000_000);
        long sent;
        try (PsClient ps = PsClient.connect(spec.psHost(), spec.psPort(), spec.stepTimeoutMillis(),
                spec.stepTimeoutMillis(), replica.parameters())) {
            long next = ps.register(spec.jobId(), spec.secret(), worker, attempt, epoch);
            LOG.info("worker {}/{} (stage attempt {}) registered for epoch {} with {} rows; next step {}", worker + 1,
                    spec.workers(), attempt, epoch + 1, shards.rows(), next);
            sent = serve(ps, shards, replica, context, worker, attempt);
        } catch (IOException e) {
            throw BarrierWork.failure(BarrierWork.where(worker, attempt, epoch), e);
        }
        return JavaConverters.asScalaIterator(List.of(sent).iterator());
    }

    private long serve(PsClient ps, TaskShards shards, Replica replica, BarrierTaskContext context, int worker,
                       int attempt) throws IOException {
        long sent = 0;
        while (true) {
            PsMessage message = ps.receive();
            if (message instanceof PsMessage.EndEpoch) {
                return sent;
            }
            if (!(message instanceof PsMessage.Params p)) {
                throw new IOException("expected Params or EndEpoch from the parameter server, got " + message);
            }
            BarrierWork.beforeStep(context, spec, worker, attempt, p.step());
            long start = System.nanoTime();
            ShardGradient g = replica.gradient(p.step(), p.params(), shards.epoch(p.epoch()), p.batch());
            ps.send(new PsMessage.Gradient(spec.jobId(), worker, attempt, p.step(), g.lossSum(), g.examples(),
                    System.nanoTime() - start, g.gradient()));
            sent++;
        }
    }
}
