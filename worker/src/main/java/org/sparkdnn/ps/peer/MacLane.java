package org.sparkdnn.ps.peer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sparkdnn.ps.FrameMac;

/**
 * The thread that feeds the mesh's receiving MACs ({@code cluster.frameIntegrity: mac}), so that hashing what arrives
 * runs on another core, where one is free, while the selector loop goes on reading (the sending MACs stay on the
 * loop's thread: the two directions' hashing then runs in parallel). Its tasks run in the order given, so each
 * {@link FrameMac} sees its frame's bytes in order; the exchange waits for every frame's {@link #verify} before it
 * returns.
 */
final class MacLane implements AutoCloseable {
    private final ExecutorService thread;

    MacLane(String name) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    void begin(FrameMac mac) {
        thread.execute(mac::begin);
    }

    /** Feeds {@code mac} the bytes of {@code buffer} from {@code from} to its position now (a view is taken). */
    void update(FrameMac mac, ByteBuffer buffer, int from) {
        if (buffer.position() > from) {
            ByteBuffer moved = buffer.duplicate();
            thread.execute(() -> mac.update(moved, from));
        }
    }

    /** Ends the frame and checks its tag (copied now) once every byte before it is fed. */
    CompletableFuture<Void> verify(FrameMac mac, byte[] tag) {
        byte[] copy = tag.clone();
        return CompletableFuture.runAsync(() -> {
            try {
                mac.verify(copy);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, thread);
    }

    /** Waits for {@code verified} until {@code deadline} (System.nanoTime); a failed tag is thrown as it was. */
    static void await(CompletableFuture<Void> verified, long deadline) throws IOException {
        try {
            verified.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof IllegalStateException s && s.getCause() != null
                    ? s.getCause() : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("checking a frame's MAC failed", cause);
        } catch (TimeoutException e) {
            throw new IOException("the frames' MACs were not checked within the step deadline "
                    + "(cluster.stepTimeoutSeconds)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while checking the frames' MACs");
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
