//! What an assessment adds up to: the overall result, gaps, per-category tallies, stale
//! evidence, coverage of another catalog's measures, the status of each numbered measure, and
//! the difference between two catalogs linked by twins.

use jiff::civil::Date;
use mamori_catalog::{Catalog, Group, Item, ItemRef, Lang, Measure, Obligation};
use serde::Serialize;

use crate::model::{Assessment, Evidence, ItemResult, Outcome, Remediation};

/// The overall result: compliant only when every 必須 requirement is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    Compliant,
    NotCompliant,
}

impl Overall {
    pub fn key(self) -> &'static str {
        match self {
            Overall::Compliant => "compliant",
            Overall::NotCompliant => "not_compliant",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Overall::Compliant, Lang::Ja) => "適合",
            (Overall::NotCompliant, Lang::Ja) => "不適合",
            (Overall::Compliant, Lang::En) => "Compliant",
            (Overall::NotCompliant, Lang::En) => "Not compliant",
        }
    }
}

/// Counts of results by outcome, in [`Outcome::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub counts: [usize; 5],
    /// Requirements met (適合, or 該当なし with a justification).
    pub met: usize,
}

impl Tally {
    fn add(&mut self, r: Option<&ItemResult>) {
        let outcome = r.map_or(Outcome::NotAssessed, |r| r.outcome);
        if let Some(i) = Outcome::ALL.iter().position(|o| *o == outcome) {
            self.counts[i] += 1;
        }
        if r.is_some_and(ItemResult::is_met) {
            self.met += 1;
        }
    }

    pub fn count(&self, o: Outcome) -> usize {
        Outcome::ALL
            .iter()
            .position(|x| *x == o)
            .map_or(0, |i| self.counts[i])
    }

    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// Why a requirement is listed as a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    /// 不適合 or 一部適合.
    NotMet,
    /// 未評価.
    NotAssessed,
    /// 該当なし without a justification.
    Unjustified,
}

impl GapReason {
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (GapReason::NotMet, Lang::Ja) => "未充足",
            (GapReason::NotAssessed, Lang::Ja) => "未評価",
            (GapReason::Unjustified, Lang::Ja) => "該当なしの理由が未記載",
            (GapReason::NotMet, Lang::En) => "Not met",
            (GapReason::NotAssessed, Lang::En) => "Not assessed",
            (GapReason::Unjustified, Lang::En) => "Not applicable without a justification",
        }
    }
}

/// A requirement that is not met.
#[derive(Debug, Clone, Serialize)]
pub struct Gap<'c> {
    #[serde(serialize_with = "item_id")]
    pub item: &'c Item,
    pub obligation: Option<Obligation>,
    pub outcome: Outcome,
    pub reason: GapReason,
    pub comment: String,
    pub remediation: Option<Remediation>,
}

fn item_id<S: serde::Serializer>(item: &&Item, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&item.id)
}

/// Results of the requirements under one top-level category.
#[derive(Debug, Clone, Serialize)]
pub struct CategorySummary<'c> {
    /// `None` for requirements outside any group.
    #[serde(serialize_with = "group_id")]
    pub group: Option<&'c Group>,
    pub tally: Tally,
    /// The same split by 区分, in [`Obligation::ALL`] order.
    pub by_obligation: [Tally; 3],
}

fn group_id<S: serde::Serializer>(g: &Option<&Group>, s: S) -> Result<S::Ok, S::Error> {
    match g {
        Some(g) => s.serialize_some(&g.id),
        None => s.serialize_none(),
    }
}

/// Evidence collected longer ago than the assessment's limit.
#[derive(Debug, Clone, Serialize)]
pub struct StaleEvidence<'a> {
    pub item: String,
    pub evidence: &'a Evidence,
    pub age_days: i64,
}

/// The whole evaluation of an assessment against its catalog.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation<'c, 'a> {
    pub overall: Overall,
    /// Over all requirements.
    pub tally: Tally,
    /// By 区分, in [`Obligation::ALL`] order.
    pub by_obligation: [Tally; 3],
    /// 必須 requirements not met (what keeps the overall result at 不適合).
    pub blocking: usize,
    /// Unmet requirements: 必須 first, then 推奨, then 必要に応じて検討, each in catalog order.
    pub gaps: Vec<Gap<'c>>,
    pub categories: Vec<CategorySummary<'c>>,
    pub stale: Vec<StaleEvidence<'a>>,
    /// Results recorded for IDs the catalog does not have (a catalog changed under a stored
    /// assessment); reported, never dropped.
    pub unknown_items: Vec<String>,
}

fn obligation_index(o: Option<Obligation>) -> usize {
    match o {
        Some(Obligation::Required) => 0,
        Some(Obligation::Recommended) => 1,
        Some(Obligation::AsNeeded) | None => 2,
    }
}

/// Evaluates `a` against `catalog`.
pub fn evaluate<'c, 'a>(catalog: &'c Catalog, a: &'a Assessment) -> Evaluation<'c, 'a> {
    let mut tally = Tally::default();
    let mut by_obligation = [Tally::default(); 3];
    let mut gaps = Vec::new();
    let mut categories: Vec<CategorySummary<'c>> = Vec::new();
    let mut blocking = 0;
    for item in &catalog.items {
        let r = a.results.get(&item.id);
        tally.add(r);
        let oi = obligation_index(item.obligation);
        by_obligation[oi].add(r);
        let category = catalog.category_of(item);
        let pos = match categories
            .iter()
            .position(|c| c.group.map(|g| &g.id) == category.map(|g| &g.id))
        {
            Some(p) => p,
            None => {
                categories.push(CategorySummary {
                    group: category,
                    tally: Tally::default(),
                    by_obligation: [Tally::default(); 3],
                });
                categories.len() - 1
            }
        };
        categories[pos].tally.add(r);
        categories[pos].by_obligation[oi].add(r);

        let met = r.is_some_and(ItemResult::is_met);
        if !met {
            if item.obligation == Some(Obligation::Required) {
                blocking += 1;
            }
            let outcome = r.map_or(Outcome::NotAssessed, |r| r.outcome);
            let reason = match outcome {
                Outcome::NotAssessed => GapReason::NotAssessed,
                Outcome::NotApplicable => GapReason::Unjustified,
                _ => GapReason::NotMet,
            };
            gaps.push(Gap {
                item,
                obligation: item.obligation,
                outcome,
                reason,
                comment: r.map(|r| r.comment.clone()).unwrap_or_default(),
                remediation: r.and_then(|r| r.remediation.clone()),
            });
        }
    }
    // Stable: catalog order is kept within each 区分.
    gaps.sort_by_key(|g| obligation_index(g.obligation));

    let mut stale = Vec::new();
    for (item, r) in &a.results {
        for e in &r.evidence {
            let age = evidence_age_days(e.added_on, a.date);
            if age > i64::from(a.evidence_max_age_days) {
                stale.push(StaleEvidence {
                    item: item.clone(),
                    evidence: e,
                    age_days: age,
                });
            }
        }
    }
    let unknown_items = a
        .results
        .keys()
        .filter(|id| catalog.item(id).is_none())
        .cloned()
        .collect();

    Evaluation {
        overall: if blocking == 0 {
            Overall::Compliant
        } else {
            Overall::NotCompliant
        },
        tally,
        by_obligation,
        blocking,
        gaps,
        categories,
        stale,
        unknown_items,
    }
}

/// Whole days from `from` to `to` (negative when `from` is later).
pub fn evidence_age_days(from: Date, to: Date) -> i64 {
    match from.until(to) {
        Ok(span) => i64::from(span.get_days()),
        Err(_) => 0,
    }
}

/// How well a set of requirements is met: the status of a numbered measure or a PPC measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Every linked requirement is met.
    Met,
    /// Some are met or partly met, some not.
    Partial,
    /// None is met and at least one is assessed as not met.
    NotMet,
    /// Nothing linked has been assessed yet.
    NotAssessed,
    /// No requirement of the catalog implements it.
    NoRequirements,
}

impl Coverage {
    pub fn key(self) -> &'static str {
        match self {
            Coverage::Met => "met",
            Coverage::Partial => "partial",
            Coverage::NotMet => "not_met",
            Coverage::NotAssessed => "not_assessed",
            Coverage::NoRequirements => "none",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Coverage::Met, Lang::Ja) => "充足",
            (Coverage::Partial, Lang::Ja) => "一部充足",
            (Coverage::NotMet, Lang::Ja) => "未充足",
            (Coverage::NotAssessed, Lang::Ja) => "未評価",
            (Coverage::NoRequirements, Lang::Ja) => "対応要件なし",
            (Coverage::Met, Lang::En) => "Met",
            (Coverage::Partial, Lang::En) => "Partly met",
            (Coverage::NotMet, Lang::En) => "Not met",
            (Coverage::NotAssessed, Lang::En) => "Not assessed",
            (Coverage::NoRequirements, Lang::En) => "No requirement",
        }
    }

    /// Combines the results of the requirements behind a measure.
    pub fn of<'r>(results: impl IntoIterator<Item = Option<&'r ItemResult>>) -> Coverage {
        let (mut n, mut met, mut assessed, mut some_progress) = (0, 0, 0, false);
        for r in results {
            n += 1;
            let outcome = r.map_or(Outcome::NotAssessed, |r| r.outcome);
            if outcome != Outcome::NotAssessed {
                assessed += 1;
            }
            if r.is_some_and(ItemResult::is_met) {
                met += 1;
                some_progress = true;
            } else if outcome == Outcome::Partial {
                some_progress = true;
            }
        }
        if n == 0 {
            Coverage::NoRequirements
        } else if met == n {
            Coverage::Met
        } else if assessed == 0 {
            Coverage::NotAssessed
        } else if some_progress {
            Coverage::Partial
        } else {
            Coverage::NotMet
        }
    }
}

/// One numbered measure of the catalog's overview diagram with its requirements and status.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureStatus<'c> {
    #[serde(skip)]
    pub measure: &'c Measure,
    pub number: u8,
    pub items: Vec<String>,
    pub status: Coverage,
}

/// The status of each of the catalog's numbered measures (for the safety-measure map).
pub fn measure_statuses<'c>(catalog: &'c Catalog, a: &Assessment) -> Vec<MeasureStatus<'c>> {
    catalog
        .measures
        .iter()
        .map(|m| {
            let items: Vec<&Item> = catalog
                .items
                .iter()
                .filter(|i| i.measures.contains(&m.number))
                .collect();
            MeasureStatus {
                measure: m,
                number: m.number,
                status: Coverage::of(items.iter().map(|i| a.results.get(&i.id))),
                items: items.iter().map(|i| i.id.clone()).collect(),
            }
        })
        .collect()
}

/// One measure of a reference catalog (e.g. the PPC safety measures) and the requirements of
/// the assessed catalog that implement it.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureCoverage<'c> {
    #[serde(serialize_with = "item_id")]
    pub measure: &'c Item,
    /// Implementing requirements in catalog order, each with its outcome and whether it is met.
    pub requirements: Vec<(String, Outcome, bool)>,
    /// The numbered measures (①…) through which some of them are linked.
    pub via_measures: Vec<u8>,
    pub status: Coverage,
}

/// How the assessed catalog's requirements cover each item of `reference`: a requirement
/// covers a reference item when it names it in `implements`, or when one of its numbered
/// measures does.
pub fn coverage<'c>(
    reference: &'c Catalog,
    catalog: &'c Catalog,
    a: &Assessment,
) -> Vec<MeasureCoverage<'c>> {
    reference
        .items
        .iter()
        .map(|target| {
            let wanted = ItemRef {
                catalog: reference.id.clone(),
                item: target.id.clone(),
            };
            let via_measures: Vec<u8> = catalog
                .measures
                .iter()
                .filter(|m| m.implements.contains(&wanted))
                .map(|m| m.number)
                .collect();
            let items: Vec<&Item> = catalog
                .items
                .iter()
                .filter(|i| {
                    i.implements.contains(&wanted)
                        || i.measures.iter().any(|n| via_measures.contains(n))
                })
                .collect();
            MeasureCoverage {
                measure: target,
                requirements: items
                    .iter()
                    .map(|i| (i.id.clone(), a.outcome(&i.id), a.is_met(&i.id)))
                    .collect(),
                via_measures,
                status: Coverage::of(items.iter().map(|i| a.results.get(&i.id))),
            }
        })
        .collect()
}

/// How a derived catalog (e.g. My Number) relates to its base (e.g. LGWAN) through `twins`.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogDiff<'c> {
    /// Derived requirements with their base twins.
    pub pairs: Vec<TwinPair<'c>>,
    /// Requirements only in the derived catalog (added for the stricter segment).
    #[serde(serialize_with = "item_ids")]
    pub only_derived: Vec<&'c Item>,
    /// Base requirements no derived requirement names as its twin.
    #[serde(serialize_with = "item_ids")]
    pub only_base: Vec<&'c Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TwinPair<'c> {
    #[serde(serialize_with = "item_id")]
    pub derived: &'c Item,
    #[serde(serialize_with = "item_ids")]
    pub base: Vec<&'c Item>,
    /// The 区分 differs between the two sides.
    pub obligation_differs: bool,
}

fn item_ids<S: serde::Serializer>(items: &[&Item], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(items.iter().map(|i| &i.id))
}

/// Compares `derived` with `base`.
pub fn compare<'c>(base: &'c Catalog, derived: &'c Catalog) -> CatalogDiff<'c> {
    let mut pairs = Vec::new();
    let mut only_derived = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for item in &derived.items {
        let twins: Vec<&Item> = item
            .twins
            .iter()
            .filter(|r| r.catalog == base.id)
            .filter_map(|r| base.item(&r.item))
            .collect();
        if twins.is_empty() {
            only_derived.push(item);
        } else {
            for t in &twins {
                used.insert(t.id.clone());
            }
            pairs.push(TwinPair {
                obligation_differs: twins.iter().any(|t| t.obligation != item.obligation),
                derived: item,
                base: twins,
            });
        }
    }
    let only_base = base
        .items
        .iter()
        .filter(|i| !used.contains(&i.id))
        .collect();
    CatalogDiff {
        pairs,
        only_derived,
        only_base,
    }
}

/// Remediation actions in due-date order (undated last), then catalog order.
pub fn remediation_plan<'c>(catalog: &'c Catalog, a: &Assessment) -> Vec<(&'c Item, Remediation)> {
    let mut plan: Vec<(usize, &Item, Remediation)> = catalog
        .items
        .iter()
        .enumerate()
        .filter_map(|(n, i)| {
            let r = a.results.get(&i.id)?.remediation.clone()?;
            Some((n, i, r))
        })
        .collect();
    plan.sort_by_key(|(n, _, r)| (r.due.is_none(), r.due, *n));
    plan.into_iter().map(|(_, i, r)| (i, r)).collect()
}
