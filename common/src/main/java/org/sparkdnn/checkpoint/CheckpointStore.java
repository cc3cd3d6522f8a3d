package org.sparkdnn.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.io.Storage;

/**
 * The checkpoints of one run under a directory URI. Layout: {@code ckpt-0000000120/} holding {@code model.zip} and
 * {@code manifest.json}, plus a {@code latest} file naming the newest one. A checkpoint is written into
 * {@code _tmp-…}, every file synced and closed, the manifest (with the SHA-256 of every file) last, and the
 * directory renamed into place (atomic on HDFS); an existing checkpoint is never overwritten.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{10})");
    public static final String MODEL = "model.zip";
    static final String MANIFEST = "manifest.json";
    static final String LATEST = "latest";

    private final Path root;
    private final FileSystem fs;
    private final ObjectMapper json;
    private final Configuration hadoop;
    private Optional<ManifestSigner> signer = Optional.empty();

    public CheckpointStore(String uri, Configuration hadoop, ObjectMapper json) {
        this.root = new Path(uri);
        this.json = json;
        this.hadoop = hadoop;
        try {
            this.fs = root.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new CheckpointException("checkpoint.dir: cannot open " + uri + ": " + e.getMessage(), e);
        }
    }

    /** This store signs the checkpoints it writes and verifies those it reads with {@code signer} ({@link ManifestSigner}). */
    public CheckpointStore signedWith(Optional<ManifestSigner> signer) {
        this.signer = signer;
        return this;
    }

    private FileContext fileContext() throws IOException {
        return FileContext.getFileContext(fs.getUri(), hadoop);
    }

    public String uri() {
        return root.toString();
    }

    private WriterLease lease;

    /**
     * Makes run {@code run} the directory's only writer ({@link WriterLease}; stale after {@code staleMillis}) and
     * removes the temporaries of the generations it took over ({@code _tmp-g<older>-*}, and the generation-less
     * {@code _tmp-*} of earlier releases). Every later write checks the lease first.
     */
    public void acquireLease(String run, long staleMillis) throws IOException {
        acquireLease(run, staleMillis, LeaseClock.system(), WriterIdentity.current());
    }

    void acquireLease(String run, long staleMillis, LeaseClock clock, WriterIdentity identity) throws IOException {
        WriterLease l = new WriterLease(root, new LeaseFiles(root, fs, hadoop), json, run, staleMillis, clock, identity);
        l.acquire();
        lease = l;
        for (FileStatus s : fs.listStatus(root)) {
            String name = s.getPath().getName();
            if (name.startsWith("_tmp-")
                    && WriterLease.temporaryGeneration(name).map(g -> g < l.generation()).orElse(true)) {
                LOG.info("removing {}, left by a writer whose lease was taken over", s.getPath());
                fs.delete(s.getPath(), true);
            }
        }
    }

    /** Refreshes this run's lease (a heartbeat); fails if another run has taken it. */
    public void heartbeat() throws IOException {
        if (lease != null) {
            lease.heartbeat();
        }
    }

    /** Gives up the lease (at the end of the run). */
    public void releaseLease() {
        if (lease != null) {
            lease.release();
            lease = null;
        }
    }

    private Path temporary(String what) {
        return WriterLease.temporary(root, lease == null ? 0 : lease.generation(), what);
    }

    static String name(long step) {
        return String.format("ckpt-%010d", step);
    }

    /**
     * Writes a checkpoint at {@code manifest.step()} holding {@code files} (at least {@code model.zip}); returns its
     * URI. Refuses to replace an existing one.
     */
    public String write(Manifest manifest, Map<String, byte[]> files) throws IOException {
        if (lease != null) {
            lease.check();
        }
        Path target = new Path(root, name(manifest.step()));
        fs.mkdirs(root);
        Path tmp = temporary(name(manifest.step()));
        fs.mkdirs(tmp);
        try {
            Map<String, String> checksums = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                writeFile(new Path(tmp, f.getKey()), f.getValue());
                checksums.put(f.getKey(), sha256(f.getValue()));
            }
            Manifest complete = manifest.withFiles(checksums);
            byte[] manifestBytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(complete);
            writeFile(new Path(tmp, MANIFEST), manifestBytes);
            if (signer.isPresent()) {
                writeFile(new Path(tmp, ManifestSigner.FILE), signer.get().sign(manifestBytes));
            }
            // Rename.NONE fails when the target exists (FileSystem.rename would move tmp *into* an existing dir):
            // a checkpoint written meanwhile by another driver is never replaced or nested
            if (lease != null) {
                lease.check(); // again: the lease may have been taken over while the files were written
            }
            try {
                fileContext().rename(tmp, target, Options.Rename.NONE);
            } catch (FileAlreadyExistsException e) {
                throw new CheckpointException(target + " already exists (written meanwhile by another run?); "
                        + "checkpoints are never overwritten", e);
            }
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, true);
            throw e;
        }
        pointLatestTo(target.getName());
        return target.toString();
    }

    private void writeFile(Path path, byte[] bytes) throws IOException {
        // The local file system's checksum layer is not Syncable (hsync would only flush): write through the raw one.
        FileSystem target = fs instanceof LocalFileSystem
                ? ((LocalFileSystem) fs).getRawFileSystem() : fs;
        FSDataOutputStream out = target.create(path, false);
        Storage.writeAndClose(out, bytes);
    }

    /** {@code latest} names the newest checkpoint: written beside it and renamed over it. A hint: listing decides. */
    private void pointLatestTo(String name) throws IOException {
        Path tmp = temporary("latest");
        writeFile(tmp, name.getBytes(StandardCharsets.UTF_8));
        Path latest = new Path(root, LATEST);
        try {
            fileContext().rename(tmp, latest, Options.Rename.OVERWRITE); // atomic on HDFS
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw new IOException("cannot update " + latest + ": " + e, e);
        }
    }

    /** Step numbers of the complete-looking checkpoint directories, ascending. */
    public List<Long> steps() throws IOException {
        List<Long> steps = new ArrayList<>();
        if (!fs.exists(root)) {
            return steps;
        }
        for (FileStatus s : fs.listStatus(root)) {
            Matcher m = NAME.matcher(s.getPath().getName());
            if (s.isDirectory() && m.matches()) {
                steps.add(Long.parseLong(m.group(1)));
            }
        }
        steps.sort(Comparator.naturalOrder());
        return steps;
    }

    /**
     * The newest checkpoint that verifies, from the newest down; each one that fails verification is reported in
     * {@code problems} and skipped. {@code latest} is read first: when it does not name the newest checkpoint (a
     * writer died between the two renames, or it is damaged) that is reported too — the listing decides.
     */
    public Optional<Checkpoint> loadLatestValid(List<String> problems) throws IOException {
        List<Long> steps = steps();
        Optional<String> latest = latest();
        if (!steps.isEmpty()) {
            String newest = name(steps.get(steps.size() - 1));
            if (latest.isPresent() && !latest.get().equals(newest)) {
                // written between the checkpoint's rename and the pointer's update, or damaged: the listing decides
                problems.add(LATEST + " names " + latest.get() + " but the newest checkpoint is " + newest);
                LOG.warn("{}: {} names {} but the newest checkpoint is {}", root, LATEST, latest.get(), newest);
            }
        }
        for (int i = steps.size() - 1; i >= 0; i--) {
            try {
                return Optional.of(load(steps.get(i)));
            } catch (CheckpointException e) {
                problems.add(e.getMessage());
                LOG.warn("skipping checkpoint: {}", e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** What {@code latest} names, if it exists and names a checkpoint. */
    public Optional<String> latest() throws IOException {
        Path path = new Path(root, LATEST);
        try {
            String name = new String(readAll(path), StandardCharsets.UTF_8).trim();
            return NAME.matcher(name).matches() ? Optional.of(name) : Optional.of("(unreadable: " + name + ")");
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Loads and verifies the checkpoint of {@code step}. */
    public Checkpoint load(long step) throws IOException {
        return load(new Path(root, name(step)).toString());
    }

    /** Loads and verifies the checkpoint directory {@code uri}: manifest present and parseable, every checksum equal. */
    public Checkpoint load(String uri) throws IOException {
        Path dir = new Path(uri);
        FileSystem fs = dir.getFileSystem(hadoop);
        Manifest manifest;
        try {
            byte[] manifestBytes = readAll(fs, new Path(dir, MANIFEST));
            if (signer.isPresent()) {
                Path sig = new Path(dir, ManifestSigner.FILE);
                signer.get().verify(dir.toString(), manifestBytes,
                        fs.exists(sig) ? Optional.of(readAll(fs, sig)) : Optional.empty());
            }
            manifest = json.readValue(manifestBytes, Manifest.class);
        } catch (FileNotFoundException e) {
            throw new CheckpointException(dir + ": manifest.json is missing (an incomplete or damaged checkpoint)");
        } catch (IOException e) {
            throw new CheckpointException(dir + ": manifest.json is unreadable: " + e.getMessage(), e);
        }
        if (manifest.format() != Manifest.FORMAT) {
            throw new CheckpointException(dir + ": manifest format " + manifest.format() + ", this build reads " + Manifest.FORMAT);
        }
        if (manifest.files() == null || !manifest.files().containsKey(MODEL)) {
            throw new CheckpointException(dir + ": the manifest lists no model.zip");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : manifest.files().entrySet()) {
            byte[] content;
            try {
                content = readAll(fs, new Path(dir, f.getKey()));
            } catch (FileNotFoundException e) {
                throw new CheckpointException(dir + ": " + f.getKey() + " is missing");
            } catch (IOException e) {
                throw new CheckpointException(dir + ": " + f.getKey() + " is unreadable (" + e.getMessage() + ")", e);
            }
            String actual = sha256(content);
            if (!actual.equals(f.getValue())) {
                throw new CheckpointException(dir + ": " + f.getKey() + " fails verification: SHA-256 " + actual
                        + ", the manifest records " + f.getValue() + " (" + content.length
                        + " bytes; truncated or corrupted)");
            }
            files.put(f.getKey(), content);
        }
        return new Checkpoint(dir.toString(), manifest, files);
    }

    private byte[] readAll(Path path) throws IOException {
        return readAll(fs, path);
    }

    private static byte[] readAll(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return in.readAllBytes();
        }
    }

    /**
     * Moves every checkpoint newer than {@code step} aside (renamed {@code _abandoned-ckpt-…}, not deleted), so that a
     * run resuming from {@code step} writes its own checkpoints for those step numbers. Returns the steps moved.
     */
    public List<Long> abandonAfter(long step) throws IOException {
        if (lease != null) {
            lease.check();
        }
        List<Long> moved = new ArrayList<>();
        for (long s : steps()) {
            if (s > step) {
                Path from = new Path(root, name(s));
                Path to = new Path(root, "_abandoned-" + name(s) + "-" + System.currentTimeMillis());
                if (!fs.rename(from, to)) {
                    throw new IOException("cannot move " + from + " aside to " + to);
                }
                moved.add(s);
            }
        }
        if (!moved.isEmpty() && steps().contains(step)) {
            pointLatestTo(name(step));
        }
        return moved;
    }

    /**
     * Deletes checkpoints beyond the newest {@code keepLast} and the best {@code keepBest} by validation loss. Call
     * only after the newest checkpoint is durable; it is always kept.
     */
    public List<Long> prune(int keepLast, int keepBest) throws IOException {
        if (lease != null) {
            lease.check();
        }
        List<Long> steps = steps();
        if (steps.isEmpty()) {
            return List.of();
        }
        List<Long> keep = new ArrayList<>(steps.subList(Math.max(0, steps.size() - Math.max(1, keepLast)), steps.size()));
        if (keepBest > 0) {
            Map<Long, Double> loss = new LinkedHashMap<>();
            for (long step : steps) {
                try {
                    Manifest m = json.readValue(readAll(new Path(new Path(root, name(step)), MANIFEST)), Manifest.class);
                    m.validation().ifPresent(v -> loss.put(step, v));
                } catch (IOException e) {
                    // it may be the best one: never delete what could not be judged
                    LOG.warn("prune: cannot read the manifest of step {}, keeping it: {}", step, e.toString());
                    keep.add(step);
                }
            }
            loss.entrySet().stream().sorted(Map.Entry.comparingByValue()).limit(keepBest)
                    .forEach(e -> keep.add(e.getKey()));
        }
        List<Long> deleted = new ArrayList<>();
        for (long step : steps) {
            if (!keep.contains(step) && fs.delete(new Path(root, name(step)), true)) {
                deleted.add(step);
            }
        }
        return deleted;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
