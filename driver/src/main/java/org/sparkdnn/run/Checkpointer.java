package org.sparkdnn.run;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.checkpoint.CheckpointException;
import org.sparkdnn.checkpoint.CheckpointStore;
import org.sparkdnn.checkpoint.CheckpointWriteException;
import org.sparkdnn.checkpoint.Manifest;
import org.sparkdnn.config.CheckpointConfig;

/**
 * The checkpoint policy of a run (every N steps, every N epochs, at the end; keep the last K and the best B) and the
 * writer. Training pauses only to snapshot the network (parameters and updater state) at a step boundary; it is
 * serialised and written on a background thread, at most one checkpoint in flight, pruning only after the new
 * checkpoint is durable.
 */
final class Checkpointer implements AutoCloseable {
    static final String BEST_PARAMS = "best-params.bin";
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

    private final CheckpointConfig policy;
    private final Optional<CheckpointStore> store;
    private final Manifest template;
    private final LongSupplier nanoClock;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "checkpoint-writer");
        t.setDaemon(true);
        return t;
    });
    private Future<?> pending;
    private long lastSavedStep = -1;
    private boolean stepSaveDue;
    private int written;
    private long pauseNanos;
    private long maxPauseNanos;
    private long writeNanos;
    private long lastGoodStep = -1;
    /** Keeps the checkpoint directory's writer lease alive (see CheckpointStore.acquireLease). */
    private final ScheduledExecutorService heartbeat =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "checkpoint-lease-heartbeat");
                t.setDaemon(true);
                return t;
            });
    static final long HEARTBEAT_SECONDS = 10;
    /** A lease not renewed for this long is stale (its holder is taken for dead). */
    static final long LEASE_STALE_MILLIS = 60_000;

    /** @param template the run's constant manifest fields (seed, config, versions, data fingerprint) */
    Checkpointer(CheckpointConfig policy, Optional<CheckpointStore> store, Manifest template, LongSupplier nanoClock) {
        this.policy = policy;
        this.store = store;
        this.template = template;
        this.nanoClock = nanoClock;
        store.ifPresent(st -> heartbeat.scheduleWithFixedDelay(() -> {
            try {
                st.heartbeat();
            } catch (IOException | RuntimeException e) {
                LOG.warn("checkpoint lease heartbeat failed: {}", e.toString());
            }
        }, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS));
    }

    /** The loop's state that a checkpoint must capture besides the network. */
    record State(long step, int epoch, int batch, Double validationLoss, Map<String, Double> earlyStopping,
                 Optional<INDArray> bestParams) {
    }

    void resumedAt(long step) {
        lastSavedStep = step;
        lastGoodStep = step;
    }

    /**
     * @param lastOfEpoch the step finished its epoch: a checkpoint due now is taken after the epoch's validation
     *                    instead, so it records the validation loss, early-stopping state and the next epoch's cursor
     */
    /** A background write that failed stops the run at the next step, not at the next checkpoint. */
    private void failFast() {
        if (pending != null && pending.isDone()) {
            awaitPending();
        }
    }

    /** @param net the network, asked for only when a checkpoint is written (a peer engine's master catches up then) */
    void afterStep(Supplier<ComputationGraph> net, State state, boolean lastOfEpoch) {
        failFast();
        if (policy.everySteps() > 0 && state.step() % policy.everySteps() == 0) {
            if (lastOfEpoch) {
                stepSaveDue = true;
            } else {
                save(net.get(), state);
            }
        }
    }

    void afterEpoch(ComputationGraph net, State state) {
        if (stepSaveDue || (policy.everyEpochs() > 0 && state.epoch() % policy.everyEpochs() == 0)) {
            save(net, state);
        }
        stepSaveDue = false;
    }

    void atEnd(ComputationGraph net, State state) {
        save(net, state);
        awaitPending();
    }

    private void save(ComputationGraph net, State state) {
        if (store.isEmpty() || state.step() == lastSavedStep) {
            return;
        }
        DivergenceGuard.checkParameters(net, state.step(), state.epoch()); // a checkpoint never holds a NaN
        long start = nanoClock.getAsLong();
        awaitPending();
        // The pause: a consistent in-memory snapshot at the step boundary. Serialising (zip) and writing run behind.
        ComputationGraph snapshot = snapshot(net);
        Optional<INDArray> best = state.bestParams().map(INDArray::dup);
        Manifest manifest = new Manifest(Manifest.FORMAT, state.step(), state.epoch(), state.batch(), template.seed(),
                state.validationLoss(), state.earlyStopping(), template.config(), template.versions(), template.data(),
                Map.of());
        long paused = nanoClock.getAsLong() - start;
        pauseNanos += paused;
        maxPauseNanos = Math.max(maxPauseNanos, paused);
        lastSavedStep = state.step();
        CheckpointStore target = store.get();
        pending = writer.submit(() -> {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put(CheckpointStore.MODEL, serialise(snapshot));
            best.ifPresent(p -> files.put(BEST_PARAMS, serialise(p)));
            write(target, manifest, files);
        });
    }

    private void write(CheckpointStore target, Manifest manifest, Map<String, byte[]> files) {
        long start = nanoClock.getAsLong();
        try {
            String uri = target.write(manifest, files);
            lastGoodStep = manifest.step();
            List<Long> deleted = target.prune(policy.keepLast(), policy.keepBest());
            LOG.info("checkpoint at step {} written to {}{}", manifest.step(), uri,
                    deleted.isEmpty() ? "" : "; removed older steps " + deleted);
        } catch (CheckpointException e) {
            throw e; // the lease was lost: another run writes here now
        } catch (IOException | RuntimeException e) {
            throw new CheckpointWriteException("cannot write the checkpoint of step " + manifest.step() + " to "
                    + target.uri() + " (checkpoint.dir): " + String.valueOf(e).lines().findFirst().orElse("")
                    + "; the last good checkpoint "
                    + (lastGoodStep < 0 ? "(none was written)" : "is step " + lastGoodStep) + " and is intact", e);
        } finally {
            writeNanos += nanoClock.getAsLong() - start;
            written++;
        }
    }

    private void awaitPending() {
        if (pending == null) {
            return;
        }
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("interrupted while writing a checkpoint", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new CheckpointWriteException(e.getCause().getMessage(), e.getCause());
        } finally {
            pending = null;
        }
    }

    /** Parameters, updater state and the step/epoch counters (which DL4J's clone() resets) of {@code net}. */
    static ComputationGraph snapshot(ComputationGraph net) {
        ComputationGraph copy = net.clone();
        INDArray state = net.getUpdater().getStateViewArray();
        if (state != null) {
            copy.getUpdater().getStateViewArray().assign(state);
        }
        copy.getConfiguration().setIterationCount(net.getIterationCount());
        copy.getConfiguration().setEpochCount(net.getEpochCount());
        return copy;
    }

    /** The DL4J model zip of {@code net}, updater state included. */
    static byte[] serialise(ComputationGraph net) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, bytes, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the model", e);
        }
        return bytes.toByteArray();
    }

    private static byte[] serialise(INDArray array) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(array, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the best parameters", e);
        }
        return bytes.toByteArray();
    }

    /** Checkpoint counts and the training pause they cost, for summary.json. */
    Map<String, Object> stats() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("written", written);
        s.put("msPausePerCheckpoint", written == 0 ? 0.0 : pauseNanos / 1e6 / written);
        s.put("msMaxPause", maxPauseNanos / 1e6);
        s.put("msWritePerCheckpoint", written == 0 ? 0.0 : writeNanos / 1e6 / written);
        store.ifPresent(st -> s.put("dir", st.uri()));
        return s;
    }

    @Override
    public void close() {
        try {
            awaitPending();
        } finally {
            writer.shutdownNow();
            heartbeat.shutdownNow();
        }
    }
}
