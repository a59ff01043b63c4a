//! The rules for changing an assessment: which requirement IDs and values are accepted, which
//! workflow steps are allowed, copy-forward, and what an uploaded evidence file may be.

use jiff::civil::Date;
use mamori_catalog::{Catalog, Item};

use crate::model::{Assessment, Outcome, RemediationStatus, State};

/// Why a change to an assessment was refused. Messages name the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    #[error("catalog `{catalog}` has no requirement `{id}`")]
    UnknownRequirement { catalog: String, id: String },
    #[error("unknown catalog `{0}`")]
    UnknownCatalog(String),
    #[error("`{value}` is not a result (expected one of: {expected})")]
    UnknownOutcome { value: String, expected: String },
    #[error("`{value}` is not a remediation status (expected one of: {expected})")]
    UnknownRemediationStatus { value: String, expected: String },
    #[error("`{value}` is not a date (expected YYYY-MM-DD)")]
    BadDate { value: String },
    #[error(
        "the assessment is {state}: it is locked; start a new version to change it",
        state = .0.key()
    )]
    Locked(State),
    #[error("the assessment is in review: return it to draft before changing it")]
    InReview,
    #[error("cannot go from {from} to {to}", from = .from.key(), to = .to.key())]
    BadTransition { from: State, to: State },
    #[error("{} requirement(s) are not assessed yet: {}", .0.len(), .0.join(", "))]
    Incomplete(Vec<String>),
    #[error("`該当なし` (not applicable) on {0} needs a justification in the comment")]
    JustificationRequired(String),
    #[error(
        "only a signed-off assessment can be carried forward to a new version (this one is {state})",
        state = .0.key()
    )]
    CopyNotSignedOff(State),
    #[error("{0}")]
    BadInput(String),
    #[error("the file is empty")]
    EmptyFile,
    #[error("the file is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("`{name}`: {reason}")]
    BadContentType { name: String, reason: String },
}

/// Finds a requirement of the catalog or says clearly that there is none.
pub fn requirement<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c Item, AssessError> {
    catalog
        .item(id.trim())
        .ok_or_else(|| AssessError::UnknownRequirement {
            catalog: catalog.id.clone(),
            id: id.trim().to_owned(),
        })
}

pub fn parse_outcome(s: &str) -> Result<Outcome, AssessError> {
    Outcome::parse(s).ok_or_else(|| AssessError::UnknownOutcome {
        value: s.to_owned(),
        expected: Outcome::keys(),
    })
}

pub fn parse_remediation_status(s: &str) -> Result<RemediationStatus, AssessError> {
    RemediationStatus::parse(s).ok_or_else(|| AssessError::UnknownRemediationStatus {
        value: s.to_owned(),
        expected: RemediationStatus::keys(),
    })
}

pub fn parse_date(s: &str) -> Result<Date, AssessError> {
    s.trim().parse::<Date>().map_err(|_| AssessError::BadDate {
        value: s.to_owned(),
    })
}

/// Results, evidence and remediation may change only in draft.
pub fn check_editable(state: State) -> Result<(), AssessError> {
    match state {
        State::Draft => Ok(()),
        State::InReview => Err(AssessError::InReview),
        State::SignedOff => Err(AssessError::Locked(state)),
    }
}

/// Checks a result before it is recorded: a 該当なし needs a justification.
pub fn check_result(item: &Item, outcome: Outcome, comment: &str) -> Result<(), AssessError> {
    if outcome == Outcome::NotApplicable && comment.trim().is_empty() {
        return Err(AssessError::JustificationRequired(item.id.clone()));
    }
    if comment.chars().count() > 4000 {
        return Err(AssessError::BadInput(format!(
            "the comment on {} is longer than 4,000 characters",
            item.id
        )));
    }
    Ok(())
}

/// The allowed workflow steps: draft → in review → signed off, and back from review to draft.
/// Submitting needs every requirement assessed.
pub fn transition(catalog: &Catalog, a: &Assessment, to: State) -> Result<State, AssessError> {
    let from = a.state;
    match (from, to) {
        (State::Draft, State::InReview) => {
            let missing: Vec<String> = catalog
                .items
                .iter()
                .filter(|i| a.outcome(&i.id) == Outcome::NotAssessed)
                .map(|i| i.id.clone())
                .collect();
            if missing.is_empty() {
                Ok(to)
            } else {
                Err(AssessError::Incomplete(missing))
            }
        }
        (State::InReview, State::Draft) | (State::InReview, State::SignedOff) => Ok(to),
        (State::SignedOff, _) => Err(AssessError::Locked(from)),
        _ => Err(AssessError::BadTransition { from, to }),
    }
}

/// Whether `prev` may be the start of a new version: only a signed-off assessment is carried
/// forward (a draft is simply edited), so each version is final before the next begins.
pub fn check_copy_source(prev: &Assessment) -> Result<(), AssessError> {
    if prev.state == State::SignedOff {
        Ok(())
    } else {
        Err(AssessError::CopyNotSignedOff(prev.state))
    }
}

/// A new draft that starts from `prev`: same catalog and target, results, comments, evidence
/// references and remediation kept, the version number raised. Evidence keeps its original
/// collection date, so evidence older than the limit shows as stale in the new assessment.
pub fn copy_forward(prev: &Assessment, date: Date, title: &str, created_by: &str) -> Assessment {
    Assessment {
        id: 0,
        title: title.to_owned(),
        catalog: prev.catalog.clone(),
        catalog_version: prev.catalog_version.clone(),
        target: prev.target.clone(),
        date,
        state: State::Draft,
        version_no: prev.version_no.saturating_add(1),
        previous: Some(prev.id),
        created_by: created_by.to_owned(),
        signed_by: None,
        signed_at: None,
        evidence_max_age_days: prev.evidence_max_age_days,
        results: prev.results.clone(),
    }
}

/// Checks a title, URL or other short text.
pub fn check_text(field: &str, value: &str, max: usize, required: bool) -> Result<(), AssessError> {
    if required && value.trim().is_empty() {
        return Err(AssessError::BadInput(format!("{field} is required")));
    }
    if value.chars().count() > max {
        return Err(AssessError::BadInput(format!(
            "{field} is longer than {max} characters"
        )));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AssessError::BadInput(format!(
            "{field} contains control characters"
        )));
    }
    Ok(())
}

/// Accepts `http://` and `https://` URLs only.
pub fn check_url(url: &str) -> Result<(), AssessError> {
    check_text("url", url, 2000, true)?;
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || u.len() <= "https://".len()
        || u.chars().any(char::is_whitespace)
    {
        return Err(AssessError::BadInput(format!(
            "`{u}` is not an http(s) URL"
        )));
    }
    Ok(())
}

/// The default upload limit: 20 MiB.
pub const DEFAULT_UPLOAD_LIMIT: u64 = 20 * 1024 * 1024;

/// Decides the content type of an uploaded evidence file from its name *and* its bytes, and
/// refuses what is empty, too large, or not what its name says. Accepted: PDF, PNG, JPEG, GIF,
/// Office Open XML (xlsx, docx, pptx), ODF, ZIP, and text (txt, csv, tsv, log, json, xml, md)
/// in any encoding that has no NUL bytes in its first 8 KiB.
pub fn check_upload(name: &str, bytes: &[u8], limit: u64) -> Result<&'static str, AssessError> {
    let size = bytes.len() as u64;
    if size == 0 {
        return Err(AssessError::EmptyFile);
    }
    if size > limit {
        return Err(AssessError::TooLarge { size, limit });
    }
    check_file_name(name)?;
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let bad = |reason: &str| AssessError::BadContentType {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    let zip = starts(b"PK\x03\x04");
    let (ty, ok) = match ext.as_str() {
        "pdf" => ("application/pdf", starts(b"%PDF-")),
        "png" => ("image/png", starts(b"\x89PNG\r\n\x1a\n")),
        "jpg" | "jpeg" => ("image/jpeg", starts(b"\xFF\xD8\xFF")),
        "gif" => ("image/gif", starts(b"GIF87a") || starts(b"GIF89a")),
        "xlsx" | "xlsm" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            zip,
        ),
        "docx" => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            zip,
        ),
        "pptx" => (
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            zip,
        ),
        "ods" => ("application/vnd.oasis.opendocument.spreadsheet", zip),
        "odt" => ("application/vnd.oasis.opendocument.text", zip),
        "zip" => ("application/zip", zip),
        "txt" | "log" | "md" => ("text/plain", is_text(bytes)),
        "csv" => ("text/csv", is_text(bytes)),
        "tsv" => ("text/tab-separated-values", is_text(bytes)),
        "json" | "jsonl" => ("application/json", is_text(bytes)),
        "xml" => ("application/xml", is_text(bytes)),
        "" => return Err(bad("the file name has no extension")),
        other => {
            return Err(bad(&format!(
                "`.{other}` files are not accepted as evidence (accepted: pdf, png, jpg, gif, \
                 xlsx, docx, pptx, ods, odt, zip, txt, log, md, csv, tsv, json, xml)"
            )));
        }
    };
    if ok {
        Ok(ty)
    } else {
        Err(bad(&format!(
            "the content is not a .{ext} file (its first bytes do not match)"
        )))
    }
}

fn is_text(bytes: &[u8]) -> bool {
    !bytes[..bytes.len().min(8192)].contains(&0)
}

/// A plain file name: no path, no control characters, not too long.
pub fn check_file_name(name: &str) -> Result<(), AssessError> {
    let bad = |reason: &str| AssessError::BadContentType {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    if name.trim().is_empty() {
        return Err(bad("the file has no name"));
    }
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(bad("a file name must not contain a path"));
    }
    if name.chars().count() > 200 {
        return Err(bad("the file name is longer than 200 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(bad("the file name contains control characters"));
    }
    Ok(())
}
