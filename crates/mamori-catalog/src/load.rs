//! Reading catalog files (TOML) into the model, keeping file/line/field for every diagnostic.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::expr::Condition;
use crate::model::{
    Catalog, Group, Item, ItemRef, JudgmentCondition, Level, LevelDef, LevelText, Loc, Localized,
    Measure, Obligation, RecommendationRule, Selector, Source, SourceRef, Viewpoint,
};

/// The catalog file format this build reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A problem in a catalog file: where, which field, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub loc: Loc,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.loc, self.field, self.message)
    }
}

/// Maps byte offsets of one file to line/column positions.
#[derive(Debug)]
pub struct Locator {
    file: Arc<str>,
    line_starts: Vec<usize>,
    text: Arc<str>,
}

impl Locator {
    pub fn new(file: &str, text: &str) -> Locator {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Locator {
            file: Arc::from(file),
            line_starts,
            text: Arc::from(text),
        }
    }

    pub fn loc(&self, offset: usize) -> Loc {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(1, |s| s.chars().count() + 1);
        Loc {
            file: self.file.clone(),
            line: line + 1,
            column,
        }
    }

    /// The position where a spanned value starts.
    pub fn at<T>(&self, s: &Spanned<T>) -> Loc {
        self.loc(s.span().start)
    }

    /// A TOML syntax or type error as a diagnostic.
    pub fn toml_error(&self, e: &toml::de::Error) -> Diagnostic {
        let offset = e.span().map_or(0, |s| s.start);
        let field = self.key_on_line(offset);
        Diagnostic {
            loc: self.loc(offset),
            field: if field.is_empty() {
                "(file)".to_owned()
            } else {
                field
            },
            message: e.message().trim().to_owned(),
        }
    }

    /// The key written on the line of `offset` (`key = …` or `[table]`), for TOML errors.
    pub fn key_on_line(&self, offset: usize) -> String {
        let loc = self.loc(offset);
        let start = self.line_starts.get(loc.line - 1).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(loc.line)
            .copied()
            .unwrap_or(self.text.len());
        let line = self.text.get(start..end).unwrap_or("").trim();
        if let Some((key, _)) = line.split_once('=') {
            key.trim().to_owned()
        } else {
            line.trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_owned()
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    schema: Spanned<u32>,
    catalog: RawHeader,
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
    #[serde(default)]
    condition: Vec<Spanned<RawCondition>>,
    #[serde(default)]
    group: Vec<Spanned<RawGroup>>,
    #[serde(default)]
    item: Vec<Spanned<RawItem>>,
    #[serde(default)]
    measure: Vec<Spanned<RawMeasure>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: Spanned<String>,
    mode: Option<Spanned<String>>,
    version: Option<String>,
    title: Option<Localized>,
    description: Option<Localized>,
    levels: Option<Vec<Spanned<String>>>,
    recommendation: Option<RawRule>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRule {
    unconditional: Option<Spanned<String>>,
    holds: Option<Spanned<String>>,
    not_holds: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSourceRef {
    doc: Spanned<String>,
    table: String,
    item: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    title: Localized,
    publisher: String,
    location: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    id: Spanned<String>,
    name: Localized,
    viewpoint: Viewpoint,
    question: Localized,
    guidance: Localized,
    source: RawSourceRef,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: Spanned<String>,
    parent: Option<Spanned<String>>,
    name: Localized,
    source: Option<RawSourceRef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    group: Option<Spanned<String>>,
    title: Localized,
    condition: Option<Spanned<String>>,
    source: RawSourceRef,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default)]
    levels: BTreeMap<String, Spanned<RawLevel>>,
    recommend: Option<RawRule>,
    obligation: Option<Spanned<String>>,
    requirement: Option<Localized>,
    remarks: Option<Localized>,
    #[serde(default)]
    implements: Vec<Spanned<String>>,
    #[serde(default)]
    twins: Vec<Spanned<String>>,
    #[serde(default)]
    measures: Vec<Spanned<u8>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    number: Spanned<u8>,
    name: Localized,
    #[serde(default)]
    implements: Vec<Spanned<String>>,
    source: RawSourceRef,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    text: Option<Localized>,
    same_as: Option<Spanned<String>>,
    absent: Option<bool>,
}

/// How a file relates to a catalog of the same ID loaded before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A complete catalog (the default). Replaces an earlier catalog of the same ID.
    Full,
    /// Adds to or replaces parts of an earlier catalog of the same ID, by element ID.
    Extend,
}

/// One parsed file: a catalog fragment plus its mode.
#[derive(Debug)]
pub struct Fragment {
    pub mode: Mode,
    pub catalog: Catalog,
    /// Which header fields the file set, so `extend` only overrides what it states.
    pub(crate) header_set: HeaderSet,
}

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HeaderSet {
    pub version: bool,
    pub title: bool,
    pub description: bool,
    pub levels: bool,
    pub recommendation: bool,
}

/// Parses one catalog file. Every problem found is returned; nothing panics on bad input.
pub fn parse_file(file: &str, text: &str) -> Result<Fragment, Vec<Diagnostic>> {
    let locator = Locator::new(file, text);
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            return Err(vec![locator.toml_error(&e)]);
        }
    };
    let mut diags = Vec::new();
    let fragment = convert(&locator, raw, &mut diags);
    if diags.is_empty() {
        Ok(fragment)
    } else {
        Err(diags)
    }
}

fn convert(l: &Locator, raw: RawFile, diags: &mut Vec<Diagnostic>) -> Fragment {
    let mut err = |loc: Loc, field: String, message: String| {
        diags.push(Diagnostic {
            loc,
            field,
            message,
        })
    };

    if *raw.schema.get_ref() != SCHEMA_VERSION {
        err(
            l.at(&raw.schema),
            "schema".into(),
            format!(
                "unsupported schema version {} (this build reads {SCHEMA_VERSION})",
                raw.schema.get_ref()
            ),
        );
    }

    let h = raw.catalog;
    let mode = match h.mode.as_ref().map(|m| m.get_ref().as_str()) {
        None | Some("full") => Mode::Full,
        Some("extend") => Mode::Extend,
        Some(other) => {
            err(
                h.mode.as_ref().map_or_else(|| l.at(&h.id), |m| l.at(m)),
                "catalog.mode".into(),
                format!("unknown mode `{other}` (expected `full` or `extend`)"),
            );
            Mode::Full
        }
    };
    let header_set = HeaderSet {
        version: h.version.is_some(),
        title: h.title.is_some(),
        description: h.description.is_some(),
        levels: h.levels.is_some(),
        recommendation: h.recommendation.is_some(),
    };
    if mode == Mode::Full {
        for (present, name) in [(header_set.version, "version"), (header_set.title, "title")] {
            if !present {
                err(
                    l.at(&h.id),
                    format!("catalog.{name}"),
                    "missing (required unless `mode = \"extend\"`)".into(),
                );
            }
        }
    }

    let mut levels = Vec::new();
    for lv in h.levels.iter().flatten() {
        match Level::parse(lv.get_ref()) {
            Some(Level::Omit) | None => err(
                l.at(lv),
                "catalog.levels".into(),
                format!(
                    "`{}` is not a text-bearing level (expected low, middle or high)",
                    lv.get_ref()
                ),
            ),
            Some(level) => {
                if levels.last().is_some_and(|last| *last >= level) {
                    err(
                        l.at(lv),
                        "catalog.levels".into(),
                        "levels must be listed once each, in ascending order".into(),
                    );
                } else {
                    levels.push(level);
                }
            }
        }
    }

    let base_rule = RecommendationRule::default();
    let recommendation = h
        .recommendation
        .as_ref()
        .map(|r| rule(l, r, base_rule, "catalog.recommendation", &mut err))
        .unwrap_or(base_rule);

    let catalog_loc = l.at(&h.id);
    let mut catalog = Catalog {
        id: h.id.into_inner(),
        version: h.version.unwrap_or_default(),
        title: h.title.unwrap_or_default(),
        description: h.description.unwrap_or_default(),
        levels,
        recommendation,
        sources: Vec::new(),
        conditions: Vec::new(),
        groups: Vec::new(),
        items: Vec::new(),
        measures: Vec::new(),
        origins: vec![l.file.to_string()],
        loc: catalog_loc,
    };

    let mut seen = HashSet::new();
    for s in raw.source {
        let s = s.into_inner();
        if !seen.insert(("source", s.id.get_ref().clone())) {
            err(
                l.at(&s.id),
                format!("source[{}].id", s.id.get_ref()),
                "duplicate source ID in this file".into(),
            );
        }
        catalog.sources.push(Source {
            loc: l.at(&s.id),
            id: s.id.into_inner(),
            title: s.title,
            publisher: s.publisher,
            location: s.location,
        });
    }

    for c in raw.condition {
        let c = c.into_inner();
        if !seen.insert(("condition", c.id.get_ref().clone())) {
            err(
                l.at(&c.id),
                format!("condition[{}].id", c.id.get_ref()),
                "duplicate condition ID in this file".into(),
            );
        }
        catalog.conditions.push(JudgmentCondition {
            loc: l.at(&c.id),
            id: c.id.into_inner(),
            name: c.name,
            viewpoint: c.viewpoint,
            question: c.question,
            guidance: c.guidance,
            source: source_ref(c.source),
        });
    }

    for g in raw.group {
        let g = g.into_inner();
        if !seen.insert(("group", g.id.get_ref().clone())) {
            err(
                l.at(&g.id),
                format!("group[{}].id", g.id.get_ref()),
                "duplicate group ID in this file".into(),
            );
        }
        let loc = g.parent.as_ref().map_or_else(|| l.at(&g.id), |p| l.at(p));
        catalog.groups.push(Group {
            loc,
            id: g.id.into_inner(),
            parent: g.parent.map(Spanned::into_inner),
            name: g.name,
            source: g.source.map(source_ref),
        });
    }

    for it in raw.item {
        let it = it.into_inner();
        let id = it.id.get_ref().clone();
        if !seen.insert(("item", id.clone())) {
            err(
                l.at(&it.id),
                format!("item[{id}].id"),
                "duplicate item ID in this file".into(),
            );
        }
        let (condition, condition_loc) = match &it.condition {
            None => (Condition::Always, l.at(&it.id)),
            Some(c) => match Condition::parse(c.get_ref()) {
                Ok(cond) => (cond, l.at(c)),
                Err(e) => {
                    err(
                        l.at(c),
                        format!("item[{id}].condition"),
                        format!("`{}`: {e}", c.get_ref()),
                    );
                    (Condition::Always, l.at(c))
                }
            },
        };
        let mut levels = BTreeMap::new();
        for (key, def) in &it.levels {
            let field = format!("item[{id}].levels.{key}");
            let Some(level) = Level::parse(key).filter(|lv| *lv != Level::Omit) else {
                err(
                    l.at(def),
                    field,
                    format!("unknown level `{key}` (expected low, middle or high)"),
                );
                continue;
            };
            let d = def.get_ref();
            let given = [d.text.is_some(), d.same_as.is_some(), d.absent.is_some()]
                .iter()
                .filter(|b| **b)
                .count();
            if given != 1 {
                err(
                    l.at(def),
                    field,
                    "give exactly one of `text`, `same_as` or `absent = true`".into(),
                );
                continue;
            }
            let text = if let Some(t) = &d.text {
                LevelText::Text { text: t.clone() }
            } else if let Some(s) = &d.same_as {
                match Level::parse(s.get_ref()).filter(|lv| *lv != Level::Omit) {
                    Some(target) => LevelText::SameAs { level: target },
                    None => {
                        err(
                            l.at(s),
                            format!("{field}.same_as"),
                            format!("unknown level `{}`", s.get_ref()),
                        );
                        continue;
                    }
                }
            } else if d.absent == Some(true) {
                LevelText::Absent
            } else {
                err(
                    l.at(def),
                    format!("{field}.absent"),
                    "`absent` may only be `true`; leave a level out by saying `absent = true`"
                        .into(),
                );
                continue;
            };
            levels.insert(
                level,
                LevelDef {
                    text,
                    loc: l.at(def),
                },
            );
        }
        let recommend = it.recommend.as_ref().map(|r| {
            rule(
                l,
                r,
                recommendation,
                &format!("item[{id}].recommend"),
                &mut err,
            )
        });
        let obligation = it.obligation.as_ref().and_then(|o| {
            let parsed = Obligation::parse(o.get_ref());
            if parsed.is_none() {
                err(
                    l.at(o),
                    format!("item[{id}].obligation"),
                    format!(
                        "unknown obligation `{}` (expected `required`, `recommended` or `as-needed`, or 必須/推奨/必要に応じて検討)",
                        o.get_ref()
                    ),
                );
            }
            parsed
        });
        let (implements, implements_locs) = item_refs(
            l,
            &it.implements,
            &format!("item[{id}].implements"),
            &mut err,
        );
        let (twins, twins_locs) = item_refs(l, &it.twins, &format!("item[{id}].twins"), &mut err);
        catalog.items.push(Item {
            obligation,
            requirement: it.requirement,
            remarks: it.remarks,
            implements,
            twins,
            measures: it.measures.iter().map(|m| *m.get_ref()).collect(),
            implements_locs,
            twins_locs,
            measures_locs: it.measures.iter().map(|m| l.at(m)).collect(),
            loc: l.at(&it.id),
            condition_loc,
            group_loc: it.group.as_ref().map_or_else(|| l.at(&it.id), |g| l.at(g)),
            source_loc: l.at(&it.source.doc),
            id,
            group: it.group.map(Spanned::into_inner),
            title: it.title,
            condition,
            source: source_ref(it.source),
            notes: it.notes,
            levels,
            recommend,
        });
    }

    let mut numbers = HashSet::new();
    for m in raw.measure {
        let m = m.into_inner();
        let n = *m.number.get_ref();
        if !numbers.insert(n) {
            err(
                l.at(&m.number),
                format!("measure[{n}].number"),
                "duplicate measure number in this file".into(),
            );
        }
        let (implements, _) = item_refs(
            l,
            &m.implements,
            &format!("measure[{n}].implements"),
            &mut err,
        );
        catalog.measures.push(Measure {
            number: n,
            name: m.name,
            implements,
            source: source_ref(m.source),
            loc: l.at(&m.number),
        });
    }

    Fragment {
        mode,
        catalog,
        header_set,
    }
}

/// Parses `catalog:item` references, reporting malformed ones; returns them with their places.
fn item_refs(
    l: &Locator,
    raw: &[Spanned<String>],
    field: &str,
    err: &mut impl FnMut(Loc, String, String),
) -> (Vec<ItemRef>, Vec<Loc>) {
    let mut refs = Vec::new();
    let mut locs = Vec::new();
    for r in raw {
        match ItemRef::parse(r.get_ref()) {
            Some(parsed) => {
                refs.push(parsed);
                locs.push(l.at(r));
            }
            None => err(
                l.at(r),
                field.to_owned(),
                format!(
                    "`{}` is not an item reference (expected `CATALOG:ITEM`, e.g. `ppc-safety:2Fd`)",
                    r.get_ref()
                ),
            ),
        }
    }
    (refs, locs)
}

fn source_ref(r: RawSourceRef) -> SourceRef {
    SourceRef {
        doc: r.doc.into_inner(),
        table: r.table,
        item: r.item,
    }
}

fn rule(
    l: &Locator,
    raw: &RawRule,
    base: RecommendationRule,
    field: &str,
    err: &mut impl FnMut(Loc, String, String),
) -> RecommendationRule {
    let mut pick = |value: &Option<Spanned<String>>, name: &str, fallback: Selector| {
        match value {
        None => fallback,
        Some(v) => Selector::parse(v.get_ref()).unwrap_or_else(|| {
            err(
                l.at(v),
                format!("{field}.{name}"),
                format!(
                    "unknown selector `{}` (expected `lowest`, `lowest-from:LEVEL` or `only:LEVEL`)",
                    v.get_ref()
                ),
            );
            fallback
        }),
    }
    };
    RecommendationRule {
        unconditional: pick(&raw.unconditional, "unconditional", base.unconditional),
        holds: pick(&raw.holds, "holds", base.holds),
        not_holds: pick(&raw.not_holds, "not_holds", base.not_holds),
    }
}
