package org.sparkdnn.ps.server;

import java.io.IOException;
import java.lang.reflect.Array;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.FrameIntegrity;
import org.sparkdnn.ps.ClusterException;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.Watchdog;

/**
 * The driver-hosted parameter server of one run. Workers connect per epoch (one barrier task each), present the
 * run's job id and secret, and are slotted by worker index. {@link #step} sends the parameters to every slot and
 * returns the k gradients in worker order. A broken connection fails the step ({@link WorkerLostException}); the
 * caller closes all connections and waits for Spark's retried stage to {@link #awaitWorkers re-register}. No socket
 * is written while this server's lock is held: a client that never reads cannot block {@link #close}, the waits or
 * the watchdog, and every write has the step deadline.
 */
public final class ParameterServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParameterServer.class);

    private final String jobId;
    private final String secret;
    private final int workers;
    private final long parameters;
    private final long timeoutNanos;
    private final EventQueue events;
    private final Connection[] slots;
    private final Acceptor acceptor;
    private final Watchdog watchdog = new Watchdog("ps-watchdog");
    private int epoch = -1;
    private long nextStep;
    private int attempt = -1;
    private boolean ended;
    private volatile boolean closed;

    /**
     * @param parameters   the model's parameter count: every gradient must have exactly this length, and no frame
     *                     may declare more
     * @param bindAddress  local address to listen on (the executors must reach it)
     * @param stepTimeoutSeconds deadline of every wait (cluster.stepTimeoutSeconds); a connection must authenticate
     *                     within it (at most 10 s)
     */
    public ParameterServer(String jobId, String secret, int workers, long parameters, InetAddress bindAddress,
                           int stepTimeoutSeconds) throws IOException {
        this(jobId, secret, workers, parameters, new InetSocketAddress(bindAddress, 0), FrameIntegrity.MAC,
                stepTimeoutSeconds);
    }

    /**
     * @param bind      address and port to listen on ({@code cluster.psPort}; 0: any free port)
     * @param integrity whether frames after the handshake carry MACs ({@code cluster.frameIntegrity})
     */
    public ParameterServer(String jobId, String secret, int workers, long parameters, InetSocketAddress bind,
                           FrameIntegrity integrity, int stepTimeoutSeconds) throws IOException {
        this.jobId = jobId;
        this.secret = secret;
        this.workers = workers;
        this.parameters = parameters;
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(stepTimeoutSeconds);
        this.slots = new Connection[workers];
        this.events = new EventQueue(workers);
        this.acceptor = new Acceptor(this, jobId, workers, parameters, bind, new Deadlines(watchdog,
                Math.min(TimeUnit.SECONDS.toNanos(10), timeoutNanos), timeoutNanos), secret, integrity);
        acceptor.start(); // after every field is set: the reader threads call back into this server
        LOG.info("parameter server for job {} listening on {}:{} for {} workers (frame integrity: {})", jobId,
                bind.getAddress().getHostAddress(), acceptor.port(), workers, integrity.key());
    }

    /** Bytes received and sent over all worker connections so far. */
    public long bytesMoved() {
        return acceptor.bytesMoved();
    }

    public int port() {
        return acceptor.port();
    }

    /** Workers of {@code newEpoch} may now register; training continues at {@code step}. */
    public synchronized void beginEpoch(int newEpoch, long step) {
        closeAll();
        events.clear(); // the closed connections' events: none can be of the new epoch's workers
        this.epoch = newEpoch;
        this.nextStep = step;
        this.attempt = -1;
        this.ended = false;
    }

    /**
     * Waits until all k workers of the current epoch are registered under the same (newest) stage attempt.
     *
     * @param jobFailed true once the Spark job has failed (then waiting is pointless)
     */
    public synchronized void awaitWorkers(long step, BooleanSupplier jobFailed) throws InterruptedException {
        this.nextStep = step;
        long deadline = System.nanoTime() + timeoutNanos;
        while (registered() < workers) {
            if (jobFailed.getAsBoolean()) {
                throw new ClusterException("the Spark job of epoch " + (epoch + 1) + " failed while the "
                        + "parameter server waited for workers (" + registered() + "/" + workers + " registered)");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ClusterException(registered() + "/" + workers + " workers registered for epoch "
                        + (epoch + 1) + " within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s. Barrier "
                        + "mode needs " + workers + " free task slots at once (cluster.workers <= total executor "
                        + "cores); raise cluster.stepTimeoutSeconds if executors start slowly");
            }
            wait(Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
        }
    }

    private int registered() {
        int n = 0;
        for (Connection c : slots) {
            n += c != null ? 1 : 0;
        }
        return n;
    }

    /**
     * Sends the parameters of {@code step} (global batch {@code batch} of epoch {@code trainEpoch}: a stage that lasts
     * the whole run registered under the epoch it began in, and trains later ones) to every worker and returns their
     * gradients, in worker order. Each must have the model's length and type and, unless {@code shardRows} is null,
     * cover exactly its shard ({@code shardRows[w]} examples); otherwise the step fails as malformed.
     */
    public PsMessage.Gradient[] step(long step, int trainEpoch, int batch, INDArray params, int[] shardRows)
            throws WorkerLostException, InterruptedException {
        BiFunction<Integer, PsMessage.Gradient, String> check = StepReplies.gradientCheck(parameters,
                params.dataType(), shardRows);
        Connection[] current = currentOrFail(step);
        try {
            sendAll(step, current, new PsMessage.Params(step, trainEpoch, batch, params));
            // a model with synchronized BatchNorm: the step's collectives come first, each a round of k statistics
            // vectors merged in worker order and sent back, in the order every worker's passes run them
            for (int pass = 0; ; pass++) {
                PsMessage.Reply[] replies = gather(step, current, System.nanoTime() + timeoutNanos,
                        PsMessage.Reply.class, (w, r) -> null);
                if (!(replies[0] instanceof PsMessage.BatchNormStats)) {
                    return StepReplies.gradients(step, current, replies, check);
                }
                sendAll(step, current, StepReplies.mergeBatchNorm(step, pass, current, replies));
            }
        } catch (WorkerLostException e) {
            close(current);
            throw e;
        }
    }

    /**
     * Sends {@code message} to every connection of {@code current}. Socket writes ignore SO_TIMEOUT: a worker that
     * stops reading would block the send forever, so a watchdog closes the step's connections at the deadline, which
     * fails the blocked write.
     */
    private void sendAll(long step, Connection[] current, PsMessage message) throws WorkerLostException {
        try (Watchdog.Alarm alarm = watchdog.after(timeoutNanos, () -> close(current))) {
            for (Connection c : current) {
                try {
                    c.send(message);
                } catch (IOException e) {
                    throw new WorkerLostException("cannot send step " + step + " to " + c + " within "
                            + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s (cluster.stepTimeoutSeconds): "
                            + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Sends {@code message} to every worker of the current stage attempt and returns their replies of type
     * {@code type} to step {@code step}, in worker order. A reply {@code check} finds fault with (it returns what is
     * wrong, else null) fails the round like a lost worker: nothing of it is used, Spark retries the stage.
     */
    public <T extends PsMessage.Reply> T[] round(long step, PsMessage message, Class<T> type,
                                                 BiFunction<Integer, T, String> check)
            throws WorkerLostException, InterruptedException {
        Connection[] current = currentOrFail(step);
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            sendAll(step, current, message);
            return gather(step, current, deadline, type, check);
        } catch (WorkerLostException e) {
            close(current);
            throw e;
        }
    }

    /**
     * Returns the replies of type {@code type} to step {@code step} that every worker of the current stage attempt
     * sends unasked (e.g. its peer address after registering), in worker order; checked as in {@link #round}.
     */
    public <T extends PsMessage.Reply> T[] collect(long step, Class<T> type,
                                                   BiFunction<Integer, T, String> check)
            throws WorkerLostException, InterruptedException {
        Connection[] current = currentOrFail(step);
        try {
            return gather(step, current, System.nanoTime() + timeoutNanos, type, check);
        } catch (WorkerLostException e) {
            close(current);
            throw e;
        }
    }

    /** Sends {@code message} to every worker of the current stage attempt; no reply is awaited. */
    public void broadcast(long step, PsMessage message) throws WorkerLostException {
        Connection[] current = currentOrFail(step);
        try (Watchdog.Alarm alarm = watchdog.after(timeoutNanos, () -> close(current))) {
            for (Connection c : current) {
                c.send(message);
            }
        } catch (IOException e) {
            close(current);
            throw new WorkerLostException("cannot send " + message + " to a worker within "
                    + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s (cluster.stepTimeoutSeconds): "
                    + e.getMessage(), e);
        }
    }

    private synchronized Connection[] currentOrFail(long step) throws WorkerLostException {
        Connection[] current = slots.clone();
        nextStep = step;
        for (int w = 0; w < workers; w++) {
            if (current[w] == null) {
                // the survivors of this attempt must go too: Spark kills a failed barrier stage's other tasks
                // without interrupting them, so a task blocked reading from here would hold its slot and the
                // retried stage could never get all k slots (found: the compose smoke test hung 10 min)
                close(current);
                throw new WorkerLostException("worker " + w + " disconnected before step " + step, null);
            }
        }
        return current;
    }

    /**
     * Closes the connections of a failed step (their tasks see EOF and fail, so Spark retries the stage), leaving
     * alone any newer stage attempt's workers that registered meanwhile.
     */
    private synchronized void close(Connection[] failed) {
        for (Connection c : failed) {
            if (c == null) {
                continue;
            }
            if (c.worker() >= 0 && c.worker() < workers && slots[c.worker()] == c) {
                slots[c.worker()] = null;
            }
            c.close();
        }
        notifyAll();
    }

    private <T extends PsMessage.Reply> T[] gather(long step, Connection[] current, long deadline, Class<T> type,
                                                   BiFunction<Integer, T, String> check)
            throws WorkerLostException, InterruptedException {
        @SuppressWarnings("unchecked")
        T[] replies = (T[]) Array.newInstance(type, workers);
        int received = 0;
        while (received < workers) {
            EventQueue.Event e = events.poll(Math.max(0, deadline - System.nanoTime()));
            if (e == null) {
                throw new WorkerLostException("step " + step + ": " + received + "/" + workers + " replies within "
                        + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s; raise cluster.stepTimeoutSeconds if "
                        + "steps are this slow", null);
            }
            int w = e.from().worker();
            boolean live = w >= 0 && w < workers && current[w] == e.from();
            if (!live) {
                LOG.debug("ignoring {} from {}: not a connection of the current stage attempt", e.message(), e.from());
            } else if (e.failure() != null) {
                throw new WorkerLostException("lost " + e.from() + " during step " + step + ": " + e.failure(), e.failure());
            } else if (type.isInstance(e.message()) && StepReplies.current(jobId, type.cast(e.message()), e.from(), step)) {
                T reply = type.cast(e.message());
                String wrong = check.apply(w, reply);
                if (wrong != null) {
                    // a broken or hostile worker: fail the step (nothing is applied) so that Spark retries the stage
                    throw new WorkerLostException(e.from() + " sent " + wrong + " for step " + step, null);
                }
                if (replies[w] == null) {
                    received++;
                }
                replies[w] = reply;
            } else if (!type.isInstance(e.message())) {
                throw new WorkerLostException(e.from() + " sent " + e.message() + " where a "
                        + type.getSimpleName() + " of step " + step + " was due", null);
            }
        }
        return replies;
    }

    /**
     * Tells every worker the epoch is over; their tasks return. A late retry of the stage is ended at once. The
     * writes happen outside this server's lock, each within the step deadline.
     */
    public void endEpoch() {
        Connection[] current;
        int ending;
        synchronized (this) {
            ended = true;
            current = slots.clone();
            ending = epoch;
        }
        for (Connection c : current) {
            if (c != null) {
                try {
                    c.send(new PsMessage.EndEpoch(ending));
                } catch (IOException e) {
                    LOG.warn("could not end epoch {} for {}: {}", ending + 1, c, e.toString());
                }
            }
        }
    }

    /** Closes every worker connection (after a failure: the surviving tasks see EOF and fail too). */
    public synchronized void closeAll() {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                slots[i].close();
                slots[i] = null;
            }
        }
        notifyAll();
    }

    /** A message of authenticated connection {@code c} (its reader thread). */
    void deliver(Connection c, PsMessage message) {
        events.message(c, message);
    }

    /** Authenticated connection {@code c} failed or closed: the round that waits for it learns, its slot frees. */
    void lost(Connection c, Throwable failure) {
        if (!closed) {
            events.failure(c, failure);
        }
        synchronized (this) {
            if (c.worker() >= 0 && c.worker() < workers && slots[c.worker()] == c) {
                slots[c.worker()] = null;
            }
        }
    }

    /** Whether {@code h} proves its sender knows the run's secret (no lock: it reads only final fields). */
    boolean authentic(PsMessage.Hello h, byte[] serverNonce) {
        return Handshake.matches(Handshake.helloMac(secret, serverNonce, h.clientNonce(), h.jobId(), h.worker(),
                h.stageAttempt(), h.epoch()), h.mac());
    }

    /**
     * An authenticated Hello: what to answer, and whether {@code c} took its worker's slot. Writes nothing: the
     * acceptor sends the answer after this lock is released ({@link Connection#answer}).
     */
    synchronized Admission register(Connection c, PsMessage.Hello h, byte[] serverNonce) {
        String reason = Admission.refusal(jobId, workers, epoch, attempt, h);
        if (reason != null) {
            LOG.warn("rejected {} from {}: {}", h, c.peer(), reason);
            return Admission.refused(reason);
        }
        PsMessage.Welcome welcome = new PsMessage.Welcome(nextStep, Handshake.welcomeProof(secret, serverNonce,
                h.clientNonce(), nextStep));
        if (ended) {
            // Spark re-ran the barrier stage after the epoch's last step (e.g. its shuffle output was lost): all of
            // the epoch's steps are applied, so the task has nothing to do.
            LOG.info("{} registered for epoch {}, which has ended: told it to finish", h, epoch + 1);
            return new Admission(List.of(welcome, new PsMessage.EndEpoch(epoch)), false);
        }
        if (h.stageAttempt() > attempt) {
            closeAll();
            attempt = h.stageAttempt();
        }
        if (slots[h.worker()] != null) {
            slots[h.worker()].close();
        }
        c.registeredAs(h.worker(), h.stageAttempt());
        slots[h.worker()] = c;
        LOG.info("registered {} for epoch {} ({}/{})", c, epoch + 1, registered(), workers);
        notifyAll();
        return new Admission(List.of(welcome), true);
    }

    @Override
    public void close() {
        closed = true;
        closeAll(); // never waits on a write: none happens under this lock
        acceptor.close();
        watchdog.close();
    }
}
