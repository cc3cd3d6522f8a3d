package org.sparkdnn.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.sparkdnn.io.Storage;

/** Reads delimited text: one example per line, one label column (negative index counts from the end). */
public final class CsvReader implements LineFormat {
    private static final long serialVersionUID = 1L;

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
            if (skips(lineNo, line)) {
                continue;
            }
            float[] row = row(uri, lineNo, line, columns);
            columns = row.length;
            rows.addLabel(row[columns - 1], lineNo);
            rows.addFeatures(Arrays.copyOf(row, columns - 1));
        }
        if (rows.size() == 0) {
            throw new DataException(uri, "", "no examples found");
        }
        return rows.toExamples(uri, "line", columns - 1);
    }

    /**
     * One data line (not blank, not the header) of {@code uri}: its features in column order, then the label, as
     * floats; {@code columns} is the first row's column count (negative on the first row). Errors name file and line.
     */
    @Override
    public float[] row(String uri, long lineNo, String line, int columns) {
        String[] cells = line.split(delimiter, -1);
        if (columns < 0) {
            if (cells.length < 2) {
                throw new DataException(uri, "line " + lineNo, "expected at least 2 columns (features and a label), "
                        + "found " + cells.length);
            }
            if (labelColumn >= cells.length || labelColumn < -cells.length) {
                throw new DataException(uri, "line " + lineNo, "data.labelColumn " + labelColumn + " is outside the "
                        + cells.length + " columns");
            }
        } else if (cells.length != columns) {
            throw new DataException(uri, "line " + lineNo, "expected " + columns + " columns (as on the first row), "
                    + "found " + cells.length);
        }
        int n = cells.length;
        int label = labelColumn >= 0 ? labelColumn : n + labelColumn;
        float[] row = new float[n];
        for (int c = 0, f = 0; c < n; c++) {
            float v = number(uri, lineNo, c, cells[c]);
            if (c == label) {
                row[n - 1] = v;
            } else {
                row[f++] = v;
            }
        }
        return row;
    }

    @Override
    public boolean skips(boolean firstLineOfFile, String line) {
        return skips(firstLineOfFile ? 1 : 2, line);
    }

    /** Whether line {@code lineNo} (1-based) holds no example: the header, or blank. */
    public boolean skips(long lineNo, String line) {
        return (header && lineNo == 1) || line.isBlank();
    }

    private static float number(String uri, long line, int column, String cell) {
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
