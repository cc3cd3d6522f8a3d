package org.sparkdnn.task;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkdnn.model.BatchNormExchange;
import org.sparkdnn.ps.peer.Buckets;
import org.sparkdnn.ps.peer.PeerMesh;
import org.sparkdnn.step.ExchangeProgress;
import org.sparkdnn.step.HookedGraph;
import org.sparkdnn.step.SliceUpdate;

/**
 * A worker's exchange with owner slices, overlapped with its computation ({@code cluster.peer.overlap}): one exchange
 * thread runs the mesh operations in the order they are started. The reduce-scatter of a step starts before its
 * backward pass and sends each bucket as soon as the backward pass has finished it (last bucket first); the
 * all-gather of the new parameters starts after the owner update and runs on while the worker reports the step done
 * and the next step's forward pass begins, each layer waiting only for its own parameters. Anything else that reads
 * the parameters first waits for the whole gather ({@link #drain}).
 */
final class OverlappedExchange implements AutoCloseable {
    /** A mesh operation. */
    interface Exchange {
        void run() throws IOException;
    }

    private final PeerMesh mesh;
    private final Buckets layout;
    private final HookedGraph net;
    private final ExchangeProgress progress;
    private final ExecutorService thread;
    private final long timeoutMillis;
    private Future<?> gathering;

    OverlappedExchange(PeerMesh mesh, Buckets layout, HookedGraph net, int worker, long timeoutMillis) {
        this.mesh = mesh;
        this.layout = layout;
        this.net = net;
        this.timeoutMillis = timeoutMillis;
        // without every layer hooked, the gradient is final only after the whole backward pass
        this.progress = new ExchangeProgress(layout.n(), net.everyLayerHooked() ? net.layerStarts() : new long[0],
                timeoutMillis);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "peer-exchange-" + worker);
            t.setDaemon(true);
            return t;
        });
        net.progress(progress);
    }

    /**
     * The in-step collective of synchronized BatchNorm: run by the exchange thread between buckets
     * ({@link ExchangeProgress#awaitGradient}), so that it never waits behind a bucket whose layer waits for it.
     */
    BatchNormExchange.Exchange batchNorm() {
        Map<String, long[]> ranges = SliceUpdate.layerRanges(net);
        return new BatchNormExchange.Exchange() {
            @Override
            public BatchNormExchange.Merged exchange(long step, int pass, double[] mine) {
                List<List<double[]>> got = new ArrayList<>(1);
                progress.runOnExchange(() -> got.add(mesh.allGatherValues(step, pass, mine)));
                return BatchNormExchange.merge(got.get(0));
            }

            @Override
            public void idleBackward(String layer) {
                long[] range = ranges.get(layer);
                if (range != null) {
                    progress.doneFrom(range[1]);
                }
            }
        };
    }

    /** Starts the reduce-scatter of {@code gradient} (the network's own flat gradient) before its backward pass. */
    Future<?> startScatter(long step, INDArray gradient) {
        progress.beginBackward();
        return submit(() -> mesh.reduceScatter(step, gradient, gradient, layout, progress::awaitGradient));
    }

    /** After the backward pass: the whole gradient is final; waits until this worker's pieces are summed. */
    void finishScatter(Future<?> scatter) throws IOException {
        progress.allReady();
        await(scatter);
    }

    /** Starts the all-gather of the parameters after the owner update. */
    void startGather(long step, INDArray params) {
        progress.beginGather();
        gathering = submit(() -> mesh.allGather(step, params, layout, progress::gatheredTo));
    }

    /** Runs a mesh operation now, after those started before it. */
    void run(Exchange exchange) throws IOException {
        await(submit(exchange));
    }

    /** Waits until the parameters are whole again (before a checkpoint, a new state, the end). */
    void drain() throws IOException {
        if (gathering != null) {
            Future<?> g = gathering;
            gathering = null;
            await(g);
        }
    }

    /** How long forward passes waited for parameters since the last call. */
    long takeGatherWaitNanos() {
        return progress.takeGatherWaitNanos();
    }

    private Future<?> submit(Exchange exchange) {
        return thread.submit(() -> {
            try {
                exchange.run();
            } catch (IOException e) {
                progress.fail(e);
                throw e;
            } catch (RuntimeException | Error e) {
                progress.fail(new IOException(e));
                throw e;
            }
            return null;
        });
    }

    private void await(Future<?> f) throws IOException {
        try {
            f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("the exchange thread failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the exchange did not finish within " + timeoutMillis / 1000 + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the exchange", e);
        }
    }

    @Override
    public void close() {
        net.progress(null);
        progress.fail(new IOException("the task ended"));
        thread.shutdownNow();
    }
}
