package org.sparkdnn.ps;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule for connections that have not authenticated yet, shared by the parameter server and the peer mesh: each
 * must finish its whole handshake within one deadline (trickling a byte at a time does not extend it: a
 * {@link Watchdog} closes it), and at most {@code cap} are open at once; a new one beyond that closes the oldest
 * instead of being refused (a real worker's handshake takes milliseconds: the oldest is the likeliest to be stalling,
 * and a flood can never lock real workers out). Authenticated connections are not counted and never evicted.
 * Refusals are logged rate-limited: the first 20, then every 1000th with the count.
 */
public final class Intake implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Intake.class);

    private final String name;
    private final int cap;
    private final long handshakeNanos;
    private final Watchdog watchdog;
    /** Unauthenticated connections, oldest first, with their handshake deadline. */
    private final Map<Closeable, Watchdog.Alarm> pending = new LinkedHashMap<>();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private boolean closed;

    /**
     * @param name           who takes the connections, for the log ("parameter server for job x")
     * @param cap            the most unauthenticated connections open at once
     * @param handshakeNanos a connection's whole handshake must finish within it
     * @param watchdog       closes a connection at its deadline (owned by the caller)
     */
    public Intake(String name, int cap, long handshakeNanos, Watchdog watchdog) {
        if (cap < 1 || handshakeNanos <= 0) {
            throw new IllegalArgumentException("an intake needs cap >= 1 and a positive handshake deadline, was "
                    + cap + " and " + handshakeNanos + " ns");
        }
        this.name = name;
        this.cap = cap;
        this.handshakeNanos = handshakeNanos;
        this.watchdog = watchdog;
    }

    /** Starts {@code c}'s handshake deadline; at the cap, closes the oldest unauthenticated connection first. */
    public void admit(Closeable c) {
        Closeable oldest = null;
        synchronized (this) {
            if (closed) {
                oldest = c;
            } else {
                if (pending.size() >= cap) {
                    Iterator<Map.Entry<Closeable, Watchdog.Alarm>> first = pending.entrySet().iterator();
                    Map.Entry<Closeable, Watchdog.Alarm> e = first.next();
                    first.remove();
                    e.getValue().close();
                    oldest = e.getKey();
                }
                // scheduled under this lock: the deadline cannot fire before c is pending
                pending.put(c, watchdog.after(handshakeNanos, () -> expire(c)));
            }
        }
        if (oldest != null && oldest != c) {
            long n = evicted.incrementAndGet();
            if (n <= 20 || n % 1000 == 0) {
                LOG.warn("{}: {} connections still authenticating, the limit; closed the oldest, {} ({} so far)",
                        name, cap, oldest, n);
            }
        }
        closeQuietly(oldest);
    }

    private void expire(Closeable c) {
        boolean late;
        synchronized (this) {
            late = pending.remove(c) != null;
        }
        if (late) {
            refused(c, "no complete handshake within " + TimeUnit.NANOSECONDS.toMillis(handshakeNanos) + " ms");
            closeQuietly(c);
        }
    }

    /**
     * {@code c}'s handshake is over (it authenticated, or it failed and its owner closes it): its deadline is
     * disarmed and it no longer counts. False when it was closed meanwhile (evicted, or past its deadline): then it must not be used.
     */
    public boolean finished(Closeable c) {
        Watchdog.Alarm alarm;
        synchronized (this) {
            alarm = pending.remove(c);
        }
        if (alarm == null) {
            return false;
        }
        alarm.close(); // if it fired meanwhile, expire() finds c no longer pending and leaves it alone
        return true;
    }

    /** Unauthenticated connections open now. */
    public synchronized int pending() {
        return pending.size();
    }

    /** Connections closed so far to make room for newer ones. */
    public long evicted() {
        return evicted.get();
    }

    /** Logs a connection dropped before it authenticated, rate-limited so that a flood cannot flood the log. */
    public void refused(Object from, String reason) {
        long n = refused.incrementAndGet();
        if (n <= 20 || n % 1000 == 0) {
            LOG.warn("{}: closed the connection from {} before it authenticated ({} so far): {}", name, from, n,
                    reason);
        }
    }

    /** Closes every connection still authenticating; later ones are closed as they arrive. */
    @Override
    public void close() {
        List<Closeable> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(pending.keySet());
            pending.values().forEach(Watchdog.Alarm::close);
            pending.clear();
        }
        open.forEach(Intake::closeQuietly);
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", c, e.toString());
            }
        }
    }
}
