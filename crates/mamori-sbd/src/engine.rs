//! From a profile and the SBD catalog to a decision table.

use std::collections::BTreeMap;

use mamori_catalog::{Catalog, Diagnostic, Level, Loc, Localized};
use serde::Serialize;

use crate::profile::Profile;

/// How an item's condition evaluated: each named condition's answer and the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// `None` for an unconditional requirement (`-`).
    pub holds: Option<bool>,
    pub answers: Vec<(String, bool)>,
}

impl Trace {
    /// E.g. `A=○, F=× → ○`, or `-` for an unconditional requirement.
    pub fn render(&self) -> String {
        match self.holds {
            None => "-".to_owned(),
            Some(h) => {
                let parts: Vec<String> = self
                    .answers
                    .iter()
                    .map(|(id, v)| format!("{id}={}", mark(*v)))
                    .collect();
                format!("{} → {}", parts.join(", "), mark(h))
            }
        }
    }
}

fn mark(v: bool) -> &'static str {
    if v { "○" } else { "×" }
}

/// One row of the decision table.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub id: String,
    pub category: String,
    pub category_name: Localized,
    pub policy: String,
    pub policy_name: Localized,
    pub name: Localized,
    pub condition: String,
    pub trace: Trace,
    pub recommended_level: Level,
    pub chosen_level: Level,
    /// Set when the chosen level came from an override.
    pub justification: Option<String>,
    /// The text at the chosen level; `None` when omitted.
    pub text: Option<Localized>,
    /// Values for placeholders in the text, from the profile.
    pub fills: BTreeMap<String, String>,
    pub source: String,
}

impl Decision {
    pub fn is_override(&self) -> bool {
        self.justification.is_some() && self.chosen_level != self.recommended_level
    }
}

/// One answered judgment condition, as printed in the document.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerRow {
    pub id: String,
    pub name: Localized,
    pub answer: bool,
    pub reason: String,
}

/// Counts per category and level (the chosen level), plus totals.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub by_category: BTreeMap<String, BTreeMap<Level, usize>>,
    pub by_level: BTreeMap<Level, usize>,
    pub overrides: usize,
}

/// The engine's output.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionTable {
    pub system: crate::profile::SystemInfo,
    pub catalog: String,
    pub catalog_version: String,
    pub answers: Vec<AnswerRow>,
    /// In catalog order (the source document's ID order).
    pub rows: Vec<Decision>,
    pub counts: Counts,
    /// Category IDs in catalog order, with names, for grouping.
    pub categories: Vec<(String, Localized)>,
}

/// The profile does not fit the catalog: every problem, with file, line and field.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct DecisionError(pub Vec<Diagnostic>);

/// The recommended level of one item for the given answers.
pub fn recommend(
    catalog: &Catalog,
    item: &mamori_catalog::Item,
    answer: impl Fn(&str) -> bool,
) -> (Level, Trace) {
    let rule = catalog.rule_for(item);
    let holds = item.condition.eval(&answer);
    let selector = match holds {
        None => rule.unconditional,
        Some(true) => rule.holds,
        Some(false) => rule.not_holds,
    };
    let level = selector.select(|l| item.has_text(l));
    let answers = item
        .condition
        .variables()
        .into_iter()
        .map(|v| (v.to_owned(), answer(v)))
        .collect();
    (level, Trace { holds, answers })
}

/// Runs the SBD method: answers → recommended levels → chosen levels and texts.
pub fn decide(catalog: &Catalog, profile: &Profile) -> Result<DecisionTable, DecisionError> {
    let mut diags = Vec::new();
    let origin_loc = Loc {
        file: profile.origin.as_str().into(),
        line: 1,
        column: 1,
    };
    for c in &catalog.conditions {
        if !profile.answers.contains_key(&c.id) {
            diags.push(Diagnostic {
                loc: origin_loc.clone(),
                field: format!("answers.{}", c.id),
                message: format!(
                    "missing: answer judgment condition {} ({})",
                    c.id, c.name.ja
                ),
            });
        }
    }
    for (id, a) in &profile.answers {
        if catalog.condition(id).is_none() {
            diags.push(Diagnostic {
                loc: a.loc.clone(),
                field: format!("answers.{id}"),
                message: format!(
                    "`{id}` is not a judgment condition of catalog `{}` (expected one of {})",
                    catalog.id,
                    catalog
                        .conditions
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    for (id, o) in &profile.overrides {
        match catalog.item(id) {
            None => diags.push(Diagnostic {
                loc: o.loc.clone(),
                field: format!("overrides.{id}"),
                message: format!("no requirement `{id}` in catalog `{}`", catalog.id),
            }),
            Some(item) if o.level != Level::Omit && !item.has_text(o.level) => {
                let options: Vec<&str> = Level::ALL
                    .into_iter()
                    .filter(|l| *l == Level::Omit || item.has_text(*l))
                    .map(Level::key)
                    .collect();
                diags.push(Diagnostic {
                    loc: o.loc.clone(),
                    field: format!("overrides.{id}.level"),
                    message: format!(
                        "{id} has no text at level {} ({}); choose one of {}",
                        o.level,
                        o.level.name(mamori_catalog::Lang::Ja),
                        options.join(", ")
                    ),
                });
            }
            Some(_) => {}
        }
    }
    for (id, fills) in &profile.placeholders {
        let Some(item) = catalog.item(id) else {
            diags.push(Diagnostic {
                loc: origin_loc.clone(),
                field: format!("placeholders.{id}"),
                message: format!("no requirement `{id}` in catalog `{}`", catalog.id),
            });
            continue;
        };
        let mut known: Vec<&str> = Level::WITH_TEXT
            .into_iter()
            .filter_map(|l| item.text_at(l))
            .flat_map(|t| {
                mamori_catalog::placeholders(&t.ja)
                    .into_iter()
                    .chain(mamori_catalog::placeholders(&t.en))
            })
            .collect();
        known.sort_unstable();
        known.dedup();
        for label in fills.keys() {
            if !known.contains(&label.as_str()) {
                diags.push(Diagnostic {
                    loc: origin_loc.clone(),
                    field: format!("placeholders.{id}.{label}"),
                    message: format!(
                        "{id} has no placeholder [{label}] (its placeholders: {})",
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ),
                });
            }
        }
    }
    if !diags.is_empty() {
        return Err(DecisionError(diags));
    }

    let answer = |id: &str| profile.answers.get(id).is_some_and(|a| a.value);
    let mut rows = Vec::with_capacity(catalog.items.len());
    let mut counts = Counts::default();
    let mut categories: Vec<(String, Localized)> = Vec::new();
    for item in &catalog.items {
        let (recommended, trace) = recommend(catalog, item, answer);
        let ov = profile.overrides.get(&item.id);
        let chosen = ov.map_or(recommended, |o| o.level);
        let path = catalog.group_path(item);
        let (category, category_name) = path
            .first()
            .map(|g| (g.id.clone(), g.name.clone()))
            .unwrap_or_default();
        let (policy, policy_name) = path
            .last()
            .map(|g| (g.id.clone(), g.name.clone()))
            .unwrap_or_default();
        if !categories.iter().any(|(id, _)| *id == category) {
            categories.push((category.clone(), category_name.clone()));
        }
        *counts
            .by_category
            .entry(category.clone())
            .or_default()
            .entry(chosen)
            .or_default() += 1;
        *counts.by_level.entry(chosen).or_default() += 1;
        let decision = Decision {
            id: item.id.clone(),
            category,
            category_name,
            policy,
            policy_name,
            name: item.title.clone(),
            condition: item.condition.to_string(),
            trace,
            recommended_level: recommended,
            chosen_level: chosen,
            justification: ov.map(|o| o.justification.clone()),
            text: if chosen == Level::Omit {
                None
            } else {
                item.text_at(chosen).cloned()
            },
            fills: profile
                .placeholders
                .get(&item.id)
                .cloned()
                .unwrap_or_default(),
            source: format!(
                "{} / {} / {}",
                item.source.doc, item.source.table, item.source.item
            ),
        };
        if decision.is_override() {
            counts.overrides += 1;
        }
        rows.push(decision);
    }
    let answers = catalog
        .conditions
        .iter()
        .map(|c| {
            let a = profile.answers.get(&c.id);
            AnswerRow {
                id: c.id.clone(),
                name: c.name.clone(),
                answer: a.is_some_and(|a| a.value),
                reason: a.map(|a| a.reason.clone()).unwrap_or_default(),
            }
        })
        .collect();
    Ok(DecisionTable {
        system: profile.system.clone(),
        catalog: catalog.id.clone(),
        catalog_version: catalog.version.clone(),
        answers,
        rows,
        counts,
        categories,
    })
}
