//! The security chapter of a procurement specification, as a format-neutral document model.

use mamori_catalog::{Lang, Level, Segment, segments};
use mamori_sbd::{Counts, DecisionTable};
use serde::Serialize;

use crate::wareki::{date_with_wareki, wareki};

/// A piece of requirement text: plain, a placeholder filled from the profile, or one still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "text")]
pub enum Piece {
    Text(String),
    Filled(String),
    Open(String),
}

/// One requirement as printed in the chapter.
#[derive(Debug, Clone, Serialize)]
pub struct SpecRequirement {
    pub id: String,
    pub name: String,
    pub policy: String,
    pub policy_name: String,
    pub condition: String,
    pub trace: String,
    pub recommended_level: Level,
    pub chosen_level: Level,
    pub recommended_name: String,
    pub chosen_name: String,
    pub overridden: bool,
    pub justification: Option<String>,
    /// Empty when the requirement is omitted.
    pub text: Vec<Piece>,
    pub source: String,
}

impl SpecRequirement {
    /// The text with open placeholders shown as `[label]`.
    pub fn plain_text(&self) -> String {
        self.text
            .iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Filled(t) => t.clone(),
                Piece::Open(l) => format!("[{l}]"),
            })
            .collect()
    }
}

/// A category (対策区分) with its requirements in catalog order.
#[derive(Debug, Clone, Serialize)]
pub struct SpecSection {
    pub id: String,
    pub name: String,
    pub requirements: Vec<SpecRequirement>,
}

impl SpecSection {
    /// The requirements printed in the chapter text (everything not at 省略).
    pub fn shown(&self) -> Vec<&SpecRequirement> {
        self.requirements
            .iter()
            .filter(|r| r.chosen_level != Level::Omit)
            .collect()
    }
}

/// A placeholder the author still has to fill in.
#[derive(Debug, Clone, Serialize)]
pub struct OpenPlaceholder {
    pub requirement: String,
    pub name: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecAnswer {
    pub id: String,
    pub name: String,
    pub answer: bool,
    pub mark: &'static str,
    pub reason: String,
}

/// Level counts per category, in catalog order.
#[derive(Debug, Clone, Serialize)]
pub struct CountRow {
    pub category: String,
    pub name: String,
    /// omit, low, middle, high.
    pub levels: [usize; 4],
    pub total: usize,
}

/// The whole chapter.
#[derive(Debug, Clone, Serialize)]
pub struct Spec {
    pub lang: Lang,
    pub title: String,
    pub system: String,
    pub overview: String,
    pub date: String,
    pub date_wareki: String,
    pub catalog: String,
    pub catalog_version: String,
    pub answers: Vec<SpecAnswer>,
    pub sections: Vec<SpecSection>,
    pub counts: Vec<CountRow>,
    pub overrides: usize,
    pub open_placeholders: Vec<OpenPlaceholder>,
    #[serde(skip)]
    pub labels: &'static Labels,
}

/// Fixed wording of the documents, per language.
#[derive(Debug)]
pub struct Labels {
    pub title: &'static str,
    pub system: &'static str,
    pub date: &'static str,
    pub catalog: &'static str,
    pub overview: &'static str,
    pub intro: &'static str,
    pub conditions: &'static str,
    pub requirements: &'static str,
    pub omitted_note: &'static str,
    pub decision_table: &'static str,
    pub summary: &'static str,
    pub open_placeholders: &'static str,
    pub no_open_placeholders: &'static str,
    pub to_fill: &'static str,
    pub id: &'static str,
    pub condition: &'static str,
    pub answer: &'static str,
    pub reason: &'static str,
    pub requirement: &'static str,
    pub category: &'static str,
    pub judgment: &'static str,
    pub recommended: &'static str,
    pub chosen: &'static str,
    pub justification: &'static str,
    pub text: &'static str,
    pub total: &'static str,
    pub overrides: &'static str,
    pub override_mark: &'static str,
    pub source: &'static str,
    pub checklist: &'static str,
}

pub static LABELS_JA: Labels = Labels {
    title: "情報セキュリティ要件",
    system: "対象システム",
    date: "作成日",
    catalog: "対策要件集",
    overview: "システムの概要",
    intro: "本章は、NISC「情報システムに係る政府調達におけるセキュリティ要件策定マニュアル」の手順に従い、判断条件への回答から対策要件ごとの実施レベルを定め、その仕様を記載したものである。受注者は、以下の要件を満たす情報システムを構築すること。",
    conditions: "判断条件",
    requirements: "セキュリティ要件",
    omitted_note: "実施レベルを「省略」とした対策要件は本文に記載せず、決定表に理由とともに示す。",
    decision_table: "対策要件の決定表",
    summary: "実施レベルの集計",
    open_placeholders: "記入が必要な箇所",
    no_open_placeholders: "記入が必要な箇所はない。",
    to_fill: "要記入",
    id: "ID",
    condition: "判断条件",
    answer: "回答",
    reason: "理由",
    requirement: "対策要件",
    category: "対策区分",
    judgment: "判断",
    recommended: "推奨レベル",
    chosen: "採用レベル",
    justification: "変更理由",
    text: "仕様記載内容",
    total: "計",
    overrides: "推奨から変更した対策要件",
    override_mark: "変更",
    source: "出典",
    checklist: "チェックリスト",
};

pub static LABELS_EN: Labels = Labels {
    title: "Information security requirements",
    system: "System",
    date: "Date",
    catalog: "Requirement catalog",
    overview: "System overview",
    intro: "This chapter follows the procedure of NISC's security requirements manual for government procurement: the answers to the judgment conditions determine an implementation level for each countermeasure requirement, and the specification text of that level is given below. The contractor shall deliver an information system that meets these requirements.",
    conditions: "Judgment conditions",
    requirements: "Security requirements",
    omitted_note: "Requirements at level \"Omit\" are not part of the text; the decision table lists them with the reason.",
    decision_table: "Decision table",
    summary: "Levels by category",
    open_placeholders: "Places to fill in",
    no_open_placeholders: "Nothing is left to fill in.",
    to_fill: "TO FILL",
    id: "ID",
    condition: "Condition",
    answer: "Answer",
    reason: "Reason",
    requirement: "Requirement",
    category: "Category",
    judgment: "Evaluation",
    recommended: "Recommended",
    chosen: "Chosen",
    justification: "Justification",
    text: "Specification text",
    total: "Total",
    overrides: "Requirements changed from the recommendation",
    override_mark: "changed",
    source: "Source",
    checklist: "Checklist",
};

impl Spec {
    /// How an unfilled placeholder is printed: `［要記入：保存期間］` / `[TO FILL: retention period]`.
    pub fn open_mark(&self, label: &str) -> String {
        match self.lang {
            Lang::Ja => format!("［{}：{label}］", self.labels.to_fill),
            Lang::En => format!("[{}: {label}]", self.labels.to_fill),
        }
    }

    /// The level after a requirement heading: `【低位】` / ` [Low]`.
    pub fn level_tag(&self, name: &str) -> String {
        match self.lang {
            Lang::Ja => format!("【{name}】"),
            Lang::En => format!(" [{name}]"),
        }
    }

    pub fn build(table: &DecisionTable, lang: Lang, date: jiff::civil::Date) -> Spec {
        let labels = match lang {
            Lang::Ja => &LABELS_JA,
            Lang::En => &LABELS_EN,
        };
        let mut sections: Vec<SpecSection> = table
            .categories
            .iter()
            .map(|(id, name)| SpecSection {
                id: id.clone(),
                name: name.get(lang).to_owned(),
                requirements: Vec::new(),
            })
            .collect();
        let mut open = Vec::new();
        for row in &table.rows {
            let name = row.name.get(lang).to_owned();
            let text: Vec<Piece> = row
                .text
                .as_ref()
                .map(|t| {
                    segments(t.get(lang))
                        .into_iter()
                        .map(|seg| match seg {
                            Segment::Text(s) => Piece::Text(s.to_owned()),
                            Segment::Placeholder(label) => match row.fills.get(label) {
                                Some(v) => Piece::Filled(v.clone()),
                                None => {
                                    open.push(OpenPlaceholder {
                                        requirement: row.id.clone(),
                                        name: name.clone(),
                                        label: label.to_owned(),
                                    });
                                    Piece::Open(label.to_owned())
                                }
                            },
                        })
                        .collect()
                })
                .unwrap_or_default();
            let req = SpecRequirement {
                id: row.id.clone(),
                name,
                policy: row.policy.clone(),
                policy_name: row.policy_name.get(lang).to_owned(),
                condition: row.condition.clone(),
                trace: row.trace.render(),
                recommended_level: row.recommended_level,
                chosen_level: row.chosen_level,
                recommended_name: row.recommended_level.name(lang).to_owned(),
                chosen_name: row.chosen_level.name(lang).to_owned(),
                overridden: row.is_override(),
                justification: row.justification.clone(),
                text,
                source: row.source.clone(),
            };
            if let Some(section) = sections.iter_mut().find(|s| s.id == row.category) {
                section.requirements.push(req);
            }
        }
        Spec {
            lang,
            title: labels.title.to_owned(),
            system: table.system.name.clone(),
            overview: table.system.overview.clone(),
            date: date.to_string(),
            date_wareki: match lang {
                Lang::Ja => date_with_wareki(date),
                Lang::En => format!("{date} ({})", wareki(date)),
            },
            catalog: table.catalog.clone(),
            catalog_version: table.catalog_version.clone(),
            answers: table
                .answers
                .iter()
                .map(|a| SpecAnswer {
                    id: a.id.clone(),
                    name: a.name.get(lang).to_owned(),
                    answer: a.answer,
                    mark: if a.answer { "○" } else { "×" },
                    reason: a.reason.clone(),
                })
                .collect(),
            counts: count_rows(&table.counts, &table.categories, lang),
            overrides: table.counts.overrides,
            sections,
            open_placeholders: open,
            labels,
        }
    }

    /// Every requirement, in catalog order.
    pub fn requirements(&self) -> impl Iterator<Item = (&SpecSection, &SpecRequirement)> {
        self.sections
            .iter()
            .flat_map(|s| s.requirements.iter().map(move |r| (s, r)))
    }
}

fn count_rows(
    counts: &Counts,
    categories: &[(String, mamori_catalog::Localized)],
    lang: Lang,
) -> Vec<CountRow> {
    categories
        .iter()
        .map(|(id, name)| {
            let by = counts.by_category.get(id);
            let levels = Level::ALL.map(|l| by.and_then(|m| m.get(&l)).copied().unwrap_or(0));
            CountRow {
                category: id.clone(),
                name: name.get(lang).to_owned(),
                total: levels.iter().sum(),
                levels,
            }
        })
        .collect()
}
