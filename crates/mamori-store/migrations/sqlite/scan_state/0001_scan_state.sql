-- Incremental My Number scan state: one row per file seen.
-- `path_key` is a keyed hash of the file's path and `shown_path` the path with any My Number
-- in it masked (a file may be named after a person's number); `result` holds the scan outcome
-- as JSON with masked numbers and keyed hashes only. No full number is ever stored.
CREATE TABLE scan_file (
    path_key     TEXT    PRIMARY KEY NOT NULL,
    shown_path   TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    mtime        INTEGER NOT NULL,
    content_hash TEXT,
    scanned_at   INTEGER NOT NULL,
    result       TEXT    NOT NULL
);
