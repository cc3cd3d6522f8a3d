package org.sparkdnn.data;

/** Bad input data. The message names the file and the line (text formats) or record (IDX) and what was wrong. */
public final class DataException extends RuntimeException {
    public DataException(String file, String where, String problem) {
        super(file + (where.isEmpty() ? "" : ": " + where) + ": " + problem);
    }

    public DataException(String file, String where, String problem, Throwable cause) {
        super(file + (where.isEmpty() ? "" : ": " + where) + ": " + problem, cause);
    }
}
