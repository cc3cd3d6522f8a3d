package org.sparkdnn.console;

import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * Keeps two warnings every local run prints off the console (they still reach {@code train.log}):
 * Hadoop's "Unable to load native-hadoop library" (its pure-Java code paths are used; nothing the trainer does
 * depends on the native library), Spark's "Your hostname … resolves to a loopback address" with its
 * "Set SPARK_LOCAL_IP" follow-up (local mode binds to the address it names; set SPARK_LOCAL_IP to choose another), and
 * the FAIR scheduler's "A job was submitted with scheduler pool tNNN, which has not been configured" (a sweep gives
 * each trial its own pool on purpose; Spark creates it with the default weight).
 */
final class KnownNoise extends AbstractFilter {
    KnownNoise() {
        super(Filter.Result.DENY, Filter.Result.NEUTRAL);
    }

    static boolean matches(String logger, String message) {
        if (logger.equals("org.apache.hadoop.util.NativeCodeLoader")) {
            return message.startsWith("Unable to load native-hadoop library");
        }
        if (logger.equals("org.apache.spark.scheduler.FairSchedulableBuilder")) {
            return message.startsWith("A job was submitted with scheduler pool");
        }
        return logger.equals("org.apache.spark.util.Utils")
                && (message.contains("resolves to a loopback address") || message.startsWith("Set SPARK_LOCAL_IP"));
    }

    @Override
    public Result filter(LogEvent event) {
        String message = event.getMessage() == null ? "" : event.getMessage().getFormattedMessage();
        return matches(event.getLoggerName(), message) ? onMatch : onMismatch;
    }
}
