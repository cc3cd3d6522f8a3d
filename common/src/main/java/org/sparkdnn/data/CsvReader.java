package org.sparkdnn.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.sparkdnn.io.Storage;

/** Reads delimited text: one example per line, one label column (negative index counts from the end). */
public final class CsvReader {
    private final String delimiter;
    private final boolean header;
    private final int labelColumn;

    public CsvReader(String delimiter, boolean header, int labelColumn) {
        this.delimiter = Pattern.quote(delimiter);
        this.header = header;
        this.labelColumn = labelColumn;
    }

    public Examples read(Storage storage, String uri) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(storage.open(uri), StandardCharsets.UTF_8))) {
            return parse(uri, in);
        } catch (IOException e) {
            throw new DataException(uri, "", "cannot read (" + e.getMessage() + ")", e);
        }
    }

    private Examples parse(String uri, BufferedReader in) throws IOException {
        Growable rows = new Growable();
        int columns = -1;
        int lineNo = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNo++;
            if ((header && lineNo == 1) || line.isBlank()) {
                continue;
            }
            String[] cells = line.split(delimiter, -1);
            if (columns < 0) {
                columns = cells.length;
                if (columns < 2) {
                    throw new DataException(uri, "line " + lineNo, "expected at least 2 columns (features and a label), found " + columns);
                }
                if (labelColumn >= columns || labelColumn < -columns) {
                    throw new DataException(uri, "line " + lineNo, "data.labelColumn " + labelColumn + " is outside the " + columns + " columns");
                }
            } else if (cells.length != columns) {
                throw new DataException(uri, "line " + lineNo, "expected " + columns + " columns (as on the first row), found " + cells.length);
            }
            int label = labelColumn >= 0 ? labelColumn : columns + labelColumn;
            float[] features = new float[columns - 1];
            for (int c = 0, f = 0; c < columns; c++) {
                float v = number(uri, lineNo, c, cells[c]);
                if (c == label) {
                    rows.addLabel(v, lineNo);
                } else {
                    features[f++] = v;
                }
            }
            rows.addFeatures(features);
        }
        if (rows.size() == 0) {
            throw new DataException(uri, "", "no examples found");
        }
        return rows.toExamples(uri, "line", columns - 1);
    }

    private static float number(String uri, int line, int column, String cell) {
        try {
            float v = Float.parseFloat(cell.trim());
            if (!Float.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new DataException(uri, "line " + line + ", column " + (column + 1), "not a finite number: '" + cell + "'");
        }
    }
}
