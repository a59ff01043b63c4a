-- Compliance assessments (mamori-assess): one row per assessment, one per requirement result,
-- remediation and evidence item. Evidence file bytes live outside the database, in the data
-- directory's evidence store, addressed by their SHA-256 (kept here to detect tampering).

CREATE TABLE assessments (
    id                    INTEGER PRIMARY KEY,
    title                 TEXT    NOT NULL,
    catalog_id            TEXT    NOT NULL,
    -- The catalog version the assessment was made against (a later catalog may differ).
    catalog_version       TEXT    NOT NULL,
    -- 'segment' (segment set) or 'system' (system_id set).
    target_kind           TEXT    NOT NULL CHECK (target_kind IN ('segment', 'system')),
    segment               TEXT,
    system_id             INTEGER REFERENCES systems (id),
    -- The system's name when the assessment was created: a signed-off report keeps it.
    target_name           TEXT    NOT NULL,
    assessed_on           TEXT    NOT NULL,
    state                 TEXT    NOT NULL CHECK (state IN ('draft', 'in_review', 'signed_off')),
    version_no            INTEGER NOT NULL,
    -- A version has at most one successor (copy-forward only from a signed-off version).
    previous_id           INTEGER UNIQUE REFERENCES assessments (id),
    evidence_max_age_days INTEGER NOT NULL,
    created_at            TEXT    NOT NULL,
    created_by            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    signed_at             TEXT,
    signed_by             TEXT,
    CHECK ((target_kind = 'segment') = (segment IS NOT NULL)),
    CHECK ((target_kind = 'system') = (system_id IS NOT NULL))
);
CREATE INDEX assessments_catalog ON assessments (catalog_id);
CREATE INDEX assessments_system ON assessments (system_id);

CREATE TABLE assessment_results (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    item_id       TEXT    NOT NULL,
    outcome       TEXT    NOT NULL,
    comment       TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    updated_by    TEXT    NOT NULL,
    PRIMARY KEY (assessment_id, item_id)
);

CREATE TABLE assessment_remediations (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    item_id       TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    owner         TEXT    NOT NULL,
    due_on        TEXT,
    status        TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    updated_by    TEXT    NOT NULL,
    PRIMARY KEY (assessment_id, item_id)
);

CREATE TABLE assessment_evidence (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    item_id       TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('file', 'url', 'note', 'record')),
    title         TEXT    NOT NULL,
    url           TEXT,
    note          TEXT    NOT NULL,
    file_name     TEXT,
    content_type  TEXT,
    sha256        TEXT,
    size          INTEGER,
    analyzer      TEXT,
    added_on      TEXT    NOT NULL,
    added_by      TEXT    NOT NULL,
    -- The evidence row this one was copied forward from.
    copied_from   INTEGER REFERENCES assessment_evidence (id)
);
CREATE INDEX assessment_evidence_item ON assessment_evidence (assessment_id, item_id);
CREATE INDEX assessment_evidence_sha ON assessment_evidence (sha256);

-- A signed-off assessment is locked: its row, results, remediation and evidence cannot change
-- (a new version is started instead). The application checks first; these make it a rule of
-- the database as well.
CREATE TRIGGER assessments_locked BEFORE UPDATE ON assessments
WHEN OLD.state = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
WHEN OLD.state = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
CREATE TRIGGER assessment_results_locked_ins BEFORE INSERT ON assessment_results
WHEN (SELECT state FROM assessments WHERE id = NEW.assessment_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
CREATE TRIGGER assessment_results_locked_upd BEFORE UPDATE ON assessment_results
WHEN (SELECT state FROM assessments WHERE id = OLD.assessment_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
CREATE TRIGGER assessment_results_locked_del BEFORE DELETE ON assessment_results
WHEN (SELECT state FROM assessments WHERE id = OLD.assessment_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
CREATE TRIGGER assessment_remediations_locked_ins BEFORE INSERT ON assessment_remediations
WHEN (SELECT state FROM assessments WHERE id = NEW.assessment_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
CREATE TRIGGER assessment_remediations_locked_upd BEFORE UPDATE ON assessment_remediations
WHEN (SELECT state FROM assessments WHERE id = OLD.assessment_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
CREATE TRIGGER assessment_remediations_locked_del BEFORE DELETE ON assessment_remediations
WHEN (SELECT state FROM assessments WHERE id = OLD.assessment_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
CREATE TRIGGER assessment_evidence_locked_ins BEFORE INSERT ON assessment_evidence
WHEN (SELECT state FROM assessments WHERE id = NEW.assessment_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
CREATE TRIGGER assessment_evidence_locked_upd BEFORE UPDATE ON assessment_evidence
WHEN (SELECT state FROM assessments WHERE id = OLD.assessment_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
CREATE TRIGGER assessment_evidence_locked_del BEFORE DELETE ON assessment_evidence
WHEN (SELECT state FROM assessments WHERE id = OLD.assessment_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'assessment is signed off');
END;
