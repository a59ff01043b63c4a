-- Incremental My Number scan state: one row per file seen.
-- `result` holds the scan outcome as JSON with masked numbers and keyed hashes only;
-- no full number is ever stored.
CREATE TABLE scan_file (
    path         TEXT    PRIMARY KEY NOT NULL,
    size         INTEGER NOT NULL,
    mtime        INTEGER NOT NULL,
    content_hash TEXT,
    scanned_at   INTEGER NOT NULL,
    result       TEXT    NOT NULL
);
