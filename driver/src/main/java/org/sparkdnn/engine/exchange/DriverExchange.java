package org.sparkdnn.engine.exchange;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.server.ParameterServer;
import org.sparkdnn.ps.server.WorkerLostException;
import org.sparkdnn.step.GlobalUpdate;
import org.sparkdnn.task.EpochTask;
import org.sparkdnn.task.RunRows;
import org.sparkdnn.task.WorkerSpec;
import scala.Function1;
import scala.Tuple2;
import scala.collection.Iterator;

/**
 * {@code cluster.exchange: driver}: per step the parameter server sends the master's parameters, gathers the k raw
 * shard gradients, and the driver sums them in worker order and applies DL4J's updater once ({@link GlobalUpdate}).
 * The master is always current; a lost worker fails only the current step, which the next stage attempt's workers
 * compute again.
 */
final class DriverExchange implements GradientExchange {
    private final ComputationGraph master;
    private final GlobalUpdate update;
    private final ParameterServer ps;
    private int workers;
    private long computeNanos;
    private long exchangeNanos;
    private long applyNanos;

    DriverExchange(ComputationGraph master, GlobalUpdate update, ParameterServer ps, int workers) {
        this.master = master;
        this.update = update;
        this.ps = ps;
        this.workers = workers;
    }

    @Override
    public WorkerSpec spec(WorkerSpec common) {
        return common;
    }

    @Override
    public Function1<Iterator<Tuple2<Integer, RowBlock>>, Iterator<Long>> task(WorkerSpec spec, int epoch,
                                                                              RunRows run) {
        return new EpochTask(spec, epoch, run);
    }

    @Override
    public void workersJoined(int workers) {
        this.workers = workers;
    }

    @Override
    public double step(int epoch, int batch, int[] rows) throws WorkerLostException, InterruptedException {
        long start = System.nanoTime();
        PsMessage.Gradient[] gradients = ps.step(master.getIterationCount(), epoch, batch, master.params(),
                BatchPlan.shardSizes(rows.length, workers));
        long exchanged = System.nanoTime();
        List<INDArray> parts = new ArrayList<>(gradients.length);
        double lossSum = 0;
        long slowest = 0;
        for (PsMessage.Gradient g : gradients) {
            parts.add(g.gradient().castTo(master.params().dataType()));
            lossSum += g.lossSum();
            slowest = Math.max(slowest, g.computeNanos());
        }
        update.applyInWorkerOrder(parts, rows.length, epoch);
        computeNanos += slowest;
        exchangeNanos += exchanged - start;
        applyNanos += System.nanoTime() - exchanged;
        return lossSum / rows.length;
    }

    @Override
    public void syncMaster() {
        // the master applies every step itself
    }

    @Override
    public String retryPlan() {
        return "the step is computed again";
    }

    @Override
    public long nextStep() {
        return master.getIterationCount();
    }

    @Override
    public Map<String, Double> gradientNorms() {
        return update.norms();
    }

    @Override
    public Map<String, Object> stats(long steps) {
        double n = Math.max(1, steps);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("msWorkerComputePerStep", computeNanos / 1e6 / n);
        stats.put("exchange", "driver");
        stats.put("msExchangePerStep", exchangeNanos / 1e6 / n);
        stats.put("msTransferAndWaitPerStep", (exchangeNanos - computeNanos) / 1e6 / n);
        stats.put("msDriverApplyPerStep", applyNanos / 1e6 / n);
        return stats;
    }
}
