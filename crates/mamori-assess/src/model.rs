//! What an assessment is: a target, a catalog, a date, and one result per requirement.

use std::collections::BTreeMap;

use jiff::civil::Date;
use mamori_catalog::Lang;
use mamori_model::Segment;
use serde::{Deserialize, Serialize};

/// Declares a closed set of choices with a machine key and Japanese and English names.
macro_rules! choice {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => ($key:literal, $ja:literal, $en:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The machine spelling (database, CLI, API, forms).
            pub fn key(self) -> &'static str {
                match self { $($name::$v => $key),+ }
            }

            pub fn name(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$v, Lang::Ja) => $ja, ($name::$v, Lang::En) => $en,)+
                }
            }

            /// Accepts the machine key (with `-` for `_`) and the Japanese name.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                let k = s.replace('-', "_");
                $(if k == $key || s == $ja { return Some($name::$v); })+
                None
            }

            /// Every accepted machine key, for error messages.
            pub fn keys() -> String {
                [$($key),+].join(", ")
            }
        }
    };
}

choice!(
    /// The result for one requirement (評価結果).
    Outcome {
        Compliant => ("compliant", "適合", "Compliant"),
        Partial => ("partial", "一部適合", "Partially compliant"),
        NonCompliant => ("non_compliant", "不適合", "Not compliant"),
        NotApplicable => ("not_applicable", "該当なし", "Not applicable"),
        NotAssessed => ("not_assessed", "未評価", "Not assessed"),
    }
);

choice!(
    /// Where an assessment is in its workflow.
    State {
        Draft => ("draft", "作成中", "Draft"),
        InReview => ("in_review", "レビュー中", "In review"),
        SignedOff => ("signed_off", "承認済み", "Signed off"),
    }
);

choice!(
    /// Progress of a remediation action (是正措置).
    RemediationStatus {
        Open => ("open", "未着手", "Open"),
        InProgress => ("in_progress", "対応中", "In progress"),
        Done => ("done", "完了", "Done"),
    }
);

choice!(
    /// What an evidence item is.
    EvidenceKind {
        File => ("file", "ファイル", "File"),
        Url => ("url", "URL", "URL"),
        Note => ("note", "メモ", "Note"),
        Record => ("record", "分析記録", "Analyzer record"),
    }
);

/// What is assessed: a whole network segment or one registered information system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Target {
    Segment { segment: Segment },
    System { id: i64, name: String },
}

impl Target {
    pub fn label(&self, lang: Lang) -> String {
        match self {
            Target::Segment { segment } => segment_name(*segment, lang).to_owned(),
            Target::System { name, .. } => name.clone(),
        }
    }
}

/// The name of a network segment as the guideline writes it.
pub fn segment_name(s: Segment, lang: Lang) -> &'static str {
    match (s, lang) {
        (Segment::MyNumber, Lang::Ja) => "マイナンバー利用事務系",
        (Segment::Lgwan, Lang::Ja) => "LGWAN接続系",
        (Segment::Internet, Lang::Ja) => "インターネット接続系",
        (Segment::Other, Lang::Ja) => "その他",
        (Segment::MyNumber, Lang::En) => "My Number use segment",
        (Segment::Lgwan, Lang::En) => "LGWAN-connected segment",
        (Segment::Internet, Lang::En) => "Internet-connected segment",
        (Segment::Other, Lang::En) => "Other",
    }
}

/// A stored file behind an evidence item. The bytes live outside the database, addressed by hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub name: String,
    pub content_type: String,
    pub sha256: String,
    pub size: u64,
}

/// One piece of evidence attached to a requirement's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub id: i64,
    pub kind: EvidenceKind,
    pub title: String,
    /// For `url`.
    pub url: Option<String>,
    /// For `note`, and an optional description of the others.
    pub note: String,
    /// For `file` and `record`.
    pub file: Option<FileRef>,
    /// For `record`: which analyzer produced it (e.g. `wlan-audit`).
    pub analyzer: Option<String>,
    /// When the evidence was collected (copied forward unchanged, so its age shows).
    pub added_on: Date,
    pub added_by: String,
}

/// A planned fix for a requirement that is not met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    pub action: String,
    pub owner: String,
    pub due: Option<Date>,
    pub status: RemediationStatus,
}

/// The state of one requirement in one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResult {
    pub outcome: Outcome,
    pub comment: String,
    pub evidence: Vec<Evidence>,
    pub remediation: Option<Remediation>,
}

impl Default for ItemResult {
    fn default() -> Self {
        ItemResult {
            outcome: Outcome::NotAssessed,
            comment: String::new(),
            evidence: Vec::new(),
            remediation: None,
        }
    }
}

impl ItemResult {
    /// Whether the requirement counts as met: 適合, or 該当なし with a justification.
    pub fn is_met(&self) -> bool {
        match self.outcome {
            Outcome::Compliant => true,
            Outcome::NotApplicable => !self.comment.trim().is_empty(),
            _ => false,
        }
    }
}

/// One assessment of one target against one catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub id: i64,
    pub title: String,
    pub catalog: String,
    /// The version of the catalog when the assessment was created.
    pub catalog_version: String,
    pub target: Target,
    /// The assessment date (評価日); ages of evidence are measured from it.
    pub date: Date,
    pub state: State,
    /// 1 for a first assessment, previous + 1 for one copied forward.
    pub version_no: u32,
    pub previous: Option<i64>,
    pub created_by: String,
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    /// Evidence collected more than this many days before `date` is flagged as stale.
    pub evidence_max_age_days: u32,
    /// Results by requirement ID; a requirement without an entry is 未評価.
    pub results: BTreeMap<String, ItemResult>,
}

/// The default age after which evidence is flagged: one year.
pub const DEFAULT_EVIDENCE_MAX_AGE_DAYS: u32 = 365;

impl Assessment {
    /// The result of a requirement (未評価 when nothing was recorded).
    pub fn result(&self, item: &str) -> ItemResult {
        self.results.get(item).cloned().unwrap_or_default()
    }

    pub fn result_ref(&self, item: &str) -> Option<&ItemResult> {
        self.results.get(item)
    }

    pub fn outcome(&self, item: &str) -> Outcome {
        self.results
            .get(item)
            .map_or(Outcome::NotAssessed, |r| r.outcome)
    }

    pub fn is_met(&self, item: &str) -> bool {
        self.results.get(item).is_some_and(ItemResult::is_met)
    }
}
