package org.sparkdnn.data;

/** Bad input data. The message names the file and the line (text formats) or record (IDX) and what was wrong. */
public final class DataException extends RuntimeException {
    public DataException(String file, String where, String problem) {
        super(file + (where.isEmpty() ? "" : ": " + where) + ": " + problem);
    }

    public DataException(String file, String where, String problem, Throwable cause) {
        super(file + (where.isEmpty() ? "" : ": " + where) + ": " + problem, cause);
    }

    private DataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The same error on the driver, from an executor's report of it (whose message already names file and line). */
    public static DataException relayed(String message, Throwable cause) {
        return new DataException(message, cause);
    }
}
