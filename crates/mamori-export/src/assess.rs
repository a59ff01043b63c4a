//! The assessment report (評価報告書) of a compliance assessment against a requirement catalog
//! (e.g. the wireless-LAN requirements of the マイナンバー利用事務系) as Excel, Word and HTML:
//! the overall result, tallies, gaps (必須 first), per-category summary, every requirement with
//! its evidence, coverage of the PPC safety-management measures, the difference from the LGWAN
//! catalog, the remediation plan, the safety-measure map and a sign-off block.
//!
//! All three formats are built from one [`View`], so they show the same numbers.

mod docx;
mod html;
mod xlsx;

pub use docx::assessment_docx;
pub use html::assessment_html;
pub use xlsx::assessment_xlsx;

use jiff::civil::Date;
use mamori_assess::{
    Assessment, CatalogDiff, Evaluation, GapReason, MeasureCoverage, MeasureStatus, Outcome,
    Overall, Remediation, compare, coverage, evaluate, measure_statuses, remediation_plan,
};
use mamori_catalog::{Catalog, Item, Lang, Obligation};

use crate::wareki::date_with_wareki;

/// Everything an assessment report shows.
#[derive(Debug, Clone, Copy)]
pub struct AssessmentReport<'a> {
    /// The catalog the assessment is against.
    pub catalog: &'a Catalog,
    pub assessment: &'a Assessment,
    /// The PPC safety-management measures, for the coverage view.
    pub ppc: Option<&'a Catalog>,
    /// The LGWAN catalog, for the difference view when the assessed catalog has twins into it.
    pub base: Option<&'a Catalog>,
    /// The municipality (団体名) printed on the report.
    pub organisation: &'a str,
    pub lang: Lang,
    /// The date the report is made (作成日).
    pub generated: Date,
}

/// Words of the report in one language.
pub(crate) struct Labels {
    pub report: &'static str,
    pub organisation: &'static str,
    pub assessment: &'static str,
    pub target: &'static str,
    pub catalog: &'static str,
    pub date: &'static str,
    pub generated: &'static str,
    pub state: &'static str,
    pub version: &'static str,
    pub created_by: &'static str,
    pub signed: &'static str,
    pub overall: &'static str,
    pub evidence_limit: &'static str,
    pub summary: &'static str,
    pub obligation: &'static str,
    pub total: &'static str,
    pub met: &'static str,
    pub blocking: &'static str,
    pub gaps: &'static str,
    pub by_category: &'static str,
    pub requirements: &'static str,
    pub ppc: &'static str,
    pub diff: &'static str,
    pub plan: &'static str,
    pub measures: &'static str,
    pub id: &'static str,
    pub category: &'static str,
    pub subcategory: &'static str,
    pub title: &'static str,
    pub requirement: &'static str,
    pub outcome: &'static str,
    pub reason: &'static str,
    pub comment: &'static str,
    pub remediation: &'static str,
    pub owner: &'static str,
    pub due: &'static str,
    pub status: &'static str,
    pub evidence_count: &'static str,
    pub evidence: &'static str,
    pub stale: &'static str,
    pub measure: &'static str,
    pub number: &'static str,
    pub via: &'static str,
    pub implementing: &'static str,
    pub coverage: &'static str,
    pub kind: &'static str,
    pub pair: &'static str,
    pub only_derived: &'static str,
    pub only_base: &'static str,
    pub base_id: &'static str,
    pub base_title: &'static str,
    pub base_obligation: &'static str,
    pub obligation_differs: &'static str,
    pub yes: &'static str,
    pub signoff: &'static str,
    pub chief: &'static str,
    pub ciso: &'static str,
    pub role: &'static str,
    pub name: &'static str,
    pub sign_date: &'static str,
    pub seal: &'static str,
    pub blank_date: &'static str,
    pub no_gaps: &'static str,
    pub no_plan: &'static str,
    pub map: &'static str,
    pub unknown_items: &'static str,
    pub not_signed: &'static str,
}

const JA: Labels = Labels {
    report: "評価報告書",
    organisation: "団体名",
    assessment: "評価名",
    target: "評価対象",
    catalog: "要件カタログ",
    date: "評価日",
    generated: "作成日",
    state: "状態",
    version: "版",
    created_by: "作成者",
    signed: "承認",
    overall: "総合判定",
    evidence_limit: "証拠の有効期間",
    summary: "概要",
    obligation: "区分",
    total: "計",
    met: "充足",
    blocking: "必須の未充足",
    gaps: "ギャップ",
    by_category: "分類別",
    requirements: "要件一覧",
    ppc: "PPC対応",
    diff: "LGWAN差分",
    plan: "是正計画",
    measures: "対策（①〜⑩）の状況",
    id: "ID",
    category: "分類",
    subcategory: "項目",
    title: "要件名",
    requirement: "要件",
    outcome: "評価結果",
    reason: "理由",
    comment: "コメント",
    remediation: "是正措置",
    owner: "担当",
    due: "期限",
    status: "状況",
    evidence_count: "証拠数",
    evidence: "証拠",
    stale: "古い証拠",
    measure: "安全管理措置",
    number: "番号",
    via: "対策番号",
    implementing: "対応する要件と評価結果",
    coverage: "充足状況",
    kind: "種別",
    pair: "対応あり",
    only_derived: "本カタログのみ（追加要件）",
    only_base: "基準カタログのみ",
    base_id: "基準ID",
    base_title: "基準の要件名",
    base_obligation: "基準の区分",
    obligation_differs: "区分の違い",
    yes: "あり",
    signoff: "承認・確認",
    chief: "総括責任者",
    ciso: "情報セキュリティ責任者",
    role: "役割",
    name: "氏名",
    sign_date: "日付",
    seal: "印",
    blank_date: "　　年　　月　　日",
    no_gaps: "ギャップはない。",
    no_plan: "是正措置は登録されていない。",
    map: "特定個人情報に関する安全管理措置実施のための対策イメージ（評価結果による色分け）",
    unknown_items: "カタログにない要件IDの結果",
    not_signed: "未承認",
};

const EN: Labels = Labels {
    report: "Assessment report",
    organisation: "Organisation",
    assessment: "Assessment",
    target: "Target",
    catalog: "Catalog",
    date: "Assessment date",
    generated: "Report date",
    state: "State",
    version: "Version",
    created_by: "Prepared by",
    signed: "Signed off",
    overall: "Overall result",
    evidence_limit: "Evidence age limit",
    summary: "Summary",
    obligation: "Obligation",
    total: "Total",
    met: "Met",
    blocking: "Required not met",
    gaps: "Gaps",
    by_category: "By category",
    requirements: "Requirements",
    ppc: "PPC coverage",
    diff: "LGWAN differences",
    plan: "Remediation plan",
    measures: "Status of the numbered measures",
    id: "ID",
    category: "Category",
    subcategory: "Subcategory",
    title: "Title",
    requirement: "Requirement",
    outcome: "Result",
    reason: "Reason",
    comment: "Comment",
    remediation: "Remediation",
    owner: "Owner",
    due: "Due",
    status: "Status",
    evidence_count: "Evidence",
    evidence: "Evidence items",
    stale: "Stale evidence",
    measure: "Safety-management measure",
    number: "No.",
    via: "Via measures",
    implementing: "Implementing requirements and results",
    coverage: "Coverage",
    kind: "Kind",
    pair: "Paired",
    only_derived: "Only in this catalog (added)",
    only_base: "Only in the base catalog",
    base_id: "Base ID",
    base_title: "Base title",
    base_obligation: "Base obligation",
    obligation_differs: "Obligation differs",
    yes: "yes",
    signoff: "Sign-off",
    chief: "Chief officer (総括責任者)",
    ciso: "Information security officer",
    role: "Role",
    name: "Name",
    sign_date: "Date",
    seal: "Seal",
    blank_date: "",
    no_gaps: "There are no gaps.",
    no_plan: "No remediation actions are recorded.",
    map: "Safety measures for specific personal information, coloured by the assessed status",
    unknown_items: "Results for IDs the catalog does not have",
    not_signed: "Not signed off",
};

/// The computed content of a report, shared by the three formats.
pub(crate) struct View<'a> {
    pub r: AssessmentReport<'a>,
    pub l: &'static Labels,
    pub ev: Evaluation<'a, 'a>,
    pub statuses: Vec<MeasureStatus<'a>>,
    pub ppc: Option<Vec<MeasureCoverage<'a>>>,
    pub diff: Option<CatalogDiff<'a>>,
    pub plan: Vec<(&'a Item, Remediation)>,
}

impl<'a> View<'a> {
    pub fn new(r: &AssessmentReport<'a>) -> View<'a> {
        let (catalog, a) = (r.catalog, r.assessment);
        let diff = r
            .base
            .filter(|b| {
                catalog
                    .items
                    .iter()
                    .any(|i| i.twins.iter().any(|t| t.catalog == b.id))
            })
            .map(|b| compare(b, catalog));
        View {
            r: *r,
            l: match r.lang {
                Lang::Ja => &JA,
                Lang::En => &EN,
            },
            ev: evaluate(catalog, a),
            statuses: measure_statuses(catalog, a),
            ppc: r.ppc.map(|p| coverage(p, catalog, a)),
            diff,
            plan: remediation_plan(catalog, a),
        }
    }

    pub fn lang(&self) -> Lang {
        self.r.lang
    }

    /// A date as the report prints it: with 和暦 in Japanese, ISO in English.
    pub fn date(&self, d: Date) -> String {
        match self.r.lang {
            Lang::Ja => date_with_wareki(d),
            Lang::En => d.to_string(),
        }
    }

    /// `signed_at` (a timestamp or a date as stored) printed like the other dates.
    pub fn signed_date(&self) -> String {
        let Some(s) = self.r.assessment.signed_at.as_deref() else {
            return String::new();
        };
        match s.get(..10).and_then(|d| d.parse::<Date>().ok()) {
            Some(d) => self.date(d),
            None => s.to_owned(),
        }
    }

    /// The report title: the assessment's title followed by 評価報告書.
    pub fn title(&self) -> String {
        match self.r.lang {
            Lang::Ja => format!("{}　{}", self.r.assessment.title, self.l.report),
            Lang::En => format!("{}: {}", self.l.report, self.r.assessment.title),
        }
    }

    /// `key：value` in Japanese, `key: value` in English.
    pub fn kv(&self, key: &str, value: &str) -> String {
        match self.r.lang {
            Lang::Ja => format!("{key}：{value}"),
            Lang::En => format!("{key}: {value}"),
        }
    }

    /// `text（note）` in Japanese, `text (note)` in English.
    pub fn paren(&self, text: &str, note: &str) -> String {
        match self.r.lang {
            Lang::Ja => format!("{text}（{note}）"),
            Lang::En => format!("{text} ({note})"),
        }
    }

    /// The approval line of a signed-off assessment (`None` before sign-off).
    pub fn approval(&self) -> Option<String> {
        let a = self.r.assessment;
        match (a.state, &a.signed_by) {
            (mamori_assess::State::SignedOff, Some(by)) => Some(self.kv(
                self.l.signed,
                &self.paren(&format!("{} {by}", self.l.ciso), &self.signed_date()),
            )),
            _ => None,
        }
    }

    pub fn catalog_name(&self) -> String {
        self.paren(self.r.catalog.title.get(self.r.lang), &self.r.catalog.id)
    }

    pub fn overall(&self) -> &'static str {
        self.ev.overall.name(self.r.lang)
    }

    pub fn compliant(&self) -> bool {
        self.ev.overall == Overall::Compliant
    }

    /// The overall result with the reason, e.g. `不適合（必須要件 3 件が未充足）`.
    pub fn overall_line(&self) -> String {
        let n = self.ev.blocking;
        match (self.r.lang, n) {
            (Lang::Ja, 0) => format!("{}（必須要件はすべて充足）", self.overall()),
            (Lang::Ja, n) => format!("{}（必須要件 {n} 件が未充足）", self.overall()),
            (Lang::En, 0) => format!("{} (every required item is met)", self.overall()),
            (Lang::En, n) => format!("{} ({n} required item(s) not met)", self.overall()),
        }
    }

    /// The key/value rows of the summary.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let (a, l) = (self.r.assessment, self.l);
        let signed = match (&a.signed_by, a.state) {
            (Some(by), mamori_assess::State::SignedOff) => {
                format!("{by} {}", self.signed_date()).trim().to_owned()
            }
            _ => l.not_signed.to_owned(),
        };
        vec![
            (l.organisation, self.r.organisation.to_owned()),
            (l.assessment, a.title.clone()),
            (l.target, a.target.label(self.r.lang)),
            (l.catalog, self.catalog_name()),
            (l.date, self.date(a.date)),
            (l.generated, self.date(self.r.generated)),
            (l.state, a.state.name(self.r.lang).to_owned()),
            (l.version, a.version_no.to_string()),
            (l.created_by, a.created_by.clone()),
            (l.signed, signed),
            (
                l.evidence_limit,
                match self.r.lang {
                    Lang::Ja => format!("{} 日", a.evidence_max_age_days),
                    Lang::En => format!("{} days", a.evidence_max_age_days),
                },
            ),
            (l.overall, self.overall_line()),
        ]
    }

    pub fn obligation(&self, o: Option<Obligation>) -> &'static str {
        o.map_or("—", |o| o.name(self.r.lang))
    }

    pub fn category(&self, item: &Item) -> String {
        self.r
            .catalog
            .category_of(item)
            .map(|g| g.name.get(self.r.lang).to_owned())
            .unwrap_or_default()
    }

    /// The innermost group under the category (e.g. 認証方式), empty when there is none.
    pub fn subcategory(&self, item: &Item) -> String {
        let path = self.r.catalog.group_path(item);
        if path.len() < 2 {
            return String::new();
        }
        path.last()
            .map(|g| g.name.get(self.r.lang).to_owned())
            .unwrap_or_default()
    }

    pub fn item_title(&self, item: &Item) -> String {
        item.title.get(self.r.lang).to_owned()
    }

    pub fn requirement_text(&self, item: &Item) -> String {
        item.requirement
            .as_ref()
            .map(|t| t.get(self.r.lang).to_owned())
            .unwrap_or_default()
    }

    pub fn reason(&self, r: GapReason) -> &'static str {
        r.name(self.r.lang)
    }

    /// A remediation in one line: action, owner, due date, status.
    pub fn remediation(&self, r: &Remediation) -> String {
        let mut parts = vec![r.action.clone()];
        if !r.owner.is_empty() {
            parts.push(self.kv(self.l.owner, &r.owner));
        }
        if let Some(d) = r.due {
            parts.push(self.kv(self.l.due, &self.date(d)));
        }
        parts.push(r.status.name(self.r.lang).to_owned());
        parts.join(" / ")
    }

    /// Tally rows: one per 区分 and a total, each with the outcome counts, met, total.
    pub fn tally_rows(&self) -> Vec<(String, Vec<usize>)> {
        let mut rows = Vec::new();
        for (o, t) in Obligation::ALL.iter().zip(&self.ev.by_obligation) {
            rows.push((o.name(self.r.lang).to_owned(), counts(t)));
        }
        rows.push((self.l.total.to_owned(), counts(&self.ev.tally)));
        rows
    }

    /// Header of the tally table (after the first column).
    pub fn tally_headers(&self) -> Vec<&'static str> {
        let mut h: Vec<&str> = Outcome::ALL.iter().map(|o| o.name(self.r.lang)).collect();
        h.push(self.l.met);
        h.push(self.l.total);
        h
    }

    /// The evidence of one result, one line each with its kind and collection date (with 和暦
    /// in Japanese), and the stale ones (collected more than `evidence_max_age_days` before the
    /// assessment date, as [`evaluate`] finds them) with their age.
    pub fn evidence_lines(&self, item: &Item) -> (usize, String, String) {
        let a = self.r.assessment;
        let Some(res) = a.result_ref(&item.id) else {
            return (0, String::new(), String::new());
        };
        let sep = match self.r.lang {
            Lang::Ja => "、",
            Lang::En => ", ",
        };
        let titles = res
            .evidence
            .iter()
            .map(|e| {
                self.paren(
                    &e.title,
                    &format!("{}{sep}{}", e.kind.name(self.r.lang), self.date(e.added_on)),
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let stale = self
            .ev
            .stale
            .iter()
            .filter(|s| s.item == item.id)
            .map(|s| match self.r.lang {
                Lang::Ja => format!("{}（{} 日経過）", s.evidence.title, s.age_days),
                Lang::En => format!("{} ({} days old)", s.evidence.title, s.age_days),
            })
            .collect::<Vec<_>>()
            .join("\n");
        (res.evidence.len(), titles, stale)
    }

    /// The requirements behind a PPC measure, one per line: `MN-01 通信の暗号化：適合`.
    pub fn implementing(&self, c: &MeasureCoverage) -> String {
        c.requirements
            .iter()
            .map(|(id, outcome, _)| {
                let title = self
                    .r
                    .catalog
                    .item(id)
                    .map(|i| self.item_title(i))
                    .unwrap_or_default();
                match self.r.lang {
                    Lang::Ja => format!("{id} {title}：{}", outcome.name(Lang::Ja)),
                    Lang::En => format!("{id} {title}: {}", outcome.name(Lang::En)),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn circled_list(numbers: &[u8]) -> String {
        numbers
            .iter()
            .map(|n| crate::map::circled(*n))
            .collect::<Vec<_>>()
            .join("")
    }

    /// The map as SVG; badges link to `link(number)` when given.
    pub fn map_svg(&self, link: Option<&dyn Fn(u8) -> String>) -> Option<String> {
        if self.r.catalog.measures.is_empty() {
            return None;
        }
        Some(crate::map::safety_map_svg(
            self.r.catalog,
            &self.statuses,
            self.r.lang,
            link,
        ))
    }

    /// One line counting the difference view: pairs, only in this catalog, only in the base,
    /// pairs whose 区分 differs.
    pub fn diff_summary(&self) -> Option<String> {
        let d = self.diff.as_ref()?;
        let l = self.l;
        let differs = d.pairs.iter().filter(|p| p.obligation_differs).count();
        let parts = [
            (l.pair, d.pairs.len()),
            (l.only_derived, d.only_derived.len()),
            (l.only_base, d.only_base.len()),
            (l.obligation_differs, differs),
        ];
        Some(match self.r.lang {
            Lang::Ja => parts
                .iter()
                .map(|(k, n)| format!("{k} {n} 件"))
                .collect::<Vec<_>>()
                .join("、"),
            Lang::En => parts
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect::<Vec<_>>()
                .join("; "),
        })
    }

    /// The rows of the difference view: kind, derived ID, title, 区分, base IDs, base titles,
    /// base 区分, whether the 区分 differs.
    pub fn diff_rows(&self) -> Vec<[String; 8]> {
        let Some(d) = &self.diff else {
            return Vec::new();
        };
        let l = self.l;
        let mut rows = Vec::new();
        for p in &d.pairs {
            rows.push([
                l.pair.to_owned(),
                p.derived.id.clone(),
                self.item_title(p.derived),
                self.obligation(p.derived.obligation).to_owned(),
                p.base
                    .iter()
                    .map(|b| b.id.clone())
                    .collect::<Vec<_>>()
                    .join("\n"),
                p.base
                    .iter()
                    .map(|b| self.item_title(b))
                    .collect::<Vec<_>>()
                    .join("\n"),
                p.base
                    .iter()
                    .map(|b| self.obligation(b.obligation))
                    .collect::<Vec<_>>()
                    .join("\n"),
                if p.obligation_differs {
                    l.yes.to_owned()
                } else {
                    String::new()
                },
            ]);
        }
        for i in &d.only_derived {
            rows.push([
                l.only_derived.to_owned(),
                i.id.clone(),
                self.item_title(i),
                self.obligation(i.obligation).to_owned(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for i in &d.only_base {
            rows.push([
                l.only_base.to_owned(),
                String::new(),
                String::new(),
                String::new(),
                i.id.clone(),
                self.item_title(i),
                self.obligation(i.obligation).to_owned(),
                String::new(),
            ]);
        }
        rows
    }
}

fn counts(t: &mamori_assess::Tally) -> Vec<usize> {
    let mut v: Vec<usize> = Outcome::ALL.iter().map(|o| t.count(*o)).collect();
    v.push(t.met);
    v.push(t.total());
    v
}
