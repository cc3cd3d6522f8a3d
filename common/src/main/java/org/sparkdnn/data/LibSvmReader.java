package org.sparkdnn.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sparkdnn.io.Storage;

/**
 * Reads LibSVM/svmlight text: {@code label index:value …} with 1-based, increasing indices; '#' starts a comment.
 * Rows are densified to {@code numFeatures} columns (given, or the largest index seen).
 */
public final class LibSvmReader {
    private final Integer numFeatures;

    /** @param numFeatures the feature count, or null to use the largest index in the file */
    public LibSvmReader(Integer numFeatures) {
        this.numFeatures = numFeatures;
    }

    public Examples read(Storage storage, String uri) {
        List<int[]> indices = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        Growable labels = new Growable();
        int maxIndex = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(storage.open(uri), StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                String body = body(line);
                if (body.isEmpty()) {
                    continue;
                }
                Line parsed = parse(uri, lineNo, body, numFeatures);
                labels.addLabel(parsed.label(), lineNo);
                labels.addFeatures(new float[0]);
                if (parsed.indices().length > 0) {
                    maxIndex = Math.max(maxIndex, parsed.indices()[parsed.indices().length - 1]);
                }
                indices.add(parsed.indices());
                values.add(parsed.values());
            }
        } catch (IOException e) {
            throw new DataException(uri, "", "cannot read (" + e.getMessage() + ")", e);
        }
        if (indices.isEmpty()) {
            throw new DataException(uri, "", "no examples found");
        }
        int d = numFeatures != null ? numFeatures : maxIndex;
        if (d == 0) {
            throw new DataException(uri, "", "no features found; set data.numFeatures");
        }
        Examples labelsOnly = labels.toExamples(uri, "line", 0);
        float[] x = new float[indices.size() * d];
        for (int r = 0; r < indices.size(); r++) {
            int[] idx = indices.get(r);
            for (int k = 0; k < idx.length; k++) {
                x[r * d + idx[k] - 1] = values.get(r)[k];
            }
        }
        return labelsOnly.withFeatures(d, x);
    }

    /** One line's label and its features' 1-based indices (increasing) and values. */
    record Line(float label, int[] indices, float[] values) {
    }

    /** The text before a '#' comment, trimmed. */
    static String body(String line) {
        int hash = line.indexOf('#');
        return (hash >= 0 ? line.substring(0, hash) : line).trim();
    }

    private static Line parse(String uri, long lineNo, String body, Integer numFeatures) {
        String[] tokens = body.split("\\s+");
        float label = number(uri, lineNo, "label", tokens[0]);
        int[] idx = new int[tokens.length - 1];
        float[] val = new float[tokens.length - 1];
        for (int t = 1; t < tokens.length; t++) {
            int colon = tokens[t].indexOf(':');
            if (colon <= 0) {
                throw new DataException(uri, "line " + lineNo, "expected index:value, found '" + tokens[t] + "'");
            }
            idx[t - 1] = index(uri, lineNo, tokens[t].substring(0, colon), t == 1 ? 0 : idx[t - 2]);
            val[t - 1] = number(uri, lineNo, "feature " + idx[t - 1], tokens[t].substring(colon + 1));
            if (numFeatures != null && idx[t - 1] > numFeatures) {
                throw new DataException(uri, "line " + lineNo, "feature index " + idx[t - 1]
                        + " exceeds data.numFeatures " + numFeatures);
            }
        }
        return new Line(label, idx, val);
    }

    /**
     * LibSVM lines as dense rows for the executors' line reader: {@code features} values, then the label; comment-only
     * and blank lines hold no example. Errors name file and line as {@link #read} does.
     */
    public static LineFormat lines(int features) {
        return new LineFormat() {
            private static final long serialVersionUID = 1L;

            @Override
            public boolean skips(boolean firstLineOfFile, String line) {
                return body(line).isEmpty();
            }

            @Override
            public float[] row(String uri, long lineNo, String line, int columns) {
                Line parsed = parse(uri, lineNo, body(line), features);
                float[] row = new float[features + 1];
                for (int k = 0; k < parsed.indices().length; k++) {
                    row[parsed.indices()[k] - 1] = parsed.values()[k];
                }
                row[features] = parsed.label();
                return row;
            }
        };
    }

    /** The largest feature index on a line; 0 for none or for a line that does not parse (its read reports it). */
    public static int maxIndex(String line) {
        String body = body(line);
        try {
            int[] indices = body.isEmpty() ? new int[0] : parse("", 0, body, null).indices();
            return indices.length == 0 ? 0 : indices[indices.length - 1];
        } catch (DataException e) {
            return 0;
        }
    }

    private static int index(String uri, long line, String text, int previous) {
        int i;
        try {
            i = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new DataException(uri, "line " + line, "feature index is not an integer: '" + text + "'");
        }
        if (i < 1) {
            throw new DataException(uri, "line " + line, "feature indices start at 1, found " + i);
        }
        if (i <= previous) {
            throw new DataException(uri, "line " + line, "feature indices must increase, found " + i + " after " + previous);
        }
        return i;
    }

    private static float number(String uri, long line, String what, String text) {
        try {
            float v = Float.parseFloat(text);
            if (Float.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below with the location
        }
        throw new DataException(uri, "line " + line, what + " is not a finite number: '" + text + "'");
    }
}
