package org.sparkdnn.engine.exchange;

import java.util.Map;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.ps.server.WorkerLostException;
import org.sparkdnn.task.RunRows;
import org.sparkdnn.task.WorkerSpec;
import scala.Function1;
import scala.Tuple2;
import scala.collection.Iterator;

/**
 * One {@code cluster.exchange} mode of the {@code sync} engine: how the k workers' shard gradients of a step become
 * the master's next parameters, seen from the driver. The engine owns the Spark stage (start, retry budget, finish,
 * close) and calls the exchange for everything that depends on the mode:
 * <ul>
 *   <li>{@link #spec} and {@link #task}: what the stage's barrier tasks run (this exchange's worker half);</li>
 *   <li>{@link #workersJoined}: a stage attempt's workers registered — the next round brings them to the master's
 *       state. It carries the stage's worker count, which may differ from the last stage's (elastic training);</li>
 *   <li>{@link #step} and {@link #syncMaster}: rounds with the workers. A lost worker surfaces as
 *       {@link WorkerLostException}; the engine waits for Spark's next stage attempt, calls {@link #workersJoined}
 *       and the same method again, so an exchange never waits on Spark itself;</li>
 *   <li>{@link #gradientNorms} and {@link #stats}: what the step measured.</li>
 * </ul>
 * Every message between the driver and a worker is a {@code PsMessage} written and read by {@code Frames} (the
 * parameter server, its client, the peer mesh's handshakes); the peer mesh's tensor frames are written and read in
 * {@code PeerMesh.frame}/{@code transfer} only. Those two are where a per-frame MAC goes. Collectives a layer calls
 * inside a step (a synchronized BatchNorm) belong to the worker half: they run on the
 * peer mesh's exchange thread ({@code OverlappedExchange}), which orders them with the gradient buckets.
 */
public interface GradientExchange {
    /** {@code common} (server, model, plan, fault injection) with this exchange's settings. */
    WorkerSpec spec(WorkerSpec common);

    /**
     * The body of the stage's barrier tasks: worker w of {@code epoch}, or of every epoch from it on when
     * {@code run} is non-null (a run-wide stage, its shards derived on the executors).
     */
    Function1<Iterator<Tuple2<Integer, RowBlock>>, Iterator<Long>> task(WorkerSpec spec, int epoch, RunRows run);

    /** The {@code workers} of a (new) stage attempt registered; the next round starts them from the master's state. */
    void workersJoined(int workers);

    /**
     * Trains global batch {@code batch} of {@code epoch} ({@code rows}, in order) and returns its mean loss.
     *
     * @throws WorkerLostException a worker was lost or misbehaved: nothing of the step was applied
     */
    double step(int epoch, int batch, int[] rows) throws WorkerLostException, InterruptedException;

    /** Brings the master network up to date with the workers' state (a no-op where it always is). */
    void syncMaster() throws WorkerLostException, InterruptedException;

    /** What the next attempt will redo after a lost worker, for the log ("continues from step 120"). */
    String retryPlan();

    /** The step the next round trains (the master's, plus any the workers applied since it caught up). */
    long nextStep();

    /** Per-layer L2 norms of the last step's gradient ({@code StepEngine.gradientNorms}). */
    Map<String, Double> gradientNorms();

    /** This exchange's timings and counters for {@code engineStats}, per step over {@code steps} steps. */
    Map<String, Object> stats(long steps);
}
