package org.sparkdnn.config;

/**
 * What a record that cannot be read does ({@code data.onBadRecord}): {@code fail} the read naming its file and
 * record (default), or {@code skip} it — counted and logged. Skipping applies to {@code data.format: images} (a file
 * that does not decode); the other formats always fail.
 */
public enum BadRecords implements Keyed {
    FAIL, SKIP
}
