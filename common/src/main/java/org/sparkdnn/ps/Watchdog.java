package org.sparkdnn.ps;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Deadlines for what Java cannot time out itself: a blocking socket write, or a whole handshake of many reads. One
 * daemon thread runs an action (closing the socket, which fails the blocked call) when an alarm is not disarmed in
 * time. After {@link #close} every new alarm fires at once: nothing waits on a watchdog that has stopped.
 */
public final class Watchdog implements AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;

    /** An armed deadline; {@link #close} disarms it. */
    public static final class Alarm implements AutoCloseable {
        private final AtomicBoolean fired = new AtomicBoolean();
        private volatile ScheduledFuture<?> future;

        private Alarm() {
        }

        /** True once the deadline passed and the action ran (or is running). */
        public boolean fired() {
            return fired.get();
        }

        @Override
        public void close() {
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    /** @param name the thread's name, for thread dumps */
    public Watchdog(String name) {
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code action} in {@code nanos} unless the returned alarm is closed first. */
    public Alarm after(long nanos, Runnable action) {
        Alarm alarm = new Alarm();
        Runnable fire = () -> {
            if (alarm.fired.compareAndSet(false, true)) {
                action.run();
            }
        };
        try {
            alarm.future = timer.schedule(fire, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            fire.run(); // the owner is closing: the deadline is now
        }
        return alarm;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
