package org.sparkdnn.engine.exchange;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.PeerUpdate;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.peer.Buckets;
import org.sparkdnn.ps.peer.PortRange;
import org.sparkdnn.ps.server.ParameterServer;
import org.sparkdnn.ps.server.WorkerLostException;
import org.sparkdnn.step.GlobalUpdate;
import org.sparkdnn.step.SliceUpdate;
import org.sparkdnn.step.TrainingState;
import org.sparkdnn.task.PeerEpochTask;
import org.sparkdnn.task.RunRows;
import org.sparkdnn.task.WorkerSpec;
import scala.Function1;
import scala.Tuple2;
import scala.collection.Iterator;

/**
 * {@code cluster.exchange: peer}: the driver sends only the step's batch index; the workers all-reduce their
 * gradients among themselves (summed in worker order, {@code PeerMesh}) and each applies DL4J's updater to its replica
 * — with owner slices ({@code cluster.peer.update}) each its slice, then an all-gather of the parameters. The driver's
 * master catches up ({@link PeerCatchUp}: worker 0's state, every worker's digest compared) only when it is needed —
 * checkpoints, epoch ends, a diverged loss. A new stage attempt's workers start from the master's state and replay
 * the steps since it caught up, which are deterministic: the result is bitwise the same. The parameter server is
 * only this exchange's control plane here: it relays the workers' mesh addresses, the state and the steps.
 */
final class PeerExchange implements GradientExchange {
    private static final Logger LOG = LoggerFactory.getLogger(PeerExchange.class);

    private final ComputationGraph master;
    private final GlobalUpdate update;
    private final ParameterServer ps;
    private final boolean ownerSlices;
    private final boolean overlap;
    private final Buckets buckets;
    private final PortRange ports;
    private final int normsEvery;
    private final List<String> normNames;
    private final List<PsMessage.Step> sinceSync = new ArrayList<>();
    private final PeerCatchUp catchUp;
    private int workers;
    private boolean restore;
    private Map<String, Double> norms = Map.of();
    private long computeNanos;
    private long roundNanos;
    private long exchangeNanos;
    private long applyNanos;
    private long restoreNanos;
    private long replayed;

    PeerExchange(RunConfig config, ComputationGraph master, GlobalUpdate update, ParameterServer ps) {
        this.master = master;
        this.update = update;
        this.ps = ps;
        this.workers = config.cluster().workers();
        this.ownerSlices = ownerSlices(config.cluster().peer().update(), master);
        this.buckets = Buckets.of(master.numParams(), workers, config.cluster().peer().bucketMB(),
                master.params().dataType().width());
        // one bucket (a model under 1 MiB): nothing could overlap, the exchange runs after the backward pass
        this.overlap = ownerSlices && config.cluster().peer().overlap() && buckets.count() > 1;
        this.ports = config.cluster().peer().portLow() == 0 ? PortRange.ANY
                : new PortRange(config.cluster().peer().portLow(), config.cluster().peer().portHigh());
        this.normsEvery = config.training().gradientNormsEvery();
        this.normNames = List.copyOf(update.computeNorms(1).keySet());
        this.catchUp = new PeerCatchUp(master, ps, ownerSlices, buckets);
    }

    /** {@code cluster.peer.update} resolved: owner slices unless asked not to or the model needs whole layers. */
    private static boolean ownerSlices(PeerUpdate asked, ComputationGraph master) {
        if (asked == PeerUpdate.REPLICATED) {
            return false;
        }
        String why = SliceUpdate.unsupported(master);
        if (why == null) {
            return true;
        }
        if (asked == PeerUpdate.OWNER) {
            throw new ConfigException("cluster.peer.update", "owner cannot update this model exactly: " + why
                    + "; use replicated or auto", "owner");
        }
        LOG.info("exchange peer: every worker applies the whole update (owner slices cannot: {})", why);
        return false;
    }

    @Override
    public WorkerSpec spec(WorkerSpec common) {
        // executors that reach the driver on loopback run on its machine: they reach each other there too
        String host = common.server().host().startsWith("127.") ? common.server().host() : null;
        return new WorkerSpec(common.server(), common.model(), common.plan(), common.fault(),
                new WorkerSpec.Peer(host, ownerSlices, buckets, overlap, ports));
    }

    @Override
    public Function1<Iterator<Tuple2<Integer, RowBlock>>, Iterator<Long>> task(WorkerSpec spec, int epoch,
                                                                              RunRows run) {
        return new PeerEpochTask(spec, epoch, run);
    }

    @Override
    public void workersJoined(int workers) {
        this.workers = workers;
        restore = true;
    }

    @Override
    public long nextStep() {
        return next();
    }

    /** The step the next {@code Step} trains: the master's, plus the steps the workers applied since it caught up. */
    private long next() {
        return master.getIterationCount() + sinceSync.size();
    }

    @Override
    public double step(int epoch, int batch, int[] rows) throws WorkerLostException, InterruptedException {
        restoreIfJoined();
        long step = next();
        boolean withNorms = normsEvery > 0 && step % normsEvery == 0;
        PsMessage.Step message = new PsMessage.Step(step, epoch, batch, rows.length, withNorms);
        long start = System.nanoTime();
        PsMessage.StepDone[] done = round(message);
        roundNanos += System.nanoTime() - start;
        sinceSync.add(message);
        double lossSum = 0;
        long compute = 0;
        long exchange = 0;
        long apply = 0;
        for (PsMessage.StepDone d : done) {
            lossSum += d.lossSum();
            compute = Math.max(compute, d.computeNanos());
            exchange = Math.max(exchange, d.exchangeNanos());
            apply = Math.max(apply, d.applyNanos());
        }
        computeNanos += compute;
        exchangeNanos += exchange;
        applyNanos += apply;
        norms = withNorms ? named(done[0]) : Map.of();
        return lossSum / rows.length;
    }

    private Map<String, Double> named(PsMessage.StepDone done) {
        Map<String, Double> named = new LinkedHashMap<>();
        for (int i = 0; i < normNames.size(); i++) {
            named.put(normNames.get(i), done.norms().getDouble(i));
        }
        return named;
    }

    /** Sends {@code step} to every worker; their replies, checked (a malformed one fails the step like a lost worker). */
    private PsMessage.StepDone[] round(PsMessage.Step step) throws WorkerLostException, InterruptedException {
        int[] shards = BatchPlan.shardSizes(step.batchSize(), workers);
        return ps.round(step.step(), step, PsMessage.StepDone.class,
                (w, d) -> stepDoneFault(w, d, shards[w], step.norms()));
    }

    private String stepDoneFault(int worker, PsMessage.StepDone d, int shardRows, boolean withNorms) {
        boolean wantNorms = withNorms && worker == 0;
        if (d.examples() != shardRows) {
            return "a step of " + d.examples() + " examples for a shard of " + shardRows;
        }
        if (wantNorms != (d.norms() != null) || (wantNorms && d.norms().length() != normNames.size())) {
            return "gradient norms " + (d.norms() == null ? "missing" : "of " + d.norms().length() + " layers")
                    + " where " + (wantNorms ? normNames.size() + " layers'" : "none") + " were due";
        }
        return null;
    }

    /**
     * After workers joined: they connect their mesh (the driver relays the addresses) and continue from the master's
     * state; the steps applied since it caught up are trained again (deterministic: the same batches, dropout masks
     * and sums in worker order).
     */
    private void restoreIfJoined() throws WorkerLostException, InterruptedException {
        if (!restore) {
            return;
        }
        long start = System.nanoTime();
        long at = master.getIterationCount();
        PsMessage.PeerAddress[] addresses = ps.collect(at, PsMessage.PeerAddress.class,
                (w, a) -> a.address().matches("[^\\s]+:[0-9]{1,5}") ? null : "a malformed peer address " + a.address());
        List<String> mesh = new ArrayList<>();
        for (PsMessage.PeerAddress a : addresses) {
            mesh.add(a.address());
        }
        ps.broadcast(at, new PsMessage.Peers(at, List.copyOf(mesh)));
        ps.broadcast(at, new PsMessage.State("driver", -1, -1, at, master.getEpochCount(), new byte[0],
                master.params(), TrainingState.updaterState(master)));
        for (PsMessage.Step s : sinceSync) {
            round(s);
            replayed++;
        }
        restoreNanos += System.nanoTime() - start;
        restore = false;
    }

    @Override
    public void syncMaster() throws WorkerLostException, InterruptedException {
        if (sinceSync.isEmpty()) {
            return;
        }
        restoreIfJoined();
        catchUp.run(next());
        sinceSync.clear();
    }

    @Override
    public String retryPlan() {
        return "the next attempt continues from step " + master.getIterationCount() + " and replays "
                + sinceSync.size() + " steps";
    }

    @Override
    public Map<String, Double> gradientNorms() {
        return norms;
    }

    @Override
    public Map<String, Object> stats(long steps) {
        double n = Math.max(1, steps);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("msWorkerComputePerStep", computeNanos / 1e6 / n);
        stats.put("exchange", "peer");
        stats.put("peerUpdate", ownerSlices ? "owner" : "replicated");
        stats.put("overlap", overlap);
        stats.put("buckets", buckets.count());
        stats.put("msStepRoundTripPerStep", roundNanos / 1e6 / n);
        stats.put("msPeerExchangePerStep", exchangeNanos / 1e6 / n);
        stats.put("msWorkerApplyPerStep", applyNanos / 1e6 / n);
        stats.put("peerBytesPerWorkerPerStep", 2.0 * (workers - 1) / workers * master.numParams()
                * master.params().dataType().width());
        stats.put("secondsStateToWorkers", restoreNanos / 1e9);
        stats.put("catchUps", catchUp.count());
        stats.put("secondsCatchUp", catchUp.seconds());
        stats.put("stepsReplayed", replayed);
        return stats;
    }
}
