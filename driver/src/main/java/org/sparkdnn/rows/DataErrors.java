package org.sparkdnn.rows;

import org.apache.spark.SparkException;
import org.sparkdnn.data.DataException;
import org.sparkdnn.ps.ClusterException;

/** What a failed read on the executors throws on the driver. */
final class DataErrors {
    private DataErrors() {
    }

    /** A DataException from an executor reaches the driver inside a SparkException's message: unwrap it. */
    static RuntimeException unwrap(Exception e) {
        String marker = DataException.class.getName() + ": ";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataException d) {
                return d;
            }
            String message = String.valueOf(t.getMessage());
            int at = message.indexOf(marker);
            if (t instanceof SparkException && at >= 0) {
                return DataException.relayed(message.substring(at + marker.length()).lines().findFirst().orElse(""),
                        e);
            }
        }
        return e instanceof RuntimeException r ? r
                : new ClusterException("reading the training data failed: " + e.getMessage(), e);
    }
}
