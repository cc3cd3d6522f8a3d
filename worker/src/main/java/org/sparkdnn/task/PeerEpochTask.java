package org.sparkdnn.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.Future;
import org.apache.spark.SparkEnv;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Examples;
import org.sparkdnn.model.BatchNormExchange;
import org.sparkdnn.model.Dl4jMapping;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.client.PsClient;
import org.sparkdnn.ps.peer.Buckets;
import org.sparkdnn.ps.peer.PeerMesh;
import org.sparkdnn.step.GlobalUpdate;
import org.sparkdnn.step.HookedGraph;
import org.sparkdnn.step.ShardGradient;
import org.sparkdnn.step.SliceUpdate;
import org.sparkdnn.step.TrainingState;

/**
 * The body of one barrier task of the {@code sync} engine with {@code cluster.exchange: peer}: worker w of epoch e,
 * or of every epoch from e on (a run-wide stage, {@link RunRows}: one mesh for the whole run).
 * It opens a listening socket, registers with the driver, tells it the socket's address and learns every other
 * worker's (the driver relays them: Spark's barrier {@code allGather} would cost a second per epoch, it polls once a
 * second), connects the mesh ({@link PeerMesh}) and takes the training state to continue from.
 * Then per {@code Step}: the gradient of its shard, the all-reduce with the other workers (summed in worker order),
 * DL4J's updater on its own replica — the same bytes on every worker — and a small {@code StepDone} to the driver.
 * With owner slices ({@code cluster.peer.update}) the all-reduce stops half way: the reduce-scatter leaves the summed
 * gradient of its own slice, which it updates with its slice of the optimizer state ({@link SliceUpdate}), and the
 * all-gather then moves the new parameters instead of the summed gradient. With {@code cluster.peer.overlap} (owner slices
 * in more than one bucket) the exchange runs on a thread of its own, overlapped with the backward pass and the next
 * forward pass ({@link OverlappedExchange}).
 * On {@code Fetch} it sends its state (worker 0 the tensors, the others a digest the driver compares; with owner
 * slices every worker its slice of the optimizer state, and digests of the parameters).
 */
public final class PeerEpochTask extends BarrierEpochTask {
    private static final Logger LOG = LoggerFactory.getLogger(PeerEpochTask.class);

    /** A task of one epoch's stage: its partition holds its shards of {@code epoch}. */
    public PeerEpochTask(WorkerSpec spec, int epoch) {
        this(spec, epoch, null);
    }

    /** A task from {@code epoch} on, see {@link BarrierEpochTask#BarrierEpochTask}. */
    public PeerEpochTask(WorkerSpec spec, int epoch, RunRows run) {
        super(spec, epoch, run);
    }

    @Override
    protected Replica replica() {
        return new Replica(spec.model().json(), spec.model().threads(), spec.peer().overlap());
    }

    @Override
    protected long serve(Task task) throws IOException {
        GlobalUpdate update = new GlobalUpdate(task.replica().network(), probe());
        long ready = System.nanoTime();
        int worker = task.worker();
        WorkerSpec.Server server = spec.server();
        String host = spec.peer().host() != null ? spec.peer().host()
                : SparkEnv.get().blockManager().blockManagerId().host();
        try (ServerSocketChannel listener = PeerMesh.listen(InetAddress.getByName(host), spec.workers(),
                spec.peer().ports());
             PsClient ps = PsClient.connect(server.host(), server.port(), server.stepTimeoutMillis(),
                     server.stepTimeoutMillis(), task.replica().parameters())) {
            String address = host + ":" + listener.socket().getLocalPort();
            long next = ps.register(server.jobId(), server.secret(), worker, task.attempt(), epoch,
                    server.integrity());
            ps.send(new PsMessage.PeerAddress(server.jobId(), worker, task.attempt(), next, address));
            PsMessage peers = ps.receive();
            if (!(peers instanceof PsMessage.Peers p) || p.addresses().size() != spec.workers()
                    || !p.addresses().get(worker).equals(address)) {
                throw new IOException("expected the " + spec.workers() + " workers' addresses with " + address
                        + " as worker " + worker + "'s, got " + peers);
            }
            PeerMesh.Identity me = new PeerMesh.Identity(server.jobId(), server.secret(), worker, spec.workers(),
                    task.attempt(), epoch);
            try (PeerMesh mesh = PeerMesh.connect(listener, p.addresses().toArray(new String[0]), me,
                    server.stepTimeoutMillis(), server.integrity())) {
                LOG.info("{}: {} rows, mesh of {} workers ({}) ready in {} ms (shards {} ms incl. reading them, replica "
                        + "{} ms); next step {}", where(worker, task.attempt()), task.shards().rows(), spec.workers(),
                        address, (System.nanoTime() - task.startNanos()) / 1_000_000,
                        (task.shardsNanos() - task.startNanos()) / 1_000_000, (ready - task.shardsNanos()) / 1_000_000,
                        next);
                return serve(ps, mesh, task, update);
            }
        }
    }

    /** One all-zero example: its backward pass creates the replica's per-variable gradient views. */
    private DataSet probe() {
        int d = spec.model().features();
        Examples zero = new Examples("probe", "row", d, new float[d], new float[1], new int[1]);
        return new ExampleMatrix(zero, spec.model().loss(), spec.model().classes(),
                Dl4jMapping.dataType(spec.model().dataType())).batch(new int[] {0});
    }

    private long serve(PsClient ps, PeerMesh mesh, Task task, GlobalUpdate update) throws IOException {
        ComputationGraph net = task.replica().network();
        Buckets layout = spec.peer().buckets();
        if (layout.n() != net.numParams() || layout.workers() != spec.workers()) {
            throw new IOException("the driver's bucket layout covers " + layout.n() + " parameters of "
                    + layout.workers() + " workers, this replica has " + net.numParams() + " of " + spec.workers());
        }
        SliceUpdate slice = spec.peer().ownerSlices() ? new SliceUpdate(net, mesh.owned(layout)) : null;
        OverlappedExchange overlap = spec.peer().overlap() // implies owner slices and a HookedGraph replica
                ? new OverlappedExchange(mesh, layout, (HookedGraph) net, task.worker(),
                        spec.server().stepTimeoutMillis()) : null;
        // synchronized BatchNorm's statistics: straight over the mesh, or handed to the overlapped exchange's thread
        task.replica().batchNorm(overlap != null ? overlap.batchNorm() : (step, pass, mine) -> {
            try {
                return BatchNormExchange.merge(mesh.allGatherValues(step, pass, mine));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task.worker());
        try {
            return serve(ps, mesh, layout, slice, overlap, task, update);
        } finally {
            if (overlap != null) {
                overlap.close();
            }
        }
    }

    private long serve(PsClient ps, PeerMesh mesh, Buckets layout, SliceUpdate slice, OverlappedExchange overlap,
                       Task task, GlobalUpdate update) throws IOException {
        ComputationGraph net = task.replica().network();
        TaskShards shards = task.shards();
        Replica replica = task.replica();
        int worker = task.worker();
        int attempt = task.attempt();
        boolean constraints = update.hasConstraints();
        long steps = 0;
        boolean restored = false;
        while (true) {
            PsMessage message = ps.receive();
            if (overlap != null && !(message instanceof PsMessage.Step)) {
                overlap.drain(); // the parameters are whole before anything but the next step reads them
            }
            if (message instanceof PsMessage.EndEpoch) {
                return steps;
            }
            if (message instanceof PsMessage.State s) {
                try {
                    if (slice == null) {
                        TrainingState.restore(net, s.params(), s.updaterState(), s.step(), s.epoch());
                    } else {
                        slice.loadState(s.updaterState()); // checks it fits before anything changes
                        TrainingState.restoreParameters(net, s.params(), s.step(), s.epoch());
                    }
                } catch (IllegalArgumentException e) {
                    throw new IOException("the parameter server sent a state that does not fit the model: "
                            + e.getMessage(), e);
                }
                restored = true;
                continue;
            }
            if (!restored) {
                throw new IOException("expected the training state from the parameter server first, got " + message);
            }
            if (message instanceof PsMessage.Fetch f) {
                // owner slices: the parameters are the same everywhere, each worker holds its slice of the state
                INDArray state = slice != null ? slice.state() : TrainingState.updaterState(net);
                boolean all = slice != null || worker == 0;
                ps.send(new PsMessage.State(spec.server().jobId(), worker, attempt, f.step(), net.getEpochCount(),
                        slice != null ? TrainingState.parametersDigest(net) : TrainingState.digest(net),
                        worker == 0 ? net.params() : null, all ? state : null));
                continue;
            }
            if (!(message instanceof PsMessage.Step st)) {
                throw new IOException("expected Step, Fetch or EndEpoch from the parameter server, got " + message);
            }
            beforeStep(task, st.step());
            if (st.step() != net.getIterationCount()) {
                throw new IOException("step " + st.step() + " asked of a replica at step " + net.getIterationCount());
            }
            boolean norms = st.norms() && worker == 0; // every worker gathers the gradient, worker 0 reports
            Done d = overlap != null
                    ? overlappedStep(st, norms, mesh, layout, slice, overlap, shards, replica, update, constraints)
                    : step(st, norms, mesh, layout, slice, shards, replica, update);
            ps.send(new PsMessage.StepDone(spec.server().jobId(), worker, attempt, st.step(), d.gradient().lossSum(),
                    d.gradient().examples(), d.compute(), d.exchange(), d.apply(),
                    norms ? norms(update) : null));
            steps++;
        }
    }

    /** A step's shard gradient and its compute, exchange and apply nanoseconds. */
    private record Done(ShardGradient gradient, long compute, long exchange, long apply) {
    }

    /** One step without overlap. */
    private Done step(PsMessage.Step st, boolean norms, PeerMesh mesh, Buckets layout, SliceUpdate slice,
                      TaskShards shards, Replica replica, GlobalUpdate update) throws IOException {
        long t0 = System.nanoTime();
        ShardGradient g;
        try {
            g = replica.gradient(st.step(), shards.epoch(st.epoch()), st.batch());
        } catch (RuntimeException e) {
            throw ioFailure(e); // a BatchNorm exchange within the step failed
        }
        long t1 = System.nanoTime();
        if (slice == null) {
            mesh.allReduce(st.step(), g.gradient(), update.gradientView());
            long t2 = System.nanoTime();
            if (norms) {
                update.computeNorms(st.batchSize());
            }
            update.update(st.batchSize(), st.epoch());
            return new Done(g, t1 - t0, t2 - t1, System.nanoTime() - t2);
        }
        mesh.reduceScatter(st.step(), g.gradient(), update.gradientView(), layout, from -> { });
        if (st.norms()) {
            mesh.allGather(st.step(), update.gradientView(), layout, end -> { }); // the summed gradient, for its norms
        }
        if (norms) {
            update.computeNorms(st.batchSize()); // before the update divides the gradient in place
        }
        long scattered = System.nanoTime();
        long[] gather = new long[1];
        update.updateSlice(slice, st.batchSize(), st.epoch(), params -> {
            long before = System.nanoTime();
            mesh.allGather(st.step(), params, layout, end -> { });
            gather[0] = System.nanoTime() - before;
        });
        // exchange: the reduce-scatter (and the norms' gather) and the parameters' gather; apply: the rest
        return new Done(g, t1 - t0, scattered - t1 + gather[0], System.nanoTime() - scattered - gather[0]);
    }

    /**
     * One owner-slice step overlapped with computation ({@link OverlappedExchange}); returns compute (less the
     * forward pass's waits for parameters), exchange (the time computation waited for it: those waits, the rest of
     * the reduce-scatter after the backward pass) and apply nanoseconds.
     */
    private Done overlappedStep(PsMessage.Step st, boolean norms, PeerMesh mesh, Buckets layout, SliceUpdate slice,
                                OverlappedExchange overlap, TaskShards shards, Replica replica, GlobalUpdate update,
                                boolean constraints) throws IOException {
        long t0 = System.nanoTime();
        Future<?> scatter = overlap.startScatter(st.step(), update.gradientView());
        ShardGradient g;
        try {
            g = replica.gradientInPlace(st.step(), shards.epoch(st.epoch()), st.batch());
        } catch (RuntimeException e) {
            // the exchange failed while a layer waited for its parameters or a BatchNorm collective
            throw ioFailure(e);
        }
        long t1 = System.nanoTime();
        long waited = overlap.takeGatherWaitNanos();
        overlap.finishScatter(scatter);
        if (st.norms()) {
            overlap.run(() -> mesh.allGather(st.step(), update.gradientView(), layout, end -> { }));
            if (norms) {
                update.computeNorms(st.batchSize());
            }
        }
        long scattered = System.nanoTime();
        update.updateOwnSlice(slice, st.batchSize(), st.epoch());
        long gather = 0;
        if (constraints) { // they need the whole new parameters now
            long before = System.nanoTime();
            overlap.run(() -> mesh.allGather(st.step(), replica.network().params(), layout, end -> { }));
            gather = System.nanoTime() - before;
            update.applyConstraints(st.epoch());
        } else {
            overlap.startGather(st.step(), replica.network().params());
        }
        return new Done(g, t1 - t0 - waited, waited + scattered - t1 + gather, System.nanoTime() - scattered - gather);
    }

    private static INDArray norms(GlobalUpdate update) {
        return Nd4j.createFromArray(update.norms().values().stream()
                .mapToDouble(Double::doubleValue).toArray());
    }
}
