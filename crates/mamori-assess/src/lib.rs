//! Compliance assessment against a control catalog (e.g. the wireless-LAN requirements for the
//! LGWAN接続系 and マイナンバー利用事務系): one result per requirement with evidence and
//! remediation, the draft → review → sign-off workflow, copy-forward, and what the reports
//! show (overall result, gaps, per-category tallies, coverage of the PPC safety measures, the
//! status of each numbered measure of the overview map, the difference between two catalogs).
//!
//! Pure: no I/O, no clock (dates are passed in), no database. The store persists an
//! [`Assessment`]; the CLI and the web application call [`workflow`] before every change and
//! [`evaluate`] for every view and report.

pub mod evaluate;
pub mod model;
pub mod workflow;

pub use evaluate::{
    CatalogDiff, CategorySummary, Coverage, Evaluation, Gap, GapReason, MeasureCoverage,
    MeasureStatus, Overall, StaleEvidence, Tally, TwinPair, compare, coverage, evaluate,
    evidence_age_days, measure_statuses, remediation_plan,
};
pub use model::{
    Assessment, DEFAULT_EVIDENCE_MAX_AGE_DAYS, Evidence, EvidenceKind, FileRef, ItemResult,
    Outcome, Remediation, RemediationStatus, State, Target, segment_name,
};
pub use workflow::{AssessError, DEFAULT_UPLOAD_LIMIT};

/// The catalog whose measures the My Number WLAN requirements implement.
pub const PPC_CATALOG: &str = "ppc-safety";

/// Whether a catalog can be assessed: a requirement catalog (items with a 区分), not a level
/// catalog such as SBD or a reference catalog such as the PPC measures.
pub fn is_assessable(c: &mamori_catalog::Catalog) -> bool {
    c.levels.is_empty() && !c.items.is_empty() && c.items.iter().all(|i| i.obligation.is_some())
}

/// The catalogs a report of an assessment against `c` draws on: the reference catalog its
/// requirements implement (e.g. `ppc-safety`) and the base catalog its twins point into (e.g.
/// `wlan-lgwan` for `wlan-mynumber`). One rule for the web application and the CLI.
pub fn related_catalogs<'s>(
    set: &'s mamori_catalog::CatalogSet,
    c: &mamori_catalog::Catalog,
) -> (
    Option<&'s mamori_catalog::Catalog>,
    Option<&'s mamori_catalog::Catalog>,
) {
    let first = |refs: &dyn Fn(&mamori_catalog::Item) -> &[mamori_catalog::ItemRef]| {
        c.items
            .iter()
            .flat_map(|i| refs(i).iter())
            .find(|r| r.catalog != c.id)
            .and_then(|r| set.get(&r.catalog))
    };
    (first(&|i| &i.implements), first(&|i| &i.twins))
}

/// A warning when the catalog in force is not the version the assessment was made against.
pub fn catalog_version_note(a: &Assessment, c: &mamori_catalog::Catalog) -> Option<String> {
    (a.catalog_version != c.version).then(|| {
        format!(
            "assessed against {} version {}; the catalog now in force is version {}",
            c.id, a.catalog_version, c.version
        )
    })
}
