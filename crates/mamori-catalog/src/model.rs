//! The catalog model: what a loaded, validated catalog looks like to the rest of mamori.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::expr::Condition;

/// A user-facing language. Japanese is the primary language, English the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "ja" | "jp" | "japanese" | "日本語" => Some(Lang::Ja),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
}

/// A text in both UI languages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub ja: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }
}

/// An implementation level (実施レベル). `Omit` (省略) is always available and never carries text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Omit,
    Low,
    Middle,
    High,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Omit, Level::Low, Level::Middle, Level::High];
    pub const WITH_TEXT: [Level; 3] = [Level::Low, Level::Middle, Level::High];

    /// The machine spelling used in files and JSON: `omit`, `low`, `middle`, `high`.
    pub fn key(self) -> &'static str {
        match self {
            Level::Omit => "omit",
            Level::Low => "low",
            Level::Middle => "middle",
            Level::High => "high",
        }
    }

    /// The name used in the source documents and the Japanese UI.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Level::Omit, Lang::Ja) => "省略",
            (Level::Low, Lang::Ja) => "低位",
            (Level::Middle, Lang::Ja) => "中位",
            (Level::High, Lang::Ja) => "高位",
            (Level::Omit, Lang::En) => "Omit",
            (Level::Low, Lang::En) => "Low",
            (Level::Middle, Lang::En) => "Middle",
            (Level::High, Lang::En) => "High",
        }
    }

    /// Accepts the machine spelling and the Japanese names (省略/低位/中位/高位).
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim() {
            "omit" | "省略" => Some(Level::Omit),
            "low" | "低位" => Some(Level::Low),
            "middle" | "中位" => Some(Level::Middle),
            "high" | "高位" => Some(Level::High),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Where something was read from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Loc {
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A reference into a source document: which document, which table, which row or item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    pub doc: String,
    pub table: String,
    pub item: String,
}

/// A source document that catalog items cite.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub id: String,
    pub title: Localized,
    pub publisher: String,
    pub location: String,
    #[serde(skip)]
    pub loc: Loc,
}

/// The viewpoint (観点分類) of a judgment condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Viewpoint {
    /// 利用環境・手段
    Environment,
    /// 情報
    Information,
    /// 主体
    Subject,
}

impl Viewpoint {
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Viewpoint::Environment, Lang::Ja) => "利用環境・手段",
            (Viewpoint::Information, Lang::Ja) => "情報",
            (Viewpoint::Subject, Lang::Ja) => "主体",
            (Viewpoint::Environment, Lang::En) => "Environment and means of use",
            (Viewpoint::Information, Lang::En) => "Information",
            (Viewpoint::Subject, Lang::En) => "Subjects",
        }
    }
}

/// A yes/no judgment condition (判断条件).
#[derive(Debug, Clone, Serialize)]
pub struct JudgmentCondition {
    pub id: String,
    pub name: Localized,
    pub viewpoint: Viewpoint,
    pub question: Localized,
    pub guidance: Localized,
    pub source: SourceRef,
    #[serde(skip)]
    pub loc: Loc,
}

/// A category (対策区分) or policy (対策方針): a node that items hang from.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub id: String,
    pub parent: Option<String>,
    pub name: Localized,
    pub source: Option<SourceRef>,
    #[serde(skip)]
    pub loc: Loc,
}

/// What a catalog says about one level of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LevelText {
    /// Own text at this level.
    Text { text: Localized },
    /// Same text as another level (the seed's `(一 同様)`).
    SameAs { level: Level },
    /// Explicitly no text at this level.
    Absent,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelDef {
    #[serde(flatten)]
    pub text: LevelText,
    #[serde(skip)]
    pub loc: Loc,
}

/// Picks a level from the levels that have text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "select", content = "level")]
pub enum Selector {
    /// The lowest level that has text (省略 if none has).
    Lowest,
    /// The lowest level with text at or above the given one (省略 if none).
    LowestFrom(Level),
    /// The given level if it has text, otherwise 省略.
    Only(Level),
}

impl Selector {
    pub fn parse(s: &str) -> Option<Selector> {
        let s = s.trim();
        if s == "lowest" {
            return Some(Selector::Lowest);
        }
        let (kind, level) = s.split_once(':')?;
        let level = Level::parse(level)?;
        match kind {
            "lowest-from" => Some(Selector::LowestFrom(level)),
            "only" => Some(Selector::Only(level)),
            _ => None,
        }
    }

    pub fn spelling(self) -> String {
        match self {
            Selector::Lowest => "lowest".to_owned(),
            Selector::LowestFrom(l) => format!("lowest-from:{l}"),
            Selector::Only(l) => format!("only:{l}"),
        }
    }

    /// Applies the selector to the set of levels that have text.
    pub fn select(self, has_text: impl Fn(Level) -> bool) -> Level {
        match self {
            Selector::Lowest => Level::WITH_TEXT
                .into_iter()
                .find(|l| has_text(*l))
                .unwrap_or(Level::Omit),
            Selector::LowestFrom(from) => Level::WITH_TEXT
                .into_iter()
                .filter(|l| *l >= from)
                .find(|l| has_text(*l))
                .unwrap_or(Level::Omit),
            Selector::Only(level) => {
                if level != Level::Omit && has_text(level) {
                    level
                } else {
                    Level::Omit
                }
            }
        }
    }
}

/// How a recommended level follows from the judgment conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RecommendationRule {
    /// Condition `-`: the requirement always applies.
    pub unconditional: Selector,
    /// The condition expression holds.
    pub holds: Selector,
    /// The condition expression does not hold.
    pub not_holds: Selector,
}

impl Default for RecommendationRule {
    /// The SBD manual's reading: `-` → lowest level with text; holds → lowest with text at or
    /// above 中位; does not hold → 低位 if it has text, otherwise 省略.
    fn default() -> Self {
        RecommendationRule {
            unconditional: Selector::Lowest,
            holds: Selector::LowestFrom(Level::Middle),
            not_holds: Selector::Only(Level::Low),
        }
    }
}

/// 区分 of a requirement: how binding it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Obligation {
    /// 必須
    Required,
    /// 推奨
    Recommended,
    /// 必要に応じて検討
    AsNeeded,
}

impl Obligation {
    /// In report order.
    pub const ALL: [Obligation; 3] = [
        Obligation::Required,
        Obligation::Recommended,
        Obligation::AsNeeded,
    ];

    /// The machine spelling used in files and JSON: `required`, `recommended`, `as-needed`.
    pub fn key(self) -> &'static str {
        match self {
            Obligation::Required => "required",
            Obligation::Recommended => "recommended",
            Obligation::AsNeeded => "as-needed",
        }
    }

    /// The name used in the source documents and the Japanese UI.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Obligation::Required, Lang::Ja) => "必須",
            (Obligation::Recommended, Lang::Ja) => "推奨",
            (Obligation::AsNeeded, Lang::Ja) => "必要に応じて検討",
            (Obligation::Required, Lang::En) => "Mandatory",
            (Obligation::Recommended, Lang::En) => "Recommended",
            (Obligation::AsNeeded, Lang::En) => "Consider as needed",
        }
    }

    /// Accepts the machine spelling and the Japanese names (必須/推奨/必要に応じて検討).
    pub fn parse(s: &str) -> Option<Obligation> {
        match s.trim() {
            "required" | "必須" => Some(Obligation::Required),
            "recommended" | "推奨" => Some(Obligation::Recommended),
            "as-needed" | "必要に応じて検討" => Some(Obligation::AsNeeded),
            _ => None,
        }
    }
}

impl fmt::Display for Obligation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A reference to an item of a (possibly other) catalog, spelled `catalog:item` in files.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ItemRef {
    pub catalog: String,
    pub item: String,
}

impl ItemRef {
    /// Parses `catalog:item`; both parts non-empty, without spaces or further colons.
    pub fn parse(s: &str) -> Option<ItemRef> {
        let (catalog, item) = s.trim().split_once(':')?;
        let ok = |p: &str| !p.is_empty() && !p.contains(':') && !p.contains(char::is_whitespace);
        if ok(catalog) && ok(item) {
            Some(ItemRef {
                catalog: catalog.to_owned(),
                item: item.to_owned(),
            })
        } else {
            None
        }
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.catalog, self.item)
    }
}

/// A numbered measure of a catalog's overview diagram (①–⑩ in the My Number WLAN image).
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    pub number: u8,
    pub name: Localized,
    /// Items of other catalogs (e.g. PPC safety-management measures) this measure carries out.
    pub implements: Vec<ItemRef>,
    pub source: SourceRef,
    #[serde(skip)]
    pub loc: Loc,
}

/// One requirement or control of a catalog.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: String,
    pub group: Option<String>,
    pub title: Localized,
    pub condition: Condition,
    pub source: SourceRef,
    pub notes: Vec<String>,
    /// Per level, for catalogs with a level scheme.
    pub levels: BTreeMap<Level, LevelDef>,
    /// A per-item override of the catalog's recommendation rule.
    pub recommend: Option<RecommendationRule>,
    /// 区分 (必須/推奨/必要に応じて検討), for catalogs whose rows carry one.
    pub obligation: Option<Obligation>,
    /// The requirement text, for catalogs without levels.
    pub requirement: Option<Localized>,
    /// 備考: remarks the source gives on the row.
    pub remarks: Option<Localized>,
    /// Items (usually of another catalog) this item carries out, e.g. `ppc-safety:2Fd`.
    pub implements: Vec<ItemRef>,
    /// The same requirement in another catalog, e.g. `wlan-lgwan:LG-01`.
    pub twins: Vec<ItemRef>,
    /// Numbers of the measures of the same catalog (`Catalog::measures`) this item belongs to.
    pub measures: Vec<u8>,
    #[serde(skip)]
    pub loc: Loc,
    #[serde(skip)]
    pub condition_loc: Loc,
    #[serde(skip)]
    pub group_loc: Loc,
    #[serde(skip)]
    pub source_loc: Loc,
    /// Where each entry of `implements` was written.
    #[serde(skip)]
    pub implements_locs: Vec<Loc>,
    /// Where each entry of `twins` was written.
    #[serde(skip)]
    pub twins_locs: Vec<Loc>,
    /// Where each entry of `measures` was written.
    #[serde(skip)]
    pub measures_locs: Vec<Loc>,
}

impl Item {
    /// The text at a level, following `same_as` links; `None` when the level is absent or omitted.
    pub fn text_at(&self, level: Level) -> Option<&Localized> {
        let mut current = level;
        // Links only point downwards in a valid catalog; the bound guards against cycles anyway.
        for _ in 0..Level::ALL.len() {
            match &self.levels.get(&current)?.text {
                LevelText::Text { text } => return Some(text),
                LevelText::SameAs { level } => current = *level,
                LevelText::Absent => return None,
            }
        }
        None
    }

    pub fn has_text(&self, level: Level) -> bool {
        self.text_at(level).is_some()
    }
}

/// A whole catalog.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    pub id: String,
    pub version: String,
    pub title: Localized,
    pub description: Localized,
    /// The text-bearing levels of this catalog, ascending; empty for catalogs without levels.
    pub levels: Vec<Level>,
    pub recommendation: RecommendationRule,
    pub sources: Vec<Source>,
    pub conditions: Vec<JudgmentCondition>,
    pub groups: Vec<Group>,
    pub items: Vec<Item>,
    /// The numbered measures of the catalog's overview diagram, if it has one.
    pub measures: Vec<Measure>,
    /// The files this catalog was assembled from (built-in names or user paths).
    pub origins: Vec<String>,
    #[serde(skip)]
    pub loc: Loc,
}

impl Catalog {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub fn condition(&self, id: &str) -> Option<&JudgmentCondition> {
        self.conditions.iter().find(|c| c.id == id)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn measure(&self, n: u8) -> Option<&Measure> {
        self.measures.iter().find(|m| m.number == n)
    }

    /// The chain of groups from the top category down to the item's own group.
    pub fn group_path(&self, item: &Item) -> Vec<&Group> {
        let mut path = Vec::new();
        let mut next = item.group.as_deref();
        while let Some(id) = next {
            let Some(group) = self.group(id) else { break };
            if path.iter().any(|g: &&Group| g.id == group.id) {
                break;
            }
            path.push(group);
            next = group.parent.as_deref();
        }
        path.reverse();
        path
    }

    /// The top-level category of an item (its outermost group).
    pub fn category_of(&self, item: &Item) -> Option<&Group> {
        self.group_path(item).into_iter().next()
    }

    /// The rule that applies to an item.
    pub fn rule_for(&self, item: &Item) -> RecommendationRule {
        item.recommend.unwrap_or(self.recommendation)
    }
}
