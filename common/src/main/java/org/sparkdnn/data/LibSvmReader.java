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
                int hash = line.indexOf('#');
                String body = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (body.isEmpty()) {
                    continue;
                }
                String[] tokens = body.split("\\s+");
                labels.addLabel(number(uri, lineNo, "label", tokens[0]), lineNo);
                labels.addFeatures(new float[0]);
                int[] idx = new int[tokens.length - 1];
                float[] val = new float[tokens.length - 1];
                for (int t = 1; t < tokens.length; t++) {
                    int colon = tokens[t].indexOf(':');
                    if (colon <= 0) {
                        throw new DataException(uri, "line " + lineNo, "expected index:value, found '" + tokens[t] + "'");
                    }
                    idx[t - 1] = index(uri, lineNo, tokens[t].substring(0, colon), t == 1 ? 0 : idx[t - 2]);
                    val[t - 1] = number(uri, lineNo, "feature " + idx[t - 1], tokens[t].substring(colon + 1));
                    maxIndex = Math.max(maxIndex, idx[t - 1]);
                    if (numFeatures != null && idx[t - 1] > numFeatures) {
                        throw new DataException(uri, "line " + lineNo, "feature index " + idx[t - 1] + " exceeds data.numFeatures " + numFeatures);
                    }
                }
                indices.add(idx);
                values.add(val);
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

    private static int index(String uri, int line, String text, int previous) {
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

    private static float number(String uri, int line, String what, String text) {
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
