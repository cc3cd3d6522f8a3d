package org.sparkdnn.ps.server;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.ps.PsMessage;

/**
 * What the reader threads of authenticated connections report to the step loop, bounded to {@code 8k + 16} events
 * (a worker has at most a reply, its peer address and its failure outstanding; a retried stage attempt's are
 * cleared with the epoch). A reader never blocks on it: when it is full, the connection whose message does not fit
 * is closed (a worker that sends faster than the server asks is broken or hostile), logged rate-limited; a failure
 * that does not fit is logged, and the round that waits for that worker fails at its deadline instead.
 */
final class EventQueue {
    private static final Logger LOG = LoggerFactory.getLogger(EventQueue.class);

    /** One message or failure of one connection. */
    record Event(Connection from, PsMessage message, Throwable failure) {
    }

    private final BlockingQueue<Event> events;
    private final int capacity;
    private final AtomicLong dropped = new AtomicLong();

    EventQueue(int workers) {
        this.capacity = 8 * workers + 16;
        this.events = new LinkedBlockingQueue<>(capacity);
    }

    void message(Connection c, PsMessage message) {
        if (!events.offer(new Event(c, message, null))) {
            dropped(c, message);
        }
    }

    void failure(Connection c, Throwable failure) {
        if (!events.offer(new Event(c, null, failure))) {
            dropped(c, failure);
        }
    }

    private void dropped(Connection c, Object what) {
        long n = dropped.incrementAndGet();
        if (n <= 20 || n % 1000 == 0) {
            LOG.warn("the parameter server's {} queued events are not yet read: dropped {} of {} and closed it ({} "
                    + "dropped so far)", capacity, what, c, n);
        }
        c.close();
    }

    /** The next event, or null after {@code nanos}. */
    Event poll(long nanos) throws InterruptedException {
        return events.poll(nanos, TimeUnit.NANOSECONDS);
    }

    /** Forgets the events of connections closed at an epoch's start. */
    void clear() {
        events.clear();
    }

    int capacity() {
        return capacity;
    }
}
