package org.sparkdnn.checkpoint;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
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
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.ipc.RemoteException;

/**
 * The writer lease's file operations, each atomic where the protocol needs it: create-if-absent (an
 * {@code O_EXCL} open through java.nio on the local file system — Hadoop's local {@code create(path, false)} is an
 * exists() check, then an open; on HDFS the NameNode's create), replace by rename, and the list of claim files
 * {@code _writer.lease.g<generation>}. Object stores have no atomic create-if-absent: they are refused.
 */
final class LeaseFiles {
    static final String CLAIM_PREFIX = "_writer.lease.g";
    private static final Pattern CLAIM = Pattern.compile("_writer\\.lease\\.g(\\d{10})");
    /** Schemes of object stores (no atomic create-if-absent, no atomic rename): two writers could both take a lease. */
    private static final Set<String> OBJECT_STORES = Set.of("s3", "s3a", "s3n", "gs", "wasb", "wasbs", "abfs", "abfss",
            "oss", "cos", "cosn", "obs", "ks3");

    private final Path root;
    private final FileSystem fs;
    private final Configuration hadoop;

    LeaseFiles(Path root, FileSystem fs, Configuration hadoop) {
        String scheme = String.valueOf(fs.getUri().getScheme()).toLowerCase(Locale.ROOT);
        if (OBJECT_STORES.contains(scheme)) {
            throw new CheckpointException("checkpoint.dir " + root + ": " + scheme + ": is an object store, which has "
                    + "no atomic create-if-absent, so two runs could both take the directory's writer lease; put "
                    + "checkpoint.dir on HDFS (hdfs://) or a local or NFS path (file:)");
        }
        this.root = root;
        // the local file system without its checksum layer: a file replaced by rename must not leave a stale .crc
        // beside it (measured: ChecksumException on the next read); the raw rename replaces atomically (rename(2))
        this.fs = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        this.hadoop = hadoop;
    }

    static Path claim(Path root, long generation) {
        return new Path(root, String.format("%s%010d", CLAIM_PREFIX, generation));
    }

    void mkdirs() throws IOException {
        fs.mkdirs(root);
    }

    /** Creates {@code path} holding {@code bytes} unless it exists: false if it does (someone else created it). */
    boolean createExclusive(Path path, byte[] bytes) throws IOException {
        if (fs instanceof RawLocalFileSystem local) {
            try {
                Files.write(local.pathToFile(path).toPath(), bytes, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }
        try (FSDataOutputStream out = fs.create(path, false)) {
            out.write(bytes);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (RemoteException e) {
            if (e.getClassName().endsWith("AlreadyBeingCreatedException")) {
                return false; // another client is creating it right now (HDFS)
            }
            throw e;
        }
    }

    /** The file's bytes; empty if it does not exist. */
    Optional<byte[]> read(Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return Optional.of(in.readAllBytes());
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Replaces {@code target} by {@code bytes} written to {@code tmp} and renamed over it (atomic on HDFS and local). */
    void replace(Path target, byte[] bytes, Path tmp) throws IOException {
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            out.write(bytes);
        }
        try {
            if (fs instanceof RawLocalFileSystem) {
                if (!fs.rename(tmp, target)) {
                    throw new IOException("cannot rename " + tmp + " to " + target);
                }
            } else {
                FileContext.getFileContext(fs.getUri(), hadoop).rename(tmp, target, Options.Rename.OVERWRITE);
            }
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw e;
        }
    }

    /** The generations that have a claim file, ascending. */
    List<Long> generations() throws IOException {
        List<Long> found = new ArrayList<>();
        for (FileStatus s : fs.listStatus(root)) {
            Matcher m = CLAIM.matcher(s.getPath().getName());
            if (m.matches()) {
                found.add(Long.parseLong(m.group(1)));
            }
        }
        found.sort(null);
        return found;
    }

    boolean delete(Path path) throws IOException {
        return fs.delete(path, false);
    }
}
