package org.sparkdnn.console;

import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * The command line's logging policy, applied to whatever Log4j 2 configuration is in force (ours from
 * {@code conf/log4j2.properties}, or Spark's under spark-submit): the root logger records INFO, so a run's
 * {@code train.log} gets everything, while console appenders pass only warnings and errors, without the
 * {@link KnownNoise known noise}. {@code --verbose} lets everything through to the console.
 */
public final class ConsoleLogging {
    private ConsoleLogging() {
    }

    /** @return false when the logging backend is not Log4j 2 (then its own configuration decides) */
    public static boolean apply(boolean verbose) {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return false;
        }
        LoggerConfig root = context.getConfiguration().getRootLogger();
        if (!root.getLevel().isLessSpecificThan(Level.INFO)) {
            root.setLevel(Level.INFO);
        }
        for (Appender appender : List.copyOf(root.getAppenders().values())) {
            if (appender instanceof ConsoleAppender) {
                root.removeAppender(appender.getName());
                root.addAppender(appender, verbose ? null : Level.WARN, verbose ? null : new KnownNoise());
            }
        }
        context.updateLoggers();
        return true;
    }
}
