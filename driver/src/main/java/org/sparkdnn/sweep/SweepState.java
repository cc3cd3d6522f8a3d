package org.sparkdnn.sweep;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.io.Storage;

/**
 * {@code sweep.json}: the sweep's identity and every finished job's record, rewritten atomically (temp + rename)
 * after each job. It is all a resumed sweep needs: the decisions are recomputed from the records, finished jobs are
 * not rerun, and an interrupted job's trial continues from its own checkpoints.
 */
final class SweepState {
    /** 2: jobs record the epoch their metric is from, read by the scheduler's scope. */
    static final int FORMAT = 2;
    private final Storage storage;
    private final ObjectMapper json;
    private final String file;
    private final String sweepSha256;
    private final Map<Asha.Job, JobRecord> records = new LinkedHashMap<>();

    private SweepState(Storage storage, ObjectMapper json, String file, String sweepSha256) {
        this.storage = storage;
        this.json = json;
        this.file = file;
        this.sweepSha256 = sweepSha256;
    }

    /** The state in {@code outputDir}, or a new one; a different sweep's state is an error. */
    static SweepState open(Storage storage, ObjectMapper json, String outputDir, String sweepSha256)
            throws IOException {
        SweepState state = new SweepState(storage, json, outputDir + "/sweep.json", sweepSha256);
        Optional<String> written = storage.readWritten(state.file);
        if (written.isPresent()) {
            Map<String, Object> stored = json.readValue(written.get(), new TypeReference<>() {
            });
            if (!Integer.valueOf(FORMAT).equals(stored.get("format"))) {
                throw new ConfigException(state.file, "was written by another version of the sweep runner (format "
                        + FORMAT + " ranks trials by scheduler.scope and records each metric's epoch); use another "
                        + "--output", stored.get("format"));
            }
            if (!sweepSha256.equals(stored.get("sweepSha256"))) {
                throw new ConfigException(state.file, "holds another sweep (its sweep file, base config or --set "
                        + "values differ); use another --output, or the same sweep to resume", stored.get("sweepSha256"));
            }
            List<JobRecord> jobs = json.convertValue(stored.get("jobs"), new TypeReference<>() {
            });
            jobs.forEach(r -> state.records.put(r.job(), r));
        } else {
            state.write(); // the sweep's identity before any trial writes a checkpoint
        }
        return state;
    }

    boolean resumed() {
        return !records.isEmpty();
    }

    Map<Asha.Job, JobRecord> records() {
        return records;
    }

    Map<Asha.Job, Asha.Outcome> outcomes() {
        Map<Asha.Job, Asha.Outcome> o = new LinkedHashMap<>();
        records.forEach((job, r) -> o.put(job, r.outcome()));
        return o;
    }

    /** Forgets failed jobs, so that they run again ({@code --retry-failed}); returns how many. */
    int forgetFailures() throws IOException {
        List<Asha.Job> failed = records.values().stream().filter(JobRecord::failed).map(JobRecord::job).toList();
        failed.forEach(records::remove);
        if (!failed.isEmpty()) {
            write();
        }
        return failed.size();
    }

    void add(JobRecord record) throws IOException {
        records.put(record.job(), record);
        write();
    }

    private void write() throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", FORMAT);
        doc.put("sweepSha256", sweepSha256);
        doc.put("jobs", new ArrayList<>(records.values()));
        storage.writeAtomically(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
    }
}
