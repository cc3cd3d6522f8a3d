package org.sparkdnn.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.model.BatchNormExchange;
import org.sparkdnn.step.GlobalUpdate;
import org.sparkdnn.task.GpuBinding;
import org.sparkdnn.task.FlatVector;
import org.sparkdnn.task.ReferenceTask;
import org.sparkdnn.task.Replica;
import org.sparkdnn.task.WorkerShards;
import org.sparkdnn.task.WorkerSpec;
import scala.Tuple2;

/**
 * The {@code reference} engine: the same math as {@code sync}, as one plain Spark job per step (broadcast the
 * parameters, one gradient per partition, {@code collect()} in partition order, sum in worker order, apply once).
 * Slow and simple: the oracle the {@code sync} engine is checked against, and a fallback.
 */
public final class ReferenceEngine implements StepEngine {
    private final JavaSparkContext sc;
    private final RunConfig config;
    private final ComputationGraph master;
    private final GlobalUpdate update;
    private final EpochData data;
    private final WorkerSpec spec;
    private int epoch = -1;
    private JavaRDD<ReferenceTask.Worker> shards;
    private long steps;
    private long jobNanos;
    private long applyNanos;
    private long epochStartNanos;
    private long batchNormJobs;

    public ReferenceEngine(JavaSparkContext sc, RunConfig config, ComputationGraph master, EngineInput input) {
        this.sc = sc;
        this.config = config;
        this.master = master;
        this.update = new GlobalUpdate(master, input.firstRow());
        this.spec = WorkerSpecs.of(config, master, input, new WorkerSpec.Server("reference", "", 0, "",
                config.cluster().stepTimeoutSeconds() * 1000, config.cluster().frameIntegrity()));
        this.data = input.epochData(sc);
    }

    @Override
    public double step(int stepEpoch, int batch, int[] rows) {
        long begin = System.nanoTime();
        if (stepEpoch != epoch) {
            endEpoch(epoch);
            epoch = stepEpoch;
            sc.setJobGroup("sparkdnn-reference", String.format("train epoch %d/%d, reference, %d workers",
                    stepEpoch + 1, config.training().epochs(), config.cluster().workers()), true);
            shards = data.epoch(stepEpoch).mapPartitions(new BuildShards(spec)).persist(StorageLevel.MEMORY_ONLY());
            shards.count();
            epochStartNanos += System.nanoTime() - begin;
        }
        long start = System.nanoTime();
        INDArray params = master.params();
        Broadcast<FlatVector> broadcast = sc.broadcast(FlatVector.of(params, params.dataType()));
        List<ReferenceTask.Result> results;
        try {
            // synchronized BatchNorm: a job per collective of the step, each replaying it up to the first collective
            // not merged yet (ReferenceTask); the k vectors merged here, in worker order
            List<BatchNormExchange.Merged> known = new ArrayList<>();
            while (true) {
                results = shards.mapPartitions(new ReferenceTask(spec, broadcast, batch, master.getIterationCount(),
                        known)).collect();
                long paused = results.stream().filter(r -> r.statistics() != null).count();
                if (paused == 0) {
                    break;
                }
                if (paused != results.size()) {
                    throw new IllegalStateException("step " + master.getIterationCount() + ": " + paused + " of "
                            + results.size() + " workers stopped at BatchNorm collective " + known.size()
                            + ", the others finished the step");
                }
                List<double[]> vectors = new ArrayList<>(results.size());
                for (ReferenceTask.Result r : results) {
                    vectors.add(r.statistics());
                }
                known.add(BatchNormExchange.merge(vectors));
                batchNormJobs++;
            }
        } finally {
            broadcast.destroy();
        }
        long collected = System.nanoTime();
        List<INDArray> gradients = new ArrayList<>(results.size());
        double lossSum = 0;
        for (ReferenceTask.Result r : results) {
            lossSum += r.lossSum();
            gradients.add(r.gradient().toNd4j());
        }
        update.applyInWorkerOrder(gradients, rows.length, stepEpoch);
        jobNanos += collected - start;
        applyNanos += System.nanoTime() - collected;
        steps++;
        return lossSum / rows.length;
    }

    @Override
    public void endEpoch(int ended) {
        if (shards != null) {
            shards.unpersist(false);
            shards = null;
        }
        epoch = -1;
    }

    @Override
    public ComputationGraph network() {
        return master;
    }

    @Override
    public Map<String, Double> gradientNorms() {
        return update.norms();
    }

    @Override
    public Map<String, Object> stats() {
        double n = Math.max(1, steps);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("steps", steps);
        stats.put("msSparkJobPerStep", jobNanos / 1e6 / n);
        stats.put("batchNormJobsPerStep", batchNormJobs / n);
        stats.put("msDriverApplyPerStep", applyNanos / 1e6 / n);
        stats.put("secondsEpochStart", epochStartNanos / 1e9);
        return stats;
    }

    @Override
    public void close() {
        endEpoch(epoch);
        data.close();
    }

    /** A partition of the epoch RDD as one cached worker: shards plus replica (deserialised: never shipped). */
    static final class BuildShards implements FlatMapFunction<Iterator<Tuple2<Integer, RowBlock>>, ReferenceTask.Worker> {
        private final WorkerSpec spec;

        BuildShards(WorkerSpec spec) {
            this.spec = spec;
        }

        @Override
        public Iterator<ReferenceTask.Worker> call(Iterator<Tuple2<Integer, RowBlock>> rows) {
            GpuBinding.bind(TaskContext.get());
            return List.of(new ReferenceTask.Worker(WorkerShards.build(rows, spec),
                    new Replica(spec.model().json(), spec.model().threads()))).iterator();
        }
    }
}
