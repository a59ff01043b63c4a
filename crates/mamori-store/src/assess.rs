//! Persistence of compliance assessments (see `mamori-assess`): the assessment, its results,
//! remediation and evidence rows. Every change is one write transaction with its audit entry,
//! and is refused unless the assessment is a draft (the schema's triggers refuse any change to
//! a signed-off assessment as well).

use std::collections::BTreeMap;

use jiff::civil::Date;
use mamori_assess::{
    Assessment, Evidence, EvidenceKind, FileRef, ItemResult, Outcome, Remediation,
    RemediationStatus, State, Target,
};
use mamori_model::Segment;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

use crate::StoreError;
use crate::app::{Actor, AppDb, audit};

/// The version, catalog, state and target of the assessment a new version is copied from.
type SourceRow = (i64, String, String, String, Option<String>, Option<i64>);

/// What a new assessment starts from.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub title: String,
    pub catalog: String,
    /// The version of the catalog in force, kept with the assessment.
    pub catalog_version: String,
    pub target: Target,
    pub date: Date,
    pub evidence_max_age_days: u32,
    /// Copy results, remediation and evidence references from this assessment.
    pub copy_from: Option<i64>,
}

/// A row of the assessment list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AssessmentSummary {
    pub id: i64,
    pub title: String,
    pub catalog: String,
    pub target_kind: String,
    pub segment: Option<String>,
    pub system_id: Option<i64>,
    pub system_name: Option<String>,
    pub date: String,
    pub state: State,
    pub version_no: u32,
    pub previous: Option<i64>,
    pub updated_at: String,
    /// Results recorded (not 未評価).
    pub assessed: i64,
    pub evidence: i64,
}

/// A new evidence item (the file, if any, is already in the evidence store).
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub kind: EvidenceKind,
    pub title: String,
    pub url: Option<String>,
    pub note: String,
    pub file: Option<FileRef>,
    pub analyzer: Option<String>,
    pub added_on: Date,
}

fn bad(column: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unexpected {column} value {value:?}"))
}

fn date(column: &str, s: &str) -> Result<Date, StoreError> {
    s.parse::<Date>().map_err(|_| bad(column, s))
}

fn state_of(s: &str) -> Result<State, StoreError> {
    State::parse(s).ok_or_else(|| bad("state", s))
}

fn is_locked_error(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.message().contains("signed off"))
}

/// Maps a trigger refusal to `Conflict("state")`.
fn locked(e: sqlx::Error) -> StoreError {
    if is_locked_error(&e) {
        StoreError::Conflict("state".into())
    } else {
        StoreError::Sql(e)
    }
}

/// Reads the state in the transaction; anything but a draft is refused.
async fn draft(tx: &mut Transaction<'_, Sqlite>, id: i64) -> Result<(), StoreError> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM assessments WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match state.as_deref() {
        None => Err(StoreError::NotFound),
        Some("draft") => Ok(()),
        Some(_) => Err(StoreError::Conflict("state".into())),
    }
}

async fn touch(tx: &mut Transaction<'_, Sqlite>, id: i64, actor: &Actor) -> Result<(), StoreError> {
    sqlx::query("UPDATE assessments SET updated_at = ? WHERE id = ?")
        .bind(&actor.time)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(locked)?;
    Ok(())
}

const SUMMARY_SELECT: &str = "SELECT a.id, a.title, a.catalog_id, a.target_kind, a.segment, \
     a.system_id, NULLIF(a.target_name, '') AS system_name, a.assessed_on, a.state, a.version_no, a.previous_id, \
     a.updated_at, \
     (SELECT COUNT(*) FROM assessment_results r WHERE r.assessment_id = a.id \
        AND r.outcome <> 'not_assessed') AS assessed, \
     (SELECT COUNT(*) FROM assessment_evidence e WHERE e.assessment_id = a.id) AS evidence \
     FROM assessments a";

fn summary_from(r: &SqliteRow) -> Result<AssessmentSummary, StoreError> {
    let state: String = r.try_get("state")?;
    Ok(AssessmentSummary {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        catalog: r.try_get("catalog_id")?,
        target_kind: r.try_get("target_kind")?,
        segment: r.try_get("segment")?,
        system_id: r.try_get("system_id")?,
        system_name: r.try_get("system_name")?,
        date: r.try_get("assessed_on")?,
        state: state_of(&state)?,
        version_no: u32::try_from(r.try_get::<i64, _>("version_no")?).unwrap_or(0),
        previous: r.try_get("previous_id")?,
        updated_at: r.try_get("updated_at")?,
        assessed: r.try_get("assessed")?,
        evidence: r.try_get("evidence")?,
    })
}

fn evidence_from(r: &SqliteRow) -> Result<(String, Evidence), StoreError> {
    let kind: String = r.try_get("kind")?;
    let added_on: String = r.try_get("added_on")?;
    let sha256: Option<String> = r.try_get("sha256")?;
    let file = match sha256 {
        Some(sha256) => Some(FileRef {
            name: r
                .try_get::<Option<String>, _>("file_name")?
                .unwrap_or_default(),
            content_type: r
                .try_get::<Option<String>, _>("content_type")?
                .unwrap_or_default(),
            sha256,
            size: u64::try_from(r.try_get::<Option<i64>, _>("size")?.unwrap_or(0)).unwrap_or(0),
        }),
        None => None,
    };
    Ok((
        r.try_get("item_id")?,
        Evidence {
            id: r.try_get("id")?,
            kind: EvidenceKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
            title: r.try_get("title")?,
            url: r.try_get("url")?,
            note: r.try_get("note")?,
            file,
            analyzer: r.try_get("analyzer")?,
            added_on: date("added_on", &added_on)?,
            added_by: r.try_get("added_by")?,
        },
    ))
}

const EVIDENCE_COLUMNS: &str = "id, item_id, kind, title, url, note, file_name, content_type, \
     sha256, size, analyzer, added_on, added_by";

impl AppDb {
    /// Creates an assessment (a draft); with `copy_from`, a new version of that assessment
    /// carrying its results, remediation and evidence references.
    pub async fn create_assessment(
        &self,
        n: &NewAssessment,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let (kind, segment, system_id) = match &n.target {
            Target::Segment { segment } => ("segment", Some(segment.key()), None),
            Target::System { id, .. } => ("system", None, Some(*id)),
        };
        let target_name = match &n.target {
            Target::Segment { .. } => String::new(),
            Target::System { id, name } => {
                let current: Option<String> =
                    sqlx::query_scalar("SELECT name FROM systems WHERE id = ?")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                current
                    .or_else(|| (!name.is_empty()).then(|| name.clone()))
                    .ok_or_else(|| StoreError::Invalid("system".into()))?
            }
        };
        let version_no: i64 = match n.copy_from {
            Some(prev) => {
                let v: Option<SourceRow> = sqlx::query_as(
                    "SELECT version_no, catalog_id, state, target_kind, segment, system_id \
                         FROM assessments WHERE id = ?",
                )
                .bind(prev)
                .fetch_optional(&mut *tx)
                .await?;
                let (v, catalog, state, kind, segment, system) =
                    v.ok_or_else(|| StoreError::Invalid("copy_from".into()))?;
                if catalog != n.catalog {
                    return Err(StoreError::Invalid("catalog".into()));
                }
                let same_target = match &n.target {
                    Target::Segment { segment: s } => {
                        kind == "segment" && segment.as_deref() == Some(s.key())
                    }
                    Target::System { id, .. } => kind == "system" && system == Some(*id),
                };
                if !same_target {
                    return Err(StoreError::Invalid("target".into()));
                }
                if state != "signed_off" {
                    return Err(StoreError::Conflict("state".into()));
                }
                let successor: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM assessments WHERE previous_id = ?")
                        .bind(prev)
                        .fetch_optional(&mut *tx)
                        .await?;
                if successor.is_some() {
                    return Err(StoreError::Conflict("version".into()));
                }
                v + 1
            }
            None => 1,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assessments (title, catalog_id, catalog_version, target_kind, segment, \
             system_id, target_name, assessed_on, state, version_no, previous_id, \
             evidence_max_age_days, created_at, created_by, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&n.title)
        .bind(&n.catalog)
        .bind(&n.catalog_version)
        .bind(kind)
        .bind(segment)
        .bind(system_id)
        .bind(&target_name)
        .bind(n.date.to_string())
        .bind(version_no)
        .bind(n.copy_from)
        .bind(i64::from(n.evidence_max_age_days))
        .bind(&actor.time)
        .bind(&actor.name)
        .bind(&actor.time)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                StoreError::Invalid("system".into())
            }
            _ => StoreError::Sql(e),
        })?;
        let mut detail = format!(
            "{} catalog {} {} target {} date {}",
            n.title,
            n.catalog,
            n.catalog_version,
            segment.map_or_else(
                || format!("system/{}", system_id.unwrap_or(0)),
                str::to_owned
            ),
            n.date
        );
        if let Some(prev) = n.copy_from {
            for sql in [
                "INSERT INTO assessment_results (assessment_id, item_id, outcome, comment, \
                 updated_at, updated_by) SELECT ?, item_id, outcome, comment, updated_at, \
                 updated_by FROM assessment_results WHERE assessment_id = ?",
                "INSERT INTO assessment_remediations (assessment_id, item_id, action, owner, \
                 due_on, status, updated_at, updated_by) SELECT ?, item_id, action, owner, \
                 due_on, status, updated_at, updated_by FROM assessment_remediations \
                 WHERE assessment_id = ?",
                "INSERT INTO assessment_evidence (assessment_id, item_id, kind, title, url, note, \
                 file_name, content_type, sha256, size, analyzer, added_on, added_by, \
                 copied_from) SELECT ?, item_id, kind, title, url, note, file_name, \
                 content_type, sha256, size, analyzer, added_on, added_by, id \
                 FROM assessment_evidence WHERE assessment_id = ? ORDER BY id",
            ] {
                sqlx::query(sql)
                    .bind(id)
                    .bind(prev)
                    .execute(&mut *tx)
                    .await?;
            }
            detail.push_str(&format!(" copied forward from assessment/{prev}"));
        }
        audit(
            &mut tx,
            actor,
            "assessment.create",
            &format!("assessment/{id}"),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// All assessments, newest first.
    pub async fn assessments(&self) -> Result<Vec<AssessmentSummary>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SUMMARY_SELECT} ORDER BY a.assessed_on DESC, a.id DESC"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from).collect()
    }

    /// One assessment with every result, remediation and evidence item.
    pub async fn assessment(&self, id: i64) -> Result<Option<Assessment>, StoreError> {
        let Some(r) = sqlx::query("SELECT * FROM assessments WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let kind: String = r.try_get("target_kind")?;
        let target = if kind == "segment" {
            let s: String = r
                .try_get::<Option<String>, _>("segment")?
                .unwrap_or_default();
            Target::Segment {
                segment: Segment::parse(&s).ok_or_else(|| bad("segment", &s))?,
            }
        } else {
            Target::System {
                id: r.try_get::<Option<i64>, _>("system_id")?.unwrap_or(0),
                name: r.try_get("target_name")?,
            }
        };
        let state: String = r.try_get("state")?;
        let on: String = r.try_get("assessed_on")?;
        let mut results: BTreeMap<String, ItemResult> = BTreeMap::new();
        for row in sqlx::query(
            "SELECT item_id, outcome, comment FROM assessment_results WHERE assessment_id = ?",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            let outcome: String = row.try_get("outcome")?;
            results.insert(
                row.try_get("item_id")?,
                ItemResult {
                    outcome: Outcome::parse(&outcome).ok_or_else(|| bad("outcome", &outcome))?,
                    comment: row.try_get("comment")?,
                    evidence: Vec::new(),
                    remediation: None,
                },
            );
        }
        for row in sqlx::query(
            "SELECT item_id, action, owner, due_on, status FROM assessment_remediations \
             WHERE assessment_id = ?",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            let status: String = row.try_get("status")?;
            let due: Option<String> = row.try_get("due_on")?;
            let item: String = row.try_get("item_id")?;
            results.entry(item).or_default().remediation = Some(Remediation {
                action: row.try_get("action")?,
                owner: row.try_get("owner")?,
                due: due.as_deref().map(|d| date("due_on", d)).transpose()?,
                status: RemediationStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
            });
        }
        for row in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVIDENCE_COLUMNS} FROM assessment_evidence WHERE assessment_id = ? \
             ORDER BY id"
        )))
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            let (item, e) = evidence_from(&row)?;
            results.entry(item).or_default().evidence.push(e);
        }
        Ok(Some(Assessment {
            id,
            title: r.try_get("title")?,
            catalog: r.try_get("catalog_id")?,
            catalog_version: r.try_get("catalog_version")?,
            target,
            date: date("assessed_on", &on)?,
            state: state_of(&state)?,
            version_no: u32::try_from(r.try_get::<i64, _>("version_no")?).unwrap_or(0),
            previous: r.try_get("previous_id")?,
            created_by: r.try_get("created_by")?,
            signed_by: r.try_get("signed_by")?,
            signed_at: r.try_get("signed_at")?,
            evidence_max_age_days: u32::try_from(r.try_get::<i64, _>("evidence_max_age_days")?)
                .unwrap_or(0),
            results,
        }))
    }

    /// Records the result of one requirement (the caller validated it against the catalog).
    pub async fn set_result(
        &self,
        id: i64,
        item: &str,
        outcome: Outcome,
        comment: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        draft(&mut tx, id).await?;
        let before: Option<(String, String)> = sqlx::query_as(
            "SELECT outcome, comment FROM assessment_results WHERE assessment_id = ? \
             AND item_id = ?",
        )
        .bind(id)
        .bind(item)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO assessment_results (assessment_id, item_id, outcome, comment, \
             updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (assessment_id, item_id) DO UPDATE SET outcome = excluded.outcome, \
             comment = excluded.comment, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(id)
        .bind(item)
        .bind(outcome.key())
        .bind(comment)
        .bind(&actor.time)
        .bind(&actor.name)
        .execute(&mut *tx)
        .await
        .map_err(locked)?;
        touch(&mut tx, id, actor).await?;
        let before = before.map_or_else(|| "not_assessed".to_owned(), |(o, _)| o);
        audit(
            &mut tx,
            actor,
            "assessment.result",
            &format!("assessment/{id}/{item}"),
            &format!("{before} -> {}: {comment}", outcome.key()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets (or with `None` removes) the remediation of one requirement.
    pub async fn set_remediation(
        &self,
        id: i64,
        item: &str,
        r: Option<&Remediation>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        draft(&mut tx, id).await?;
        let detail = match r {
            Some(r) => {
                sqlx::query(
                    "INSERT INTO assessment_remediations (assessment_id, item_id, action, owner, \
                     due_on, status, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
                     ON CONFLICT (assessment_id, item_id) DO UPDATE SET action = excluded.action, \
                     owner = excluded.owner, due_on = excluded.due_on, status = excluded.status, \
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(id)
                .bind(item)
                .bind(&r.action)
                .bind(&r.owner)
                .bind(r.due.map(|d| d.to_string()))
                .bind(r.status.key())
                .bind(&actor.time)
                .bind(&actor.name)
                .execute(&mut *tx)
                .await
                .map_err(locked)?;
                format!(
                    "{} / {} / due {} / {}",
                    r.action,
                    r.owner,
                    r.due.map_or_else(|| "-".to_owned(), |d| d.to_string()),
                    r.status.key()
                )
            }
            None => {
                sqlx::query(
                    "DELETE FROM assessment_remediations WHERE assessment_id = ? AND item_id = ?",
                )
                .bind(id)
                .bind(item)
                .execute(&mut *tx)
                .await
                .map_err(locked)?;
                "removed".to_owned()
            }
        };
        touch(&mut tx, id, actor).await?;
        audit(
            &mut tx,
            actor,
            "assessment.remediation",
            &format!("assessment/{id}/{item}"),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attaches an evidence item to one requirement.
    pub async fn add_evidence(
        &self,
        id: i64,
        item: &str,
        e: &NewEvidence,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        draft(&mut tx, id).await?;
        let f = e.file.as_ref();
        let eid: i64 = sqlx::query_scalar(
            "INSERT INTO assessment_evidence (assessment_id, item_id, kind, title, url, note, \
             file_name, content_type, sha256, size, analyzer, added_on, added_by) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(id)
        .bind(item)
        .bind(e.kind.key())
        .bind(&e.title)
        .bind(&e.url)
        .bind(&e.note)
        .bind(f.map(|f| &f.name))
        .bind(f.map(|f| &f.content_type))
        .bind(f.map(|f| &f.sha256))
        .bind(f.map(|f| i64::try_from(f.size).unwrap_or(i64::MAX)))
        .bind(&e.analyzer)
        .bind(e.added_on.to_string())
        .bind(&actor.name)
        .fetch_one(&mut *tx)
        .await
        .map_err(locked)?;
        touch(&mut tx, id, actor).await?;
        let what = match f {
            Some(f) => format!(
                "{} {} sha256 {} ({} bytes)",
                e.kind.key(),
                f.name,
                f.sha256,
                f.size
            ),
            None => format!("{} {}", e.kind.key(), e.url.as_deref().unwrap_or(&e.title)),
        };
        audit(
            &mut tx,
            actor,
            "assessment.evidence.add",
            &format!("assessment/{id}/{item}"),
            &format!("evidence {eid}: {what}"),
        )
        .await?;
        tx.commit().await?;
        Ok(eid)
    }

    /// Removes an evidence item from a draft (the file stays in the store: other assessments
    /// may reference the same bytes).
    pub async fn remove_evidence(
        &self,
        id: i64,
        evidence_id: i64,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        draft(&mut tx, id).await?;
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT item_id, title FROM assessment_evidence WHERE id = ? AND assessment_id = ?",
        )
        .bind(evidence_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let (item, title) = row.ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM assessment_evidence WHERE id = ?")
            .bind(evidence_id)
            .execute(&mut *tx)
            .await
            .map_err(locked)?;
        touch(&mut tx, id, actor).await?;
        audit(
            &mut tx,
            actor,
            "assessment.evidence.remove",
            &format!("assessment/{id}/{item}"),
            &format!("evidence {evidence_id}: {title}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One evidence item with the assessment and requirement it belongs to.
    pub async fn evidence(
        &self,
        evidence_id: i64,
    ) -> Result<Option<(i64, String, Evidence)>, StoreError> {
        let Some(r) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT assessment_id, {EVIDENCE_COLUMNS} FROM assessment_evidence WHERE id = ?"
        )))
        .bind(evidence_id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let (item, e) = evidence_from(&r)?;
        Ok(Some((r.try_get("assessment_id")?, item, e)))
    }

    /// Moves the assessment to `to` if it is still in `from` (the caller checked the step with
    /// `mamori_assess::workflow::transition`). Signing off records who and when.
    pub async fn set_assessment_state(
        &self,
        id: i64,
        from: State,
        to: State,
        note: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let done = if to == State::SignedOff {
            sqlx::query(
                "UPDATE assessments SET state = ?, signed_at = ?, signed_by = ?, updated_at = ? \
                 WHERE id = ? AND state = ?",
            )
            .bind(to.key())
            .bind(&actor.time)
            .bind(&actor.name)
            .bind(&actor.time)
            .bind(id)
            .bind(from.key())
            .execute(&mut *tx)
            .await
        } else {
            sqlx::query(
                "UPDATE assessments SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
            )
            .bind(to.key())
            .bind(&actor.time)
            .bind(id)
            .bind(from.key())
            .execute(&mut *tx)
            .await
        }
        .map_err(locked)?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict("state".into()));
        }
        audit(
            &mut tx,
            actor,
            "assessment.state",
            &format!("assessment/{id}"),
            &format!("{} -> {}: {note}", from.key(), to.key()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every SHA-256 an evidence row refers to (for the evidence store's integrity check).
    pub async fn evidence_hashes(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT sha256 FROM assessment_evidence WHERE sha256 IS NOT NULL \
             ORDER BY sha256",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use jiff::civil::date;

    fn actor(name: &str) -> Actor {
        Actor {
            name: name.into(),
            time: "2026-12-01T10:00:00+09:00".into(),
        }
    }

    async fn db() -> (tempfile::TempDir, AppDb) {
        let dir = tempfile::tempdir().unwrap();
        let db = AppDb::open(&dir.path().join("mamori.sqlite"))
            .await
            .unwrap();
        (dir, db)
    }

    fn new(copy_from: Option<i64>) -> NewAssessment {
        NewAssessment {
            title: "無線LAN 2026年度".into(),
            catalog: "wlan-mynumber".into(),
            catalog_version: "R7.3-draft".into(),
            target: Target::Segment {
                segment: Segment::MyNumber,
            },
            date: date(2026, 12, 1),
            evidence_max_age_days: 365,
            copy_from,
        }
    }

    fn note(title: &str) -> NewEvidence {
        NewEvidence {
            kind: EvidenceKind::File,
            title: title.into(),
            url: None,
            note: String::new(),
            file: Some(FileRef {
                name: "アクセスログ確認.pdf".into(),
                content_type: "application/pdf".into(),
                sha256: "ab".repeat(32),
                size: 1234,
            }),
            analyzer: None,
            added_on: date(2025, 11, 1),
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn results_evidence_and_remediation_round_trip_and_are_audited() {
        let (_d, db) = db().await;
        let a = actor("suzuki");
        let id = db.create_assessment(&new(None), &a).await.unwrap();
        db.set_result(id, "MN-04", Outcome::Partial, "月次のみ確認", &a)
            .await
            .unwrap();
        db.set_result(id, "MN-04", Outcome::NonCompliant, "確認記録なし", &a)
            .await
            .unwrap();
        let eid = db
            .add_evidence(id, "MN-04", &note("10月分の確認記録"), &a)
            .await
            .unwrap();
        let rem = Remediation {
            action: "アクセスログの週次確認手順を定める".into(),
            owner: "情報政策課".into(),
            due: Some(date(2027, 3, 31)),
            status: RemediationStatus::InProgress,
        };
        db.set_remediation(id, "MN-04", Some(&rem), &a)
            .await
            .unwrap();

        let got = db.assessment(id).await.unwrap().unwrap();
        assert_eq!(got.state, State::Draft);
        assert_eq!(got.version_no, 1);
        let r = &got.results["MN-04"];
        assert_eq!(r.outcome, Outcome::NonCompliant);
        assert_eq!(r.comment, "確認記録なし");
        assert_eq!(r.remediation.as_ref(), Some(&rem));
        assert_eq!(r.evidence.len(), 1);
        assert_eq!(r.evidence[0].id, eid);
        assert_eq!(r.evidence[0].added_on, date(2025, 11, 1));
        assert_eq!(r.evidence[0].file.as_ref().unwrap().size, 1234);

        let list = db.assessments().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].assessed, list[0].evidence), (1, 1));

        let trail = db.audit_all().await.unwrap();
        let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "assessment.create",
                "assessment.result",
                "assessment.result",
                "assessment.evidence.add",
                "assessment.remediation"
            ]
        );
        assert_eq!(trail[2].detail, "partial -> non_compliant: 確認記録なし");
        assert!(mamori_audit::verify(&trail).is_ok());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn signed_off_assessments_are_locked_and_copied_forward() {
        let (_d, db) = db().await;
        let a = actor("suzuki");
        let id = db.create_assessment(&new(None), &a).await.unwrap();
        db.set_result(id, "MN-01", Outcome::Compliant, "WPA3", &a)
            .await
            .unwrap();
        db.add_evidence(id, "MN-01", &note("設定画面"), &a)
            .await
            .unwrap();
        db.set_assessment_state(id, State::Draft, State::InReview, "", &a)
            .await
            .unwrap();
        // In review: no edits.
        assert!(matches!(
            db.set_result(id, "MN-01", Outcome::Partial, "", &a).await,
            Err(StoreError::Conflict(f)) if f == "state"
        ));
        // A stale `from` is refused.
        assert!(matches!(
            db.set_assessment_state(id, State::Draft, State::InReview, "", &a)
                .await,
            Err(StoreError::Conflict(_))
        ));
        let officer = actor("tanaka");
        db.set_assessment_state(id, State::InReview, State::SignedOff, "承認", &officer)
            .await
            .unwrap();
        let signed = db.assessment(id).await.unwrap().unwrap();
        assert_eq!(signed.signed_by.as_deref(), Some("tanaka"));
        for r in [
            db.set_result(id, "MN-01", Outcome::Partial, "", &a).await,
            db.set_remediation(id, "MN-01", None, &a).await,
            db.add_evidence(id, "MN-01", &note("x"), &a)
                .await
                .map(|_| ()),
            db.set_assessment_state(id, State::SignedOff, State::Draft, "", &a)
                .await,
        ] {
            assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
        }
        // The database itself refuses, even past the application's checks.
        let raw = sqlx::query("UPDATE assessment_results SET outcome = 'partial'")
            .execute(&db.pool)
            .await;
        assert!(raw.is_err());
        let raw = sqlx::query("UPDATE assessments SET title = 'x'")
            .execute(&db.pool)
            .await;
        assert!(raw.is_err());
        assert_eq!(db.assessment(id).await.unwrap().unwrap(), signed);

        // Copy forward: a new draft, version 2, same results and evidence references.
        let mut n = new(Some(id));
        n.date = date(2027, 12, 1);
        let id2 = db.create_assessment(&n, &officer).await.unwrap();
        let next = db.assessment(id2).await.unwrap().unwrap();
        assert_eq!((next.version_no, next.previous), (2, Some(id)));
        assert_eq!(next.state, State::Draft);
        assert_eq!(next.results["MN-01"].outcome, Outcome::Compliant);
        let (e1, e2) = (
            &signed.results["MN-01"].evidence[0],
            &next.results["MN-01"].evidence[0],
        );
        assert_ne!(e1.id, e2.id);
        assert_eq!(
            (e1.file.as_ref(), e1.added_on),
            (e2.file.as_ref(), e2.added_on)
        );
        // A different catalog cannot be copied from it.
        let mut bad = new(Some(id));
        bad.catalog = "wlan-lgwan".into();
        assert!(matches!(
            db.create_assessment(&bad, &officer).await,
            Err(StoreError::Invalid(f)) if f == "catalog"
        ));
        assert!(matches!(
            db.create_assessment(&new(Some(999)), &officer).await,
            Err(StoreError::Invalid(f)) if f == "copy_from"
        ));
        // One successor per version; only signed-off versions; same target.
        assert!(matches!(
            db.create_assessment(&new(Some(id)), &officer).await,
            Err(StoreError::Conflict(f)) if f == "version"
        ));
        assert!(matches!(
            db.create_assessment(&new(Some(id2)), &officer).await,
            Err(StoreError::Conflict(f)) if f == "state"
        ));
        let mut other = new(Some(id));
        other.target = Target::Segment {
            segment: Segment::Lgwan,
        };
        assert!(matches!(
            db.create_assessment(&other, &officer).await,
            Err(StoreError::Invalid(f)) if f == "target"
        ));
        assert_eq!(db.assessments().await.unwrap().len(), 2);
    }
}
