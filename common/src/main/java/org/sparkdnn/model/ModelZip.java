package org.sparkdnn.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.common.primitives.Triple;
import org.nd4j.linalg.api.buffer.BaseDataBuffer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The one way a model zip is read (evaluate, compare, predict, {@code model.init}, resume, the Spark ML model on the
 * driver and on every executor, distributed evaluation). DL4J's {@code ModelSerializer} Java-deserializes a zip's
 * {@code preprocessor.bin} entry with a plain {@code ObjectInputStream} — with a gadget class on the classpath, code
 * execution from a file. This reader takes the zip apart itself, refuses any entry other than the network's
 * configuration, parameters and updater state (naming the file and the entry), bounds every entry's size while it
 * inflates (a zip bomb stops at the cap), checks that each array's declared length fits the bytes that hold it
 * (before ND4J allocates it), and hands DL4J a new zip of only those entries.
 */
public final class ModelZip {
    /** The most bytes one array entry (parameters, updater state) may inflate to: 1 GiB (268 M float parameters). */
    public static final long MAX_ARRAY_BYTES = 1L << 30;
    /** The most bytes the network's configuration (JSON) may inflate to. */
    static final long MAX_CONFIG_BYTES = 16L << 20;
    static final String CONFIGURATION = "configuration.json";
    private static final Set<String> ARRAYS = Set.of("coefficients.bin", "updaterState.bin");
    private static final String NO_PARAMS = "noParams.marker";

    private ModelZip() {
    }

    /** Reads the network in {@code zip}, with its updater state when {@code withUpdater}; {@code name} names it. */
    public static ComputationGraph read(String name, byte[] zip, boolean withUpdater) throws IOException {
        return read(name, new ByteArrayInputStream(zip), withUpdater);
    }

    /** Reads the network in the zip {@code in} (not closed), refusing what {@link ModelZip} refuses. */
    public static ComputationGraph read(String name, InputStream in, boolean withUpdater) throws IOException {
        byte[] clean = sanitized(name, in);
        try {
            return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(clean), withUpdater);
        } catch (IOException | RuntimeException e) {
            throw new ModelZipException(name + ": not a readable DL4J ComputationGraph zip (" + e.getMessage() + ")",
                    e);
        }
    }

    /** Fails as {@link #read} would on what {@code zip} holds, without restoring the network. */
    public static void check(String name, byte[] zip) throws IOException {
        sanitized(name, new ByteArrayInputStream(zip));
    }

    /**
     * A zip of only the entries DL4J needs to restore the network, each checked; fails naming {@code name} and the
     * entry at the first entry that is refused.
     */
    static byte[] sanitized(String name, InputStream in) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new NonClosing(in))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String entry = e.getName();
                if (!entry.equals(CONFIGURATION) && !ARRAYS.contains(entry) && !entry.equals(NO_PARAMS)) {
                    throw new ModelZipException(refusal(name, entry));
                }
                if (entries.containsKey(entry)) {
                    throw new ModelZipException(name + ": entry " + entry + " appears twice; refusing an ambiguous "
                            + "model zip");
                }
                long cap = entry.equals(CONFIGURATION) ? MAX_CONFIG_BYTES : MAX_ARRAY_BYTES;
                byte[] bytes = bounded(name, entry, zip, cap);
                if (ARRAYS.contains(entry)) {
                    checkArray(name, entry, bytes);
                }
                entries.put(entry, bytes);
            }
        } catch (java.util.zip.ZipException e) {
            throw new ModelZipException(name + ": not a zip file (" + e.getMessage() + ")", e);
        }
        if (!entries.containsKey(CONFIGURATION)) {
            throw new ModelZipException(name + ": not a readable DL4J model zip (no " + CONFIGURATION + " entry)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(0);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static String refusal(String name, String entry) {
        if (entry.equals("preprocessor.bin")) {
            return name + ": entry preprocessor.bin would be Java-deserialized by DL4J, which runs code a crafted file "
                    + "chooses; the trainer never writes it, so this file was made elsewhere or altered. Refusing to "
                    + "load it (re-save the network without its input preprocessor)";
        }
        return name + ": unexpected entry " + entry + " (a model zip holds only " + CONFIGURATION + ", "
                + String.join(", ", ARRAYS.stream().sorted().toList()) + "); refusing to load it";
    }

    /** The entry's bytes; fails once more than {@code cap} have been inflated, whatever the entry's header says. */
    private static byte[] bounded(String name, String entry, InputStream in, long cap) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            total += n;
            if (total > cap) {
                throw new ModelZipException(name + ": entry " + entry + " inflates to more than " + cap
                        + " bytes, the limit for it; refusing to load it");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * An ND4J array as {@code Nd4j.write} stores it (a shape buffer, then a data buffer, each with a header of
     * allocation mode, length and type): each declared length must fit the bytes that remain, so that ND4J never
     * allocates more than the entry could fill.
     */
    private static void checkArray(String name, String entry, byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            for (String buffer : new String[] {"shape", "data"}) {
                Triple<DataBuffer.AllocationMode, Long, DataType> header = BaseDataBuffer.readHeader(in);
                long length = header.getSecond();
                int width = header.getThird().width();
                if (length < 0 || width <= 0 || length > in.available() / width) {
                    throw new ModelZipException(name + ": entry " + entry + " declares a " + buffer + " buffer of "
                            + length + " " + header.getThird() + " values in " + in.available()
                            + " remaining bytes; refusing to load it");
                }
                if (buffer.equals("shape")) {
                    in.skipNBytes(length * width);
                }
            }
        } catch (ModelZipException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ModelZipException(name + ": entry " + entry + " is not an ND4J array (" + e + ")", e);
        }
    }

    /** A model file refused, or not a model file: the message names the file and the entry. */
    public static final class ModelZipException extends IOException {
        private static final long serialVersionUID = 1L;

        ModelZipException(String message) {
            super(message);
        }

        ModelZipException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Keeps the caller's stream open when the zip reader closes. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // the caller closes its own stream
        }
    }
}
