package org.sparkdnn.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Opens and writes files by URI through Hadoop's {@link FileSystem}. {@code embedded:NAME} reads the resource
 * {@code /datasets/NAME.csv.gz} from the classpath. Files ending in {@code .gz} are decompressed on read.
 */
public final class Storage {
    public static final String EMBEDDED = "embedded:";

    private final Configuration hadoop;

    public Storage(Configuration hadoop) {
        this.hadoop = hadoop;
    }

    /** Uses the default Hadoop configuration (core-site.xml etc. from the classpath / HADOOP_CONF_DIR). */
    public static Storage withDefaults() {
        return new Storage(new Configuration());
    }

    public Configuration hadoopConf() {
        return hadoop;
    }

    /** The raw bytes of {@code uri} (not decompressed). */
    public InputStream openRaw(String uri) throws IOException {
        if (uri.startsWith(EMBEDDED)) {
            String name = uri.substring(EMBEDDED.length());
            String resource = "/datasets/" + name + ".csv.gz";
            InputStream in = Storage.class.getResourceAsStream(resource);
            if (in == null) {
                throw new FileNotFoundException(uri + ": no embedded data set named '" + name + "' (known: digits)");
            }
            return in;
        }
        Path path = new Path(uri);
        return path.getFileSystem(hadoop).open(path);
    }

    /** The content of {@code uri}, gunzipped when the name ends in .gz (embedded sets are gzipped). */
    public InputStream open(String uri) throws IOException {
        InputStream raw = openRaw(uri);
        if (uri.startsWith(EMBEDDED) || uri.toLowerCase(Locale.ROOT).endsWith(".gz")) {
            return new GZIPInputStream(raw, 1 << 16);
        }
        return raw;
    }

    public String readString(String uri) throws IOException {
        try (InputStream in = open(uri)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public boolean exists(String uri) {
        try {
            Path path = new Path(uri);
            return path.getFileSystem(hadoop).exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + uri, e);
        }
    }

    public void mkdirs(String uri) throws IOException {
        Path path = new Path(uri);
        path.getFileSystem(hadoop).mkdirs(path);
    }

    /**
     * Writes {@code bytes} to {@code uri} atomically: into a hidden temporary name beside it, synced and closed, then
     * renamed into place. An existing file is replaced only after the new one is complete.
     */
    public void writeAtomically(String uri, byte[] bytes) throws IOException {
        Path target = new Path(uri);
        FileSystem fs = target.getFileSystem(hadoop);
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + System.nanoTime());
        try {
            writeAndClose(fs.create(tmp, false), bytes);
        } catch (IOException | RuntimeException e) {
            try {
                fs.delete(tmp, false); // a full disk or a lost datanode leaves no half-written temporary behind
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        if (fs.exists(target) && !fs.delete(target, false)) {
            throw new IOException("cannot replace " + target);
        }
        if (!fs.rename(tmp, target)) {
            fs.delete(tmp, false);
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }

    /**
     * The content of a file written with {@link #writeAtomically}: the file, or — when a writer died between deleting
     * the old file and renaming the new one into place (the new one is then complete and synced) — the newest
     * {@code .NAME.tmp-*} beside it. Empty when there is neither.
     */
    public Optional<String> readWritten(String uri) throws IOException {
        if (exists(uri)) {
            return Optional.of(readString(uri));
        }
        Path target = new Path(uri);
        FileSystem fs = target.getFileSystem(hadoop);
        if (!fs.exists(target.getParent())) {
            return Optional.empty();
        }
        String prefix = "." + target.getName() + ".tmp-";
        FileStatus newest = null;
        for (FileStatus s : fs.listStatus(target.getParent())) {
            if (s.isFile() && s.getPath().getName().startsWith(prefix)
                    && (newest == null || s.getModificationTime() > newest.getModificationTime())) {
                newest = s;
            }
        }
        return newest == null ? Optional.empty() : Optional.of(readString(newest.getPath().toString()));
    }

    /** Copies {@code from} to {@code to} (a new file). */
    public void copy(String from, String to) throws IOException {
        try (InputStream in = openRaw(from); OutputStream out = create(to)) {
            in.transferTo(out);
        }
    }

    /**
     * The data files of {@code uri}: itself, or a directory's visible files (not starting with '_' or '.') sorted by
     * name, each with its length.
     *
     * @throws FileNotFoundException when {@code uri} does not exist
     */
    public List<FileStatus> files(String uri) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        FileStatus status = fs.getFileStatus(path);
        if (!status.isDirectory()) {
            return List.of(status);
        }
        List<FileStatus> files = new ArrayList<>();
        for (FileStatus s : fs.listStatus(path)) {
            String name = s.getPath().getName();
            if (s.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                files.add(s);
            }
        }
        files.sort(Comparator.comparing(s -> s.getPath().toString()));
        return files;
    }

    /** The names of the directories directly under {@code uri} (none if it does not exist), sorted. */
    public List<String> listDirectories(String uri) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        if (!fs.exists(path)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (FileStatus s : fs.listStatus(path)) {
            if (s.isDirectory()) {
                names.add(s.getPath().getName());
            }
        }
        Collections.sort(names);
        return names;
    }

    /** Deletes {@code uri} and everything under it. */
    public void deleteRecursively(String uri) throws IOException {
        Path path = new Path(uri);
        if (!path.getFileSystem(hadoop).delete(path, true)) {
            throw new IOException("cannot delete " + uri);
        }
    }

    /** Opens {@code uri} for appending line records (metrics); the caller closes it. */
    public OutputStream create(String uri) throws IOException {
        Path path = new Path(uri);
        return path.getFileSystem(hadoop).create(path, true);
    }

    /**
     * Writes, syncs and closes. Not try-with-resources: HDFS rethrows a failed write's exception (a quota exceeded)
     * from close(), and adding an exception to itself as suppressed throws IllegalArgumentException (measured).
     */
    public static void writeAndClose(FSDataOutputStream out, byte[] bytes) throws IOException {
        try {
            out.write(bytes);
            out.hsync();
        } catch (IOException | RuntimeException e) {
            try {
                out.close();
            } catch (IOException | RuntimeException c) {
                if (c != e) {
                    e.addSuppressed(c);
                }
            }
            throw e;
        }
        out.close();
    }
}
