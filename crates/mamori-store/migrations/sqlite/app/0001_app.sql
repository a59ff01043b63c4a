-- mamori's application database (SQLite). Portable SQL where possible; what is SQLite-only
-- (the append-only triggers) has its counterpart in a future migrations/postgres/app/.
-- Times are RFC 3339 text in Japan time unless the column name ends in _unix.

CREATE TABLE organisation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE TABLE departments (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    role                 TEXT    NOT NULL,
    department_id        INTEGER REFERENCES departments (id),
    -- Argon2id PHC string.
    password_hash        TEXT    NOT NULL,
    disabled             INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL
);

-- Browser sessions: only a SHA-256 of the cookie value is kept.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf         TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_unix INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- API tokens: only a SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    name       TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE systems (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    department_id   INTEGER NOT NULL REFERENCES departments (id),
    segment         TEXT    NOT NULL,
    confidentiality TEXT    NOT NULL,
    integrity       TEXT    NOT NULL,
    availability    TEXT    NOT NULL,
    external_access INTEGER NOT NULL,
    user_base       TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    overview        TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    -- Bumped on every change: an edit based on an older version is refused.
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX systems_department ON systems (department_id);
CREATE INDEX systems_name ON systems (name);

-- SBD profile of a system: one answer per judgment condition, one override per requirement.
CREATE TABLE sbd_answers (
    system_id    INTEGER NOT NULL REFERENCES systems (id),
    condition_id TEXT    NOT NULL,
    value        INTEGER NOT NULL,
    reason       TEXT    NOT NULL,
    PRIMARY KEY (system_id, condition_id)
);

CREATE TABLE sbd_overrides (
    system_id      INTEGER NOT NULL REFERENCES systems (id),
    requirement_id TEXT    NOT NULL,
    level          TEXT    NOT NULL,
    justification  TEXT    NOT NULL,
    PRIMARY KEY (system_id, requirement_id)
);

-- Who changed which answer or level, when and why.
CREATE TABLE sbd_history (
    id         INTEGER PRIMARY KEY,
    system_id  INTEGER NOT NULL REFERENCES systems (id),
    time       TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    item       TEXT    NOT NULL,
    before     TEXT    NOT NULL,
    after      TEXT    NOT NULL,
    reason     TEXT    NOT NULL
);
CREATE INDEX sbd_history_system ON sbd_history (system_id);

-- Documents as issued: the exact bytes, so a download later is the document that was given out.
CREATE TABLE documents (
    id         INTEGER PRIMARY KEY,
    system_id  INTEGER NOT NULL REFERENCES systems (id),
    kind       TEXT    NOT NULL,
    format     TEXT    NOT NULL,
    lang       TEXT    NOT NULL,
    file_name  TEXT    NOT NULL,
    sha256     TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    content    BLOB    NOT NULL,
    created_at TEXT    NOT NULL,
    created_by TEXT    NOT NULL
);
CREATE INDEX documents_system ON documents (system_id);

-- The audit trail: each entry's hash covers the previous entry's hash (mamori-audit).
CREATE TABLE audit_log (
    seq    INTEGER PRIMARY KEY,
    time   TEXT    NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    object TEXT    NOT NULL,
    detail TEXT    NOT NULL,
    prev   TEXT    NOT NULL,
    hash   TEXT    NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Small settings (one-time setup token hash and the like).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
