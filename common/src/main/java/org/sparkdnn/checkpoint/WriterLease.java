package org.sparkdnn.checkpoint;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per checkpoint directory: {@code _writer.lease} names the run that writes it (run id, host, pid) and when
 * it last said it was alive. A second run finds the lease and stops with a message naming the holder; a lease is taken
 * over when its holder is gone — its process is dead (same host) or its heartbeat is older than the stale time
 * (another host). Acquired by creating the file (fails if it exists: atomic on HDFS); the heartbeat and a takeover
 * replace it by rename. The holder checks the lease before every checkpoint, so a zombie that lost it writes nothing.
 */
public final class WriterLease {
    private static final Logger LOG = LoggerFactory.getLogger(WriterLease.class);
    static final String FILE = "_writer.lease";

    private final Path root;
    private final Path file;
    private final FileSystem fs;
    private final Configuration hadoop;
    private final ObjectMapper json;
    private final String run;
    private final LongSupplier clock;
    private final long staleMillis;

    WriterLease(Path root, FileSystem fs, Configuration hadoop, ObjectMapper json, String run, long staleMillis,
                LongSupplier clock) {
        this.root = root;
        this.file = new Path(root, FILE);
        // the local file system without its checksum layer: a lease replaced by rename must not leave a stale .crc
        // beside it (measured: ChecksumException on the next read); the raw rename replaces atomically (rename(2))
        this.fs = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        this.hadoop = hadoop;
        this.json = json;
        this.run = run;
        this.staleMillis = staleMillis;
        this.clock = clock;
    }

    /** The lease's content. */
    record Holder(String run, String host, long pid, long heartbeatMillis) {
    }

    /** Takes the lease, or fails naming the live holder; a gone holder's lease is taken over (and said so). */
    void acquire() throws IOException {
        fs.mkdirs(root);
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(json.writeValueAsBytes(me()));
            return;
        } catch (FileAlreadyExistsException e) {
            // someone holds (or held) it
        } catch (IOException e) {
            if (!fs.exists(file)) {
                throw e;
            }
        }
        Optional<Holder> holder = read();
        if (holder.isPresent() && holder.get().run().equals(run)) {
            return;
        }
        if (holder.isPresent() && !gone(holder.get())) {
            Holder h = holder.get();
            throw new CheckpointException(String.format("checkpoint.dir %s is being written by run %s (host %s, pid %d, "
                    + "alive %d s ago); two writers would delete each other's checkpoints. Stop that run, wait until "
                    + "its lease is %d s old, or use another checkpoint.dir", root, h.run(), h.host(), h.pid(),
                    (clock.getAsLong() - h.heartbeatMillis()) / 1000, staleMillis / 1000));
        }
        LOG.warn("taking over the writer lease of {} from {} (gone)", root, holder.map(Holder::toString)
                .orElse("an unreadable lease"));
        replace(me());
    }

    /** Refreshes the heartbeat; fails if another run has taken the lease. */
    void heartbeat() throws IOException {
        check();
        replace(me());
    }

    /** Fails unless this run holds the lease. */
    void check() throws IOException {
        Optional<Holder> holder = read();
        if (holder.isEmpty() || !holder.get().run().equals(run)) {
            throw new CheckpointException("run " + run + " lost the writer lease of " + root + " to "
                    + holder.map(h -> "run " + h.run() + " (host " + h.host() + ", pid " + h.pid() + ")")
                    .orElse("nobody (the lease file is gone)") + "; it writes no more checkpoints there");
        }
    }

    /** Gives the lease up if this run holds it. */
    void release() {
        try {
            Optional<Holder> holder = read();
            if (holder.isPresent() && holder.get().run().equals(run)) {
                fs.delete(file, false);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not release the writer lease of {}: {}", root, e.toString());
        }
    }

    private boolean gone(Holder h) {
        if (h.host().equals(host())) {
            Optional<ProcessHandle> process = ProcessHandle.of(h.pid());
            if (process.isEmpty() || !process.get().isAlive()) {
                return true;
            }
        }
        return clock.getAsLong() - h.heartbeatMillis() > staleMillis;
    }

    Optional<Holder> read() throws IOException {
        try (InputStream in = fs.open(file)) {
            return Optional.of(json.readValue(in.readAllBytes(), Holder.class));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (JacksonException e) {
            return Optional.empty(); // half-written by a writer that died: nobody holds it
        }
    }

    private void replace(Holder holder) throws IOException {
        Path tmp = new Path(root, "_tmp-lease-" + System.nanoTime());
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            out.write(json.writeValueAsBytes(holder));
        }
        try {
            if (fs instanceof RawLocalFileSystem) {
                if (!fs.rename(tmp, file)) {
                    throw new IOException("cannot rename " + tmp + " to " + file);
                }
            } else {
                FileContext.getFileContext(fs.getUri(), hadoop).rename(tmp, file, Options.Rename.OVERWRITE);
            }
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw e;
        }
    }

    private Holder me() {
        return new Holder(run, host(), ProcessHandle.current().pid(), clock.getAsLong());
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
