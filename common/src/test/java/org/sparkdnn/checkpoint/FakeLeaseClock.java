package org.sparkdnn.checkpoint;

/**
 * A lease clock that never sleeps: each sleep advances its monotonic time and runs {@code onSleep} (what the other
 * party does meanwhile, e.g. a holder's heartbeat). Its wall clock is offset by {@code skewMillis}.
 */
final class FakeLeaseClock implements LeaseClock {
    private final long skewMillis;
    private long nanos = 1_000_000_000L;
    private Runnable onSleep = () -> { };

    FakeLeaseClock(long skewMillis) {
        this.skewMillis = skewMillis;
    }

    FakeLeaseClock onSleep(Runnable action) {
        this.onSleep = action;
        return this;
    }

    long elapsedMillis() {
        return (nanos - 1_000_000_000L) / 1_000_000;
    }

    @Override
    public long nanos() {
        return nanos;
    }

    @Override
    public long wallMillis() {
        return System.currentTimeMillis() + skewMillis;
    }

    @Override
    public void sleepMillis(long millis) {
        nanos += millis * 1_000_000;
        onSleep.run();
    }
}
