package org.sparkdnn.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.apache.hadoop.conf.Configuration;
import org.sparkdnn.config.ConfigLoader;

/**
 * One of the two racing processes of {@link WriterLeaseRaceTest}: for each round, waits at a file barrier for the
 * other process, then tries to take the round directory's stale lease. Writes {@code round outcome startNanos
 * endNanos} per round to its result file (System.nanoTime is one clock for all processes of a Linux machine).
 * Arguments: base URI, barrier directory, own name, the other's name, rounds, stale millis, result file, then
 * Hadoop settings {@code key=value}.
 */
public final class LeaseRaceChild {
    private LeaseRaceChild() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        Path barrier = Path.of(args[1]);
        String me = args[2];
        String other = args[3];
        int rounds = Integer.parseInt(args[4]);
        long stale = Long.parseLong(args[5]);
        Configuration hadoop = new Configuration();
        for (int i = 7; i < args.length; i++) {
            hadoop.set(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        }
        ConfigLoader loader = new ConfigLoader();
        List<String> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            CheckpointStore store = new CheckpointStore(base + "/round-" + r, hadoop, loader.json());
            Files.createFile(barrier.resolve(r + "-" + me));
            while (!Files.exists(barrier.resolve(r + "-" + other))) {
                LockSupport.parkNanos(20_000);
            }
            long start = System.nanoTime();
            String outcome;
            try {
                store.acquireLease(me, stale);
                outcome = "won";
            } catch (CheckpointException e) {
                outcome = "lost";
            }
            results.add(r + " " + outcome + " " + start + " " + System.nanoTime());
        }
        Files.write(Path.of(args[6]), results);
    }
}
