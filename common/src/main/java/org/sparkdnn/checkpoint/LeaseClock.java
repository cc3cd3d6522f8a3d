package org.sparkdnn.checkpoint;

/**
 * The writer lease's time: a monotonic clock that judges staleness (the reader's own; never compared with another
 * machine's), a wall clock only recorded for people reading the lease, and the wait between two looks at it.
 * Injected so that tests advance time without sleeping.
 */
interface LeaseClock {
    long nanos();

    long wallMillis();

    void sleepMillis(long millis) throws InterruptedException;

    static LeaseClock system() {
        return new LeaseClock() {
            @Override
            public long nanos() {
                return System.nanoTime();
            }

            @Override
            public long wallMillis() {
                return System.currentTimeMillis();
            }

            @Override
            public void sleepMillis(long millis) throws InterruptedException {
                Thread.sleep(millis);
            }
        };
    }
}
