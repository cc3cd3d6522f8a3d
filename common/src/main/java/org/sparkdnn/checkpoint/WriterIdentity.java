package org.sparkdnn.checkpoint;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who holds a writer lease, precisely enough to tell whether its process is gone: host name, the kernel's boot id
 * ({@code /proc/sys/kernel/random/boot_id}), the container id (a 64-hex docker/containerd/CRI-O id found in
 * {@code /proc/self/cgroup} or {@code /proc/self/mountinfo}, empty outside a container), the PID namespace
 * ({@code /proc/self/ns/pid}), the pid and the process's start time. Containers share host names, not PID
 * namespaces: a pid means the same process only when all of these match ({@link #sameMachine}). Empty strings where
 * the platform does not tell; then a pid is never trusted and the holder is judged by its heartbeat alone.
 */
record WriterIdentity(String host, String bootId, String container, String pidNamespace, long pid, long startedMillis) {
    private static final Pattern CONTAINER_ID = Pattern.compile("(?<![0-9a-f])([0-9a-f]{64})(?![0-9a-f])");

    /** This process. */
    static WriterIdentity current() {
        ProcessHandle self = ProcessHandle.current();
        return new WriterIdentity(hostName(), read("/proc/sys/kernel/random/boot_id"), containerId(), pidNamespaceOfThisProcess(),
                self.pid(), started(self));
    }

    /** The same kernel and PID namespace (and container, and host): this identity's pid can be looked up here. */
    boolean sameMachine(WriterIdentity other) {
        return !bootId.isEmpty() && !pidNamespace.isEmpty() && bootId.equals(other.bootId)
                && pidNamespace.equals(other.pidNamespace) && container.equals(other.container)
                && host.equals(other.host);
    }

    /** For an identity on this machine: its process still runs (same pid, same start time: not a reused pid). */
    boolean alive() {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return false;
        }
        long started = started(process.get());
        return startedMillis <= 0 || started <= 0 || started == startedMillis;
    }

    /** {@code host h, pid 12, container 3f2a…} for messages. */
    String describe() {
        return "host " + host + ", pid " + pid + (container.isEmpty() ? "" : ", container " + container.substring(0, 12));
    }

    private static long started(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String containerId() {
        for (String source : new String[] {"/proc/self/cgroup", "/proc/self/mountinfo"}) {
            Matcher m = CONTAINER_ID.matcher(read(source));
            if (m.find()) {
                return m.group(1);
            }
        }
        return "";
    }

    private static String pidNamespaceOfThisProcess() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return ""; // not Linux: pids are never trusted, heartbeats decide
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException | SecurityException e) {
            return ""; // not Linux: pids are never trusted, heartbeats decide
        }
    }
}
