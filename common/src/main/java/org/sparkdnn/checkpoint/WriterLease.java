package org.sparkdnn.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per checkpoint directory. The lease is a sequence of generations: generation {@code N} is held by
 * whoever <em>created</em> the claim file {@code _writer.lease.g<N>} (create-if-absent, atomic: {@link LeaseFiles}),
 * and the holder of the highest existing generation holds the lease. Taking it (first time, after a release, or
 * from a gone holder) means creating the claim of the next generation: of two takers that judged the same holder
 * gone, exactly one creates it; the other is refused. Nobody writes another generation's file, so a zombie's late
 * heartbeat cannot undo a takeover; released leases keep their file (marked released) so generations only grow.
 *
 * <p>The claim holds the holder's identity ({@link WriterIdentity}), its stale time and a heartbeat counter that
 * each heartbeat increments (replacing the claim by rename). A holder is gone when its process is provably dead
 * (same kernel, PID namespace, container and host, and its pid is not running with its start time) or when its
 * claim has not changed for the stale time as measured by the taker's own monotonic clock; no two machines' clocks
 * are ever compared. So a taker may watch for up to the stale time; a live holder on another machine is recognised
 * at its next heartbeat. Claims below the holder's generation are deleted by the holder; a taker that created a
 * claim re-lists and backs off if a higher one exists (its read was stale). The holder checks the lease before
 * every checkpoint and again right before renaming it into place; temporaries carry the generation in their name
 * ({@link #temporary}) so that a new holder sweeps only those of generations it took over. Its methods are
 * synchronized: the heartbeat thread and the checkpoint writer share one lease.
 */
public final class WriterLease {
    private static final Logger LOG = LoggerFactory.getLogger(WriterLease.class);
    /** The lease file of earlier releases (one file rewritten in place). */
    static final String LEGACY = "_writer.lease";
    private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile("_tmp-g(\\d{10})-.*");

    private final Path root;
    private final LeaseFiles files;
    private final ObjectMapper json;
    private final String run;
    private final long staleMillis;
    private final LeaseClock clock;
    private final WriterIdentity me;
    private long generation;
    private long heartbeats;

    WriterLease(Path root, LeaseFiles files, ObjectMapper json, String run, long staleMillis, LeaseClock clock,
                WriterIdentity me) {
        this.root = root;
        this.files = files;
        this.json = json;
        this.run = run;
        this.staleMillis = staleMillis;
        this.clock = clock;
        this.me = me;
    }

    /** A claim's content; {@code wallMillis} is the holder's clock, for people only. */
    record Holder(String run, long generation, WriterIdentity identity, long heartbeats, long staleMillis,
                  long wallMillis, boolean released) {
    }

    /** Takes the lease, or fails naming the live holder; a gone holder's lease is taken over (and said so). */
    synchronized void acquire() throws IOException {
        files.mkdirs();
        retireLegacyLease();
        List<Long> generations = files.generations();
        long top = generations.isEmpty() ? 0 : generations.get(generations.size() - 1);
        if (top > 0) {
            Optional<byte[]> seen = files.read(claim(top));
            Optional<Holder> holder = seen.flatMap(this::parse);
            if (!(holder.isPresent() && holder.get().released()) && !gone(claim(top), seen, holder)) {
                throw held(top);
            }
            if (holder.isPresent() && holder.get().released()) {
                LOG.info("taking the writer lease of {}, released by {}", root, describe(holder.get()));
            } else {
                LOG.warn("taking over the writer lease of {} from {} (gone)", root, holder.map(this::describe)
                        .orElse("an unreadable lease (its writer died writing it)"));
            }
        }
        long next = top + 1;
        heartbeats = 0;
        if (!files.createExclusive(claim(next), bytes(next, false))) {
            throw held(next); // another taker created it first
        }
        List<Long> after = files.generations();
        if (after.get(after.size() - 1) != next) {
            files.delete(claim(next)); // our view was stale: a later generation exists
            throw held(after.get(after.size() - 1));
        }
        generation = next;
        deleteOlderClaims();
    }

    /** Refreshes the heartbeat; fails if another run has taken the lease. */
    synchronized void heartbeat() throws IOException {
        check();
        heartbeats++;
        files.replace(claim(generation), bytes(generation, false), temporary("lease"));
        deleteOlderClaims();
    }

    /** Fails unless this run holds the lease. */
    synchronized void check() throws IOException {
        List<Long> generations = files.generations();
        long top = generations.isEmpty() ? 0 : generations.get(generations.size() - 1);
        Optional<Holder> holder = top == 0 ? Optional.empty() : files.read(claim(top)).flatMap(this::parse);
        if (generation == 0 || top != generation || holder.isEmpty() || !holder.get().run().equals(run)
                || holder.get().released()) {
            throw new CheckpointException("run " + run + " lost the writer lease of " + root + " to "
                    + (top != generation && holder.isPresent() ? describe(holder.get())
                    : "nobody (its lease file is gone or released)") + "; it writes no more checkpoints there");
        }
    }

    /** Gives the lease up if this run holds it: its claim stays, marked released, so that generations only grow. */
    synchronized void release() {
        try {
            check();
            files.replace(claim(generation), bytes(generation, true), temporary("lease"));
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not release the writer lease of {}: {}", root, e.toString());
        }
    }

    /** The generation this run holds; 0 before {@link #acquire}. */
    synchronized long generation() {
        return generation;
    }

    Path temporary(String what) {
        return temporary(root, generation, what);
    }

    /** A temporary name under {@code root} for {@code what}: {@code _tmp-g<generation>-<what>-<nanos>}. */
    static Path temporary(Path root, long generation, String what) {
        return new Path(root, String.format("_tmp-g%010d-%s-%d", generation, what, System.nanoTime()));
    }

    /** The generation in a temporary's name; empty for names of earlier releases ({@code _tmp-ckpt-…}). */
    static Optional<Long> temporaryGeneration(String name) {
        java.util.regex.Matcher m = TEMPORARY.matcher(name);
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /**
     * Earlier releases wrote {@code _writer.lease} (rewritten at every heartbeat): it is watched like a claim and
     * deleted once silent for the stale time; a run of an earlier release still writing is refused.
     */
    private void retireLegacyLease() throws IOException {
        Path legacy = new Path(root, LEGACY);
        Optional<byte[]> seen = files.read(legacy);
        if (seen.isEmpty()) {
            return;
        }
        if (!gone(legacy, seen, Optional.empty())) {
            throw new CheckpointException("checkpoint.dir " + root + " is being written by a run of an earlier "
                    + "release (its " + LEGACY + ": " + new String(seen.get(), java.nio.charset.StandardCharsets.UTF_8)
                    + "); stop that run or use another checkpoint.dir");
        }
        LOG.warn("removing {} of an earlier release, silent for {} s", legacy, staleMillis / 1000.0);
        files.delete(legacy);
    }

    private boolean gone(Path file, Optional<byte[]> seen, Optional<Holder> holder) throws IOException {
        if (holder.isPresent() && me.sameMachine(holder.get().identity())) {
            return !holder.get().identity().alive();
        }
        long stale = Math.max(staleMillis, holder.map(Holder::staleMillis).orElse(0L));
        LOG.info("checkpoint.dir {}: watching {} of {} for up to {} s to see whether its writer is alive", root,
                file.getName(), holder.map(this::describe).orElse("an unknown run"), stale / 1000.0);
        long start = clock.nanos();
        long poll = Math.max(1, Math.min(1000, stale / 20));
        while (clock.nanos() - start < stale * 1_000_000L) {
            try {
                clock.sleepMillis(poll);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while watching the writer lease of " + root);
            }
            Optional<byte[]> now = files.read(file);
            if (!Arrays.equals(now.orElse(null), seen.orElse(null))) {
                return false; // it heartbeated, or another run took it over
            }
        }
        return true;
    }

    private CheckpointException held(long top) throws IOException {
        Optional<Holder> holder = files.read(claim(top)).flatMap(this::parse);
        String who = holder.map(this::describe).orElse("another run (its lease is being written)");
        return new CheckpointException(String.format("checkpoint.dir %s is being written by %s; two writers would "
                + "delete each other's checkpoints. Stop that run (its lease is taken over once its process is gone "
                + "from this machine, or its heartbeat has stopped for %d s), or use another checkpoint.dir", root,
                who, Math.max(staleMillis, holder.map(Holder::staleMillis).orElse(0L)) / 1000));
    }

    private void deleteOlderClaims() throws IOException {
        for (long g : files.generations()) {
            if (g < generation) {
                files.delete(claim(g));
            }
        }
    }

    private String describe(Holder h) {
        return "run " + h.run() + " (" + h.identity().describe() + ", generation " + h.generation() + ")";
    }

    private Path claim(long g) {
        return LeaseFiles.claim(root, g);
    }

    private byte[] bytes(long g, boolean released) throws IOException {
        return json.writeValueAsBytes(new Holder(run, g, me, heartbeats, staleMillis, clock.wallMillis(), released));
    }

    private Optional<Holder> parse(byte[] bytes) {
        try {
            return Optional.of(json.readValue(bytes, Holder.class));
        } catch (IOException e) {
            return Optional.empty(); // being written, or half-written by a writer that died
        }
    }
}
