//! Compliance assessments: the list and creation form, the detail page (header, safety-measure
//! map, requirements by category), one page (or htmx panel) per requirement to record the
//! result, evidence and remediation, the review/sign-off workflow, copy-forward, evidence
//! downloads (re-hashed on every read) and the reports.
//!
//! Every change goes through `mamori_assess::workflow` first and then through the store, which
//! audits it and refuses it unless the assessment is a draft.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use mamori_assess::workflow::{self, AssessError};
use mamori_assess::{
    Assessment, DEFAULT_EVIDENCE_MAX_AGE_DAYS, Evidence, EvidenceKind, FileRef, ItemResult,
    Outcome, Remediation, RemediationStatus, State as AState, Target, evaluate, measure_statuses,
    segment_name,
};
use mamori_catalog::{Catalog, Item, Lang, Obligation};
use mamori_model::{Permission, Segment};
use mamori_store::StoreError;
use mamori_store::app::{SystemQuery, SystemSort};
use mamori_store::assess::{AssessmentSummary, NewAssessment, NewEvidence};
use mamori_store::evidence_store::EvidenceError;
use sha2::Digest;

use crate::view::{self, Page, Res, render, see_other};
use crate::{AppState, Identity, auth};

const TITLE_MAX: usize = 200;
const NOTE_MAX: usize = 4000;
const ACTION_MAX: usize = 1000;
const OWNER_MAX: usize = 200;

fn ie(lang: Lang) -> impl Fn(StoreError) -> Response {
    move |e| view::internal(lang, false, &e)
}

/// Today in Japan (the date new evidence is collected on, the default assessment date).
fn today(st: &AppState) -> Date {
    let jst = jiff::tz::TimeZone::fixed(jiff::tz::offset(9));
    st.now().to_zoned(jst).date()
}

/// `1,048,576 bytes` → `1 MiB`-style text for limits.
fn size_text(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MB", n >> 20)
    } else if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / f64::from(1u32 << 20))
    } else if n >= 1024 {
        format!("{} KB", n.div_ceil(1024))
    } else {
        format!("{n} B")
    }
}

/// An assessment error in the user's language.
fn message(lang: Lang, e: &AssessError) -> String {
    let t = |k: &str| crate::i18n::t(lang, k).to_owned();
    match e {
        AssessError::UnknownRequirement { .. } => t("error.unknown_requirement"),
        AssessError::UnknownCatalog(_) => t("assess_error.unknown_catalog"),
        AssessError::CopyNotSignedOff(_) => t("assess_error.copy_not_signed_off"),
        AssessError::UnknownOutcome { .. } => t("assess_error.unknown_outcome"),
        AssessError::UnknownRemediationStatus { .. } => t("error.invalid_choice"),
        AssessError::BadDate { .. } => t("assess_error.bad_date"),
        AssessError::Locked(_) => t("assess_error.locked"),
        AssessError::InReview => t("assess_error.in_review"),
        AssessError::BadTransition { .. } => t("assess_error.bad_transition"),
        AssessError::Incomplete(ids) => {
            let shown: Vec<&str> = ids.iter().take(10).map(String::as_str).collect();
            let more = if ids.len() > 10 { " …" } else { "" };
            t("assess_error.incomplete")
                .replace("{n}", &ids.len().to_string())
                .replace("{ids}", &format!("{}{more}", shown.join(", ")))
        }
        AssessError::JustificationRequired(_) => t("assess_error.justification_required"),
        AssessError::BadInput(s) => format!("{}（{s}）", t("error_page.invalid")),
        AssessError::EmptyFile => t("assess_error.empty_file"),
        AssessError::TooLarge { limit, .. } => {
            t("assess_error.too_large").replace("{limit}", &size_text(*limit))
        }
        AssessError::BadContentType { reason, .. } => {
            format!("{}（{reason}）", t("assess_error.bad_type"))
        }
    }
}

fn target_label(t: &Target, lang: Lang) -> String {
    t.label(lang)
}

fn summary_target(s: &AssessmentSummary, lang: Lang) -> String {
    match (&s.segment, &s.system_name) {
        (Some(seg), _) => Segment::parse(seg)
            .map_or_else(|| seg.clone(), |seg| segment_name(seg, lang).to_owned()),
        (None, Some(name)) => name.clone(),
        (None, None) => "—".into(),
    }
}

fn catalog_title(st: &AppState, id: &str, lang: Lang) -> String {
    st.catalogs
        .get(id)
        .map_or_else(|| id.to_owned(), |c| c.title.get(lang).to_owned())
}

fn assessable(st: &AppState) -> Vec<&Catalog> {
    st.catalogs
        .iter()
        .filter(|c| mamori_assess::is_assessable(c))
        .collect()
}

async fn load(st: &AppState, lang: Lang, id: i64) -> Result<Assessment, Response> {
    st.db
        .assessment(id)
        .await
        .map_err(ie(lang))?
        .ok_or_else(|| view::not_found(lang, false))
}

fn catalog_of<'a>(st: &'a AppState, lang: Lang, a: &Assessment) -> Result<&'a Catalog, Response> {
    st.catalogs
        .get(&a.catalog)
        .ok_or_else(|| view::internal(lang, false, &format!("catalog {} not loaded", a.catalog)))
}

fn obligation_key(o: Option<Obligation>) -> &'static str {
    o.map_or("", Obligation::key)
}

fn outcome_class(o: Outcome) -> &'static str {
    match o {
        Outcome::Compliant => "oc-ok",
        Outcome::Partial => "oc-partial",
        Outcome::NonCompliant => "oc-ng",
        Outcome::NotApplicable => "oc-na",
        Outcome::NotAssessed => "oc-none",
    }
}

fn circled(n: u8) -> String {
    match n {
        1..=20 => {
            char::from_u32(0x2460 + u32::from(n) - 1).map_or_else(|| n.to_string(), String::from)
        }
        _ => n.to_string(),
    }
}

// ---- list and creation ----------------------------------------------------------------------

struct ListRow {
    id: i64,
    title: String,
    target: String,
    catalog: String,
    date: String,
    state: &'static str,
    state_key: &'static str,
    version: u32,
    assessed: usize,
    total: usize,
    overall: &'static str,
    overall_key: &'static str,
}

struct Choice {
    value: String,
    label: String,
}

#[derive(Default, Clone, serde::Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    catalog: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    max_age: String,
    #[serde(default)]
    copy_from: String,
}

#[derive(Template)]
#[template(path = "assess_list.html")]
struct ListPage {
    p: Page,
    rows: Vec<ListRow>,
    catalogs: Vec<Choice>,
    targets: Vec<Choice>,
    previous: Vec<Choice>,
    f: CreateForm,
    errors: Vec<(&'static str, String)>,
}

impl ListPage {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn list_page(
    st: &AppState,
    ident: &Identity,
    f: CreateForm,
    errors: Vec<(&'static str, String)>,
    done: Option<&str>,
) -> Res {
    let lang = ident.lang;
    let summaries = st.db.assessments().await.map_err(ie(lang))?;
    let mut rows = Vec::new();
    let mut previous = Vec::new();
    for s in &summaries {
        let full = st.db.assessment(s.id).await.map_err(ie(lang))?;
        let (total, assessed, overall) = match (full, st.catalogs.get(&s.catalog)) {
            (Some(a), Some(c)) => {
                let ev = evaluate(c, &a);
                let total = ev.tally.total();
                (
                    total,
                    total - ev.tally.count(Outcome::NotAssessed),
                    Some(ev.overall),
                )
            }
            _ => (0, usize::try_from(s.assessed).unwrap_or(0), None),
        };
        let date = s
            .date
            .parse::<Date>()
            .map_or_else(|_| s.date.clone(), mamori_export::date_with_wareki);
        previous.push(Choice {
            value: s.id.to_string(),
            label: format!("{} (v{}, {})", s.title, s.version_no, s.date),
        });
        rows.push(ListRow {
            id: s.id,
            title: s.title.clone(),
            target: summary_target(s, lang),
            catalog: catalog_title(st, &s.catalog, lang),
            date,
            state: s.state.name(lang),
            state_key: s.state.key(),
            version: s.version_no,
            assessed,
            total,
            overall: overall.map_or("—", |o| o.name(lang)),
            overall_key: overall.map_or("", |o| o.key()),
        });
    }
    let catalogs = assessable(st)
        .into_iter()
        .map(|c| Choice {
            value: c.id.clone(),
            label: format!("{}（{}）", c.title.get(lang), c.id),
        })
        .collect();
    let mut targets: Vec<Choice> = Segment::ALL
        .iter()
        .map(|s| Choice {
            value: format!("segment:{}", s.key()),
            label: segment_name(*s, lang).to_owned(),
        })
        .collect();
    let systems = st
        .db
        .list_systems(&SystemQuery {
            sort: SystemSort::Name,
            per_page: 200,
            ..SystemQuery::default()
        })
        .await
        .map_err(ie(lang))?;
    for s in systems.items {
        targets.push(Choice {
            value: format!("system:{}", s.id),
            label: format!(
                "{}：{}",
                crate::i18n::t(lang, "assess.system"),
                s.system.name
            ),
        });
    }
    let mut f = f;
    if f.date.is_empty() {
        f.date = today(st).to_string();
    }
    if f.max_age.is_empty() {
        f.max_age = DEFAULT_EVIDENCE_MAX_AGE_DAYS.to_string();
    }
    let failed = !errors.is_empty();
    let res = render(&ListPage {
        p: Page::new(ident, "assess.title", "assessments").with_flash(done),
        rows,
        catalogs,
        targets,
        previous,
        f,
        errors,
    });
    Ok(crate::pages::unprocessable_if(failed, res))
}

pub async fn list(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    list_page(
        &st,
        &ident,
        CreateForm::default(),
        Vec::new(),
        q.get("done").map(String::as_str),
    )
    .await
}

pub async fn create(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Form(f): Form<CreateForm>,
) -> Res {
    let lang = ident.lang;
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let title = f.title.trim().to_owned();
    if let Err(e) = workflow::check_text("title", &title, TITLE_MAX, true) {
        errors.push(("title", message(lang, &e)));
    }
    let catalog = assessable(&st)
        .into_iter()
        .find(|c| c.id == f.catalog)
        .map(|c| c.id.clone());
    if catalog.is_none() {
        errors.push((
            "catalog",
            crate::i18n::t(lang, "error.invalid_choice").into(),
        ));
    }
    let target = match f.target.split_once(':') {
        Some(("segment", s)) => Segment::parse(s).map(|segment| Target::Segment { segment }),
        Some(("system", id)) => match id.parse::<i64>() {
            Ok(id) => st
                .db
                .system(id)
                .await
                .map_err(ie(lang))?
                .map(|r| Target::System {
                    id,
                    name: r.system.name,
                }),
            Err(_) => None,
        },
        _ => None,
    };
    if target.is_none() {
        errors.push((
            "target",
            crate::i18n::t(lang, "error.invalid_choice").into(),
        ));
    }
    let date = match workflow::parse_date(&f.date) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(("date", message(lang, &e)));
            None
        }
    };
    let max_age = match f.max_age.trim().parse::<u32>() {
        Ok(n) if (1..=3650).contains(&n) => Some(n),
        _ => {
            errors.push((
                "max_age",
                crate::i18n::t(lang, "assess_error.max_age").into(),
            ));
            None
        }
    };
    let copy_from = match f.copy_from.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) => match st.db.assessment(id).await.map_err(ie(lang))? {
                Some(prev) if prev.state != AState::SignedOff => {
                    errors.push((
                        "copy_from",
                        crate::i18n::t(lang, "assess_error.copy_not_signed_off").into(),
                    ));
                    None
                }
                Some(prev) if Some(&prev.catalog) == catalog.as_ref() => Some(id),
                Some(_) => {
                    errors.push((
                        "copy_from",
                        crate::i18n::t(lang, "assess_error.copy_catalog").into(),
                    ));
                    None
                }
                None => {
                    errors.push((
                        "copy_from",
                        crate::i18n::t(lang, "error.invalid_choice").into(),
                    ));
                    None
                }
            },
            Err(_) => {
                errors.push((
                    "copy_from",
                    crate::i18n::t(lang, "error.invalid_choice").into(),
                ));
                None
            }
        },
    };
    let (Some(catalog), Some(target), Some(date), Some(max_age), true) =
        (catalog, target, date, max_age, errors.is_empty())
    else {
        return Err(list_page(&st, &ident, f, errors, None).await?);
    };
    let catalog_version = st
        .catalogs
        .get(&catalog)
        .map(|c| c.version.clone())
        .unwrap_or_default();
    let n = NewAssessment {
        title,
        catalog,
        catalog_version,
        target,
        date,
        evidence_max_age_days: max_age,
        copy_from,
    };
    match st
        .db
        .create_assessment(&n, &st.actor(ident.username()))
        .await
    {
        Ok(id) => Ok(see_other(&format!("/assessments/{id}?done=created"))),
        Err(StoreError::Invalid(field)) => {
            let field: &'static str = match field.as_str() {
                "system" => "target",
                "catalog" | "copy_from" | "target" => "copy_from",
                _ => "title",
            };
            let errors = vec![(
                field,
                crate::i18n::t(lang, "error.invalid_choice").to_owned(),
            )];
            Err(list_page(&st, &ident, f, errors, None).await?)
        }
        Err(StoreError::Conflict(c)) => {
            let key = if c == "version" {
                "assess_error.copy_has_successor"
            } else {
                "assess_error.copy_not_signed_off"
            };
            let errors = vec![("copy_from", crate::i18n::t(lang, key).to_owned())];
            Err(list_page(&st, &ident, f, errors, None).await?)
        }
        Err(e) => Err(view::internal(lang, false, &e)),
    }
}

// ---- the detail page --------------------------------------------------------------------------

struct ReqRow {
    id: String,
    title: String,
    obligation: &'static str,
    obligation_key: &'static str,
    outcome: &'static str,
    outcome_class: &'static str,
    evidence: usize,
    stale: bool,
    remediation: bool,
    measures: String,
}

struct CategoryView {
    name: String,
    rows: Vec<ReqRow>,
    met: usize,
    total: usize,
}

struct MeasureView {
    number: u8,
    label: String,
    name: String,
    status: &'static str,
    status_key: &'static str,
    items: Vec<String>,
}

struct Header {
    id: i64,
    title: String,
    target: String,
    catalog: String,
    catalog_id: String,
    date: String,
    state: &'static str,
    state_key: &'static str,
    version: u32,
    previous: Option<i64>,
    created_by: String,
    signed_by: String,
    signed_at: String,
    max_age: u32,
}

fn header(st: &AppState, a: &Assessment, lang: Lang) -> Header {
    Header {
        id: a.id,
        title: a.title.clone(),
        target: target_label(&a.target, lang),
        catalog: catalog_title(st, &a.catalog, lang),
        catalog_id: a.catalog.clone(),
        date: mamori_export::date_with_wareki(a.date),
        state: a.state.name(lang),
        state_key: a.state.key(),
        version: a.version_no,
        previous: a.previous,
        created_by: a.created_by.clone(),
        signed_by: a.signed_by.clone().unwrap_or_default(),
        signed_at: a
            .signed_at
            .as_deref()
            .map(view::short_time)
            .unwrap_or_default(),
        max_age: a.evidence_max_age_days,
    }
}

#[derive(Template)]
#[template(path = "assess_detail.html")]
struct DetailPage {
    p: Page,
    h: Header,
    overall: &'static str,
    overall_key: &'static str,
    blocking: usize,
    assessed: usize,
    total: usize,
    stale: usize,
    counts: Vec<(&'static str, &'static str, usize)>,
    categories: Vec<CategoryView>,
    map_svg: Option<String>,
    measures: Vec<MeasureView>,
    unknown: Vec<String>,
    version_note: Option<String>,
    error: Option<String>,
}

async fn detail_page(
    st: &AppState,
    ident: &Identity,
    id: i64,
    error: Option<String>,
    status: StatusCode,
    done: Option<&str>,
) -> Res {
    let lang = ident.lang;
    let a = load(st, lang, id).await?;
    let cat = catalog_of(st, lang, &a)?;
    let ev = evaluate(cat, &a);
    let stale_items: Vec<&str> = ev.stale.iter().map(|s| s.item.as_str()).collect();
    let mut categories: Vec<CategoryView> = Vec::new();
    for item in &cat.items {
        let group = cat.category_of(item);
        let name = group.map_or_else(
            || crate::i18n::t(lang, "assess.uncategorised").to_owned(),
            |g| g.name.get(lang).to_owned(),
        );
        let r = a.result_ref(&item.id);
        let outcome = a.outcome(&item.id);
        let row = ReqRow {
            id: item.id.clone(),
            title: item.title.get(lang).to_owned(),
            obligation: item.obligation.map_or("", |o| o.name(lang)),
            obligation_key: obligation_key(item.obligation),
            outcome: outcome.name(lang),
            outcome_class: outcome_class(outcome),
            evidence: r.map_or(0, |r| r.evidence.len()),
            stale: stale_items.contains(&item.id.as_str()),
            remediation: r.is_some_and(|r| r.remediation.is_some()),
            measures: item.measures.iter().map(|n| circled(*n)).collect(),
        };
        let met = usize::from(a.is_met(&item.id));
        match categories.iter_mut().find(|c| c.name == name) {
            Some(c) => {
                c.rows.push(row);
                c.met += met;
                c.total += 1;
            }
            None => categories.push(CategoryView {
                name,
                rows: vec![row],
                met,
                total: 1,
            }),
        }
    }
    let statuses = measure_statuses(cat, &a);
    let measures = statuses
        .iter()
        .map(|m| MeasureView {
            number: m.number,
            label: circled(m.number),
            name: m.measure.name.get(lang).to_owned(),
            status: m.status.name(lang),
            status_key: m.status.key(),
            items: m.items.clone(),
        })
        .collect();
    let map_svg = map_svg(cat, &statuses, lang);
    let map_style = map_svg.as_deref().and_then(inline_style);
    let counts = Outcome::ALL
        .iter()
        .map(|o| (o.name(lang), outcome_class(*o), ev.tally.count(*o)))
        .collect();
    let total = ev.tally.total();
    let mut res = render(&DetailPage {
        p: Page::new(ident, "assess.detail_title", "assessments").with_flash(done),
        h: header(st, &a, lang),
        overall: ev.overall.name(lang),
        overall_key: ev.overall.key(),
        blocking: ev.blocking,
        assessed: total - ev.tally.count(Outcome::NotAssessed),
        total,
        stale: ev.stale.len(),
        counts,
        categories,
        map_svg,
        measures,
        unknown: ev.unknown_items.clone(),
        version_note: mamori_assess::catalog_version_note(&a, cat).map(|_| {
            crate::i18n::t(lang, "assess.catalog_version_changed")
                .replace("{then}", &a.catalog_version)
                .replace("{now}", &cat.version)
        }),
        error,
    });
    *res.status_mut() = status;
    if let Some(csp) = csp_with_map_style(map_style.as_deref()) {
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    Ok(res)
}

/// The inline `<style>` of the map SVG (allowed by its hash, not by `unsafe-inline`).
fn inline_style(svg: &str) -> Option<String> {
    let start = svg.find("<style>")? + "<style>".len();
    let len = svg[start..].find("</style>")?;
    Some(svg[start..start + len].to_owned())
}

/// The page's CSP with `'sha256-…'` of the map's style added to `style-src`.
fn csp_with_map_style(style: Option<&str>) -> Option<HeaderValue> {
    let style = style?;
    let digest = sha2::Sha256::digest(style.as_bytes());
    let csp = crate::CSP.replacen(
        "style-src 'self'",
        &format!("style-src 'self' 'sha256-{}'", base64(&digest)),
        1,
    );
    HeaderValue::from_str(&csp).ok()
}

/// Standard base64 with padding (for CSP hash sources).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The safety-measure map as inline SVG (measures link to `#m{n}`), when the catalog has
/// measures.
fn map_svg(
    cat: &Catalog,
    statuses: &[mamori_assess::MeasureStatus<'_>],
    lang: Lang,
) -> Option<String> {
    if cat.measures.is_empty() {
        return None;
    }
    let link = |n: u8| format!("#m{n}");
    let statuses: Vec<mamori_assess::MeasureStatus<'_>> = statuses.to_vec();
    Some(mamori_export::safety_map_svg(
        cat,
        &statuses,
        lang,
        Some(&link),
    ))
}

pub async fn detail(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    detail_page(
        &st,
        &ident,
        id,
        None,
        StatusCode::OK,
        q.get("done").map(String::as_str),
    )
    .await
}

// ---- one requirement ------------------------------------------------------------------------

struct EvidenceView {
    id: i64,
    kind: &'static str,
    kind_key: &'static str,
    title: String,
    url: String,
    note: String,
    file_name: String,
    size: String,
    sha: String,
    added: String,
    added_by: String,
    stale: bool,
}

#[derive(Default)]
struct ItemForm {
    outcome: String,
    comment: String,
    ev_kind: String,
    ev_title: String,
    ev_url: String,
    ev_note: String,
    up_title: String,
    up_note: String,
    action: String,
    owner: String,
    due: String,
    rstatus: String,
}

/// What the requirement page and its htmx panel show.
struct ItemView {
    aid: i64,
    a_title: String,
    state: &'static str,
    editable: bool,
    id: String,
    title: String,
    requirement: String,
    remarks: String,
    obligation: &'static str,
    obligation_key: &'static str,
    category: String,
    outcome: &'static str,
    outcome_class: &'static str,
    evidence: Vec<EvidenceView>,
    has_remediation: bool,
    outcomes: Vec<Choice>,
    statuses: Vec<Choice>,
    f: ItemForm,
    errors: Vec<(&'static str, String)>,
    limit: String,
    prev_item: String,
    next_item: String,
}

impl ItemView {
    fn status_label(&self) -> &str {
        self.statuses
            .iter()
            .find(|s| s.value == self.f.rstatus)
            .map_or("", |s| s.label.as_str())
    }

    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Template)]
#[template(path = "assess_item.html")]
struct ItemPage {
    p: Page,
    v: ItemView,
}

#[derive(Template)]
#[template(path = "assess_panel.html")]
struct ItemPanel {
    p: Page,
    v: ItemView,
}

fn item_of<'c>(cat: &'c Catalog, item: &str, lang: Lang) -> Result<&'c Item, Response> {
    workflow::requirement(cat, item).map_err(|_| {
        view::error_response(StatusCode::NOT_FOUND, lang, false, "unknown_requirement")
    })
}

fn evidence_view(e: &Evidence, a: &Assessment, lang: Lang) -> EvidenceView {
    let age = mamori_assess::evidence_age_days(e.added_on, a.date);
    EvidenceView {
        id: e.id,
        kind: e.kind.name(lang),
        kind_key: e.kind.key(),
        title: e.title.clone(),
        url: e.url.clone().unwrap_or_default(),
        note: e.note.clone(),
        file_name: e.file.as_ref().map(|f| f.name.clone()).unwrap_or_default(),
        size: e
            .file
            .as_ref()
            .map(|f| size_text(f.size))
            .unwrap_or_default(),
        sha: e
            .file
            .as_ref()
            .map(|f| f.sha256.chars().take(16).collect())
            .unwrap_or_default(),
        added: e.added_on.to_string(),
        added_by: e.added_by.clone(),
        stale: age > i64::from(a.evidence_max_age_days),
    }
}

#[allow(clippy::too_many_arguments)]
async fn item_page(
    st: &AppState,
    ident: &Identity,
    id: i64,
    item: &str,
    form: Option<ItemForm>,
    errors: Vec<(&'static str, String)>,
    status: StatusCode,
    done: Option<&str>,
    partial: bool,
) -> Res {
    let lang = ident.lang;
    let a = load(st, lang, id).await?;
    let cat = catalog_of(st, lang, &a)?;
    let it = item_of(cat, item, lang)?;
    let r: ItemResult = a.result(&it.id);
    let pos = cat.items.iter().position(|i| i.id == it.id).unwrap_or(0);
    let f = form.unwrap_or_else(|| {
        let rem = r.remediation.clone();
        ItemForm {
            outcome: r.outcome.key().to_owned(),
            comment: r.comment.clone(),
            action: rem.as_ref().map(|m| m.action.clone()).unwrap_or_default(),
            owner: rem.as_ref().map(|m| m.owner.clone()).unwrap_or_default(),
            due: rem
                .as_ref()
                .and_then(|m| m.due)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            rstatus: rem
                .as_ref()
                .map_or(RemediationStatus::Open, |m| m.status)
                .key()
                .to_owned(),
            ev_kind: "url".into(),
            ..ItemForm::default()
        }
    });
    let v = ItemView {
        aid: a.id,
        a_title: a.title.clone(),
        state: a.state.name(lang),
        editable: a.state == AState::Draft && ident.can(Permission::EditAssessments),
        id: it.id.clone(),
        title: it.title.get(lang).to_owned(),
        requirement: it
            .requirement
            .as_ref()
            .map(|r| r.get(lang).to_owned())
            .unwrap_or_default(),
        remarks: it
            .remarks
            .as_ref()
            .map(|r| r.get(lang).to_owned())
            .unwrap_or_default(),
        obligation: it.obligation.map_or("", |o| o.name(lang)),
        obligation_key: obligation_key(it.obligation),
        category: cat
            .category_of(it)
            .map(|g| g.name.get(lang).to_owned())
            .unwrap_or_default(),
        outcome: r.outcome.name(lang),
        outcome_class: outcome_class(r.outcome),
        evidence: r
            .evidence
            .iter()
            .map(|e| evidence_view(e, &a, lang))
            .collect(),
        has_remediation: r.remediation.is_some(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| Choice {
                value: o.key().into(),
                label: o.name(lang).into(),
            })
            .collect(),
        statuses: RemediationStatus::ALL
            .iter()
            .map(|o| Choice {
                value: o.key().into(),
                label: o.name(lang).into(),
            })
            .collect(),
        f,
        errors,
        limit: size_text(st.upload_limit),
        prev_item: pos
            .checked_sub(1)
            .and_then(|i| cat.items.get(i))
            .map(|i| i.id.clone())
            .unwrap_or_default(),
        next_item: cat
            .items
            .get(pos + 1)
            .map(|i| i.id.clone())
            .unwrap_or_default(),
    };
    let p = Page::new(ident, "assess.item_title", "assessments").with_flash(done);
    let mut res = if partial {
        render(&ItemPanel { p, v })
    } else {
        render(&ItemPage { p, v })
    };
    *res.status_mut() = status;
    Ok(res)
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
}

pub async fn item(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path((id, item)): Path<(i64, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Res {
    item_page(
        &st,
        &ident,
        id,
        &item,
        None,
        Vec::new(),
        StatusCode::OK,
        q.get("done").map(String::as_str),
        is_htmx(&headers),
    )
    .await
}

/// The assessment, its catalog's requirement (404 if unknown) and whether it may change.
async fn editable(
    st: &AppState,
    ident: &Identity,
    id: i64,
    item: &str,
) -> Result<(Assessment, String, Option<String>), Response> {
    let lang = ident.lang;
    let a = load(st, lang, id).await?;
    let cat = catalog_of(st, lang, &a)?;
    let it = item_of(cat, item, lang)?;
    let locked = workflow::check_editable(a.state)
        .err()
        .map(|e| message(lang, &e));
    let item = it.id.clone();
    Ok((a, item, locked))
}

/// Shows the requirement page again with errors, keeping what was typed.
#[allow(clippy::too_many_arguments)]
async fn again(
    st: &AppState,
    ident: &Identity,
    id: i64,
    item: &str,
    f: ItemForm,
    errors: Vec<(&'static str, String)>,
    status: StatusCode,
) -> Response {
    match item_page(st, ident, id, item, Some(f), errors, status, None, false).await {
        Ok(r) | Err(r) => r,
    }
}

fn store_refusal(lang: Lang, e: StoreError) -> Result<String, Response> {
    match e {
        StoreError::Conflict(_) => Ok(crate::i18n::t(lang, "assess_error.locked").to_owned()),
        StoreError::NotFound => Err(view::not_found(lang, false)),
        e => Err(view::internal(lang, false, &e)),
    }
}

#[derive(serde::Deserialize)]
pub struct ResultForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    comment: String,
}

pub async fn set_result(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path((id, item)): Path<(i64, String)>,
    Form(f): Form<ResultForm>,
) -> Res {
    let lang = ident.lang;
    let (a, item, locked) = editable(&st, &ident, id, &item).await?;
    let form = ItemForm {
        outcome: f.outcome.clone(),
        comment: f.comment.clone(),
        ..ItemForm::default()
    };
    if let Some(m) = locked {
        return Err(again(
            &st,
            &ident,
            id,
            &item,
            form,
            vec![("form", m)],
            StatusCode::CONFLICT,
        )
        .await);
    }
    let cat = catalog_of(&st, lang, &a)?;
    let it = item_of(cat, &item, lang)?;
    let outcome = match workflow::parse_outcome(&f.outcome) {
        Ok(o) => o,
        Err(e) => {
            return Err(again(
                &st,
                &ident,
                id,
                &item,
                form,
                vec![("outcome", message(lang, &e))],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await);
        }
    };
    let comment = f.comment.trim();
    if let Err(e) = workflow::check_result(it, outcome, comment)
        .and_then(|()| workflow::check_text("comment", comment, NOTE_MAX, false))
    {
        return Err(again(
            &st,
            &ident,
            id,
            &item,
            form,
            vec![("comment", message(lang, &e))],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await);
    }
    match st
        .db
        .set_result(id, &item, outcome, comment, &st.actor(ident.username()))
        .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/assessments/{id}/items/{}?done=saved",
            crate::urlencode(&item)
        ))),
        Err(e) => {
            let m = store_refusal(lang, e)?;
            Err(again(
                &st,
                &ident,
                id,
                &item,
                form,
                vec![("form", m)],
                StatusCode::CONFLICT,
            )
            .await)
        }
    }
}

#[derive(serde::Deserialize)]
pub struct RemediationForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    status: String,
}

pub async fn set_remediation(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path((id, item)): Path<(i64, String)>,
    Form(f): Form<RemediationForm>,
) -> Res {
    let lang = ident.lang;
    let (_, item, locked) = editable(&st, &ident, id, &item).await?;
    let form = ItemForm {
        action: f.action.clone(),
        owner: f.owner.clone(),
        due: f.due.clone(),
        rstatus: f.status.clone(),
        ..ItemForm::default()
    };
    if let Some(m) = locked {
        return Err(again(
            &st,
            &ident,
            id,
            &item,
            form,
            vec![("form", m)],
            StatusCode::CONFLICT,
        )
        .await);
    }
    let (action, owner, due) = (f.action.trim(), f.owner.trim(), f.due.trim());
    let remediation = if action.is_empty() && owner.is_empty() && due.is_empty() {
        None
    } else {
        let mut errors = Vec::new();
        if let Err(e) = workflow::check_text("action", action, ACTION_MAX, true) {
            errors.push(("action", message(lang, &e)));
        }
        if let Err(e) = workflow::check_text("owner", owner, OWNER_MAX, false) {
            errors.push(("owner", message(lang, &e)));
        }
        let due = if due.is_empty() {
            None
        } else {
            match workflow::parse_date(due) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(("due", message(lang, &e)));
                    None
                }
            }
        };
        let status = match workflow::parse_remediation_status(&f.status) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.push(("rstatus", message(lang, &e)));
                None
            }
        };
        match (status, errors.is_empty()) {
            (Some(status), true) => Some(Remediation {
                action: action.to_owned(),
                owner: owner.to_owned(),
                due,
                status,
            }),
            _ => {
                return Err(again(
                    &st,
                    &ident,
                    id,
                    &item,
                    form,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await);
            }
        }
    };
    match st
        .db
        .set_remediation(id, &item, remediation.as_ref(), &st.actor(ident.username()))
        .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/assessments/{id}/items/{}?done=saved",
            crate::urlencode(&item)
        ))),
        Err(e) => {
            let m = store_refusal(lang, e)?;
            Err(again(
                &st,
                &ident,
                id,
                &item,
                form,
                vec![("form", m)],
                StatusCode::CONFLICT,
            )
            .await)
        }
    }
}

#[derive(serde::Deserialize)]
pub struct EvidenceForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    note: String,
}

/// A URL or a note as evidence.
pub async fn add_evidence(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path((id, item)): Path<(i64, String)>,
    Form(f): Form<EvidenceForm>,
) -> Res {
    let lang = ident.lang;
    let (_, item, locked) = editable(&st, &ident, id, &item).await?;
    let form = ItemForm {
        ev_kind: f.kind.clone(),
        ev_title: f.title.clone(),
        ev_url: f.url.clone(),
        ev_note: f.note.clone(),
        ..ItemForm::default()
    };
    if let Some(m) = locked {
        return Err(again(
            &st,
            &ident,
            id,
            &item,
            form,
            vec![("form", m)],
            StatusCode::CONFLICT,
        )
        .await);
    }
    let (title, url, note) = (f.title.trim(), f.url.trim(), f.note.trim());
    let mut errors = Vec::new();
    if let Err(e) = workflow::check_text("title", title, TITLE_MAX, false) {
        errors.push(("ev_title", message(lang, &e)));
    }
    let kind = match f.kind.as_str() {
        "url" => {
            if let Err(e) = workflow::check_url(url) {
                errors.push(("ev_url", message(lang, &e)));
            }
            if let Err(e) = workflow::check_text("note", note, NOTE_MAX, false) {
                errors.push(("ev_note", message(lang, &e)));
            }
            EvidenceKind::Url
        }
        "note" => {
            if let Err(e) = workflow::check_text("note", note, NOTE_MAX, true) {
                errors.push(("ev_note", message(lang, &e)));
            }
            EvidenceKind::Note
        }
        _ => {
            errors.push((
                "ev_kind",
                crate::i18n::t(lang, "error.invalid_choice").into(),
            ));
            EvidenceKind::Note
        }
    };
    if !errors.is_empty() {
        return Err(again(
            &st,
            &ident,
            id,
            &item,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await);
    }
    let title = match (title.is_empty(), kind) {
        (false, _) => title.to_owned(),
        (true, EvidenceKind::Url) => url.to_owned(),
        (true, _) => note.chars().take(40).collect(),
    };
    let e = NewEvidence {
        kind,
        title,
        url: (kind == EvidenceKind::Url).then(|| url.to_owned()),
        note: note.to_owned(),
        file: None,
        analyzer: None,
        added_on: today(&st),
    };
    save_evidence(&st, &ident, id, &item, &e, form).await
}

/// A file as evidence (multipart: csrf, title, note, file). The access middleware leaves the
/// CSRF check of multipart bodies to this handler (see `auth::MULTIPART_ROUTES`).
pub async fn upload(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path((id, item)): Path<(i64, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Res {
    let lang = ident.lang;
    let mut mp = multipart
        .map_err(|_| view::error_response(StatusCode::BAD_REQUEST, lang, false, "invalid"))?;
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut read_error: Option<(StatusCode, String)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field.file_name().map(str::to_owned);
                match field.bytes().await {
                    Ok(b) => {
                        if name == "file" {
                            file = Some((file_name.unwrap_or_default(), b.to_vec()));
                        } else if b.len() <= 64 * 1024 {
                            fields.insert(name, String::from_utf8_lossy(&b).into_owned());
                        }
                    }
                    Err(e) => {
                        read_error = Some((e.status(), e.body_text()));
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                read_error = Some((e.status(), e.body_text()));
                break;
            }
        }
    }
    // The CSRF token must come with the form (it is the first field of the page's form, so
    // it has been read even when the file turned out too large).
    let sent = fields.get("csrf").cloned().unwrap_or_default();
    if ident.csrf.is_empty() || !auth::same_secret(&sent, &ident.csrf) {
        tracing::warn!("CSRF token missing or wrong on an upload");
        return Err(view::error_response(
            StatusCode::FORBIDDEN,
            lang,
            false,
            "csrf",
        ));
    }
    let (_, item, locked) = editable(&st, &ident, id, &item).await?;
    let form = ItemForm {
        up_title: fields.get("title").cloned().unwrap_or_default(),
        up_note: fields.get("note").cloned().unwrap_or_default(),
        ..ItemForm::default()
    };
    if let Some(m) = locked {
        return Err(again(
            &st,
            &ident,
            id,
            &item,
            form,
            vec![("form", m)],
            StatusCode::CONFLICT,
        )
        .await);
    }
    if let Some((status, detail)) = read_error {
        tracing::info!(%status, %detail, "upload refused while reading");
        let m = if status == StatusCode::PAYLOAD_TOO_LARGE {
            message(
                lang,
                &AssessError::TooLarge {
                    size: 0,
                    limit: st.upload_limit,
                },
            )
        } else {
            crate::i18n::t(lang, "error_page.invalid").to_owned()
        };
        return Err(again(&st, &ident, id, &item, form, vec![("file", m)], status).await);
    }
    let (title, note) = (
        form.up_title.trim().to_owned(),
        form.up_note.trim().to_owned(),
    );
    let mut errors = Vec::new();
    if let Err(e) = workflow::check_text("title", &title, TITLE_MAX, false) {
        errors.push(("up_title", message(lang, &e)));
    }
    if let Err(e) = workflow::check_text("note", &note, NOTE_MAX, false) {
        errors.push(("up_note", message(lang, &e)));
    }
    let (name, bytes) = file.unwrap_or_default();
    let content_type = match workflow::check_upload(&name, &bytes, st.upload_limit) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(("file", message(lang, &e)));
            None
        }
    };
    let Some(content_type) = content_type.filter(|_| errors.is_empty()) else {
        return Err(again(
            &st,
            &ident,
            id,
            &item,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await);
    };
    let size = bytes.len() as u64;
    let store = st.evidence.clone();
    let sha = tokio::task::spawn_blocking(move || store.put(&bytes))
        .await
        .map_err(|e| view::internal(lang, false, &e))?
        .map_err(|e| view::internal(lang, false, &e))?;
    let e = NewEvidence {
        kind: EvidenceKind::File,
        title: if title.is_empty() {
            name.clone()
        } else {
            title
        },
        url: None,
        note,
        file: Some(FileRef {
            name,
            content_type: content_type.to_owned(),
            sha256: sha,
            size,
        }),
        analyzer: None,
        added_on: today(&st),
    };
    save_evidence(&st, &ident, id, &item, &e, form).await
}

/// Stores a checked evidence item and goes back to the requirement's page, or shows the
/// form again with the store's refusal.
async fn save_evidence(
    st: &AppState,
    ident: &Identity,
    id: i64,
    item: &str,
    e: &NewEvidence,
    form: ItemForm,
) -> Res {
    match st
        .db
        .add_evidence(id, item, e, &st.actor(ident.username()))
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/assessments/{id}/items/{}?done=evidence_added",
            crate::urlencode(item)
        ))),
        Err(err) => {
            let m = store_refusal(ident.lang, err)?;
            Err(again(
                st,
                ident,
                id,
                item,
                form,
                vec![("form", m)],
                StatusCode::CONFLICT,
            )
            .await)
        }
    }
}

pub async fn remove_evidence(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path((id, eid)): Path<(i64, i64)>,
) -> Res {
    let lang = ident.lang;
    let Some((aid, item, _)) = st.db.evidence(eid).await.map_err(ie(lang))? else {
        return Err(view::not_found(lang, false));
    };
    if aid != id {
        return Err(view::not_found(lang, false));
    }
    let (_, item, locked) = editable(&st, &ident, id, &item).await?;
    if let Some(m) = locked {
        return Err(again(
            &st,
            &ident,
            id,
            &item,
            ItemForm::default(),
            vec![("form", m)],
            StatusCode::CONFLICT,
        )
        .await);
    }
    match st
        .db
        .remove_evidence(id, eid, &st.actor(ident.username()))
        .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/assessments/{id}/items/{}?done=evidence_removed",
            crate::urlencode(&item)
        ))),
        Err(e) => {
            let m = store_refusal(lang, e)?;
            Err(again(
                &st,
                &ident,
                id,
                &item,
                ItemForm::default(),
                vec![("form", m)],
                StatusCode::CONFLICT,
            )
            .await)
        }
    }
}

// ---- evidence download ------------------------------------------------------------------------

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 5987).
pub(crate) fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut enc = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            enc.push(char::from(b));
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{enc}")
}

pub async fn download_evidence(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path((id, eid)): Path<(i64, i64)>,
) -> Res {
    let lang = ident.lang;
    let Some((aid, item, e)) = st.db.evidence(eid).await.map_err(ie(lang))? else {
        return Err(view::not_found(lang, false));
    };
    let Some(file) = e.file.filter(|_| aid == id) else {
        return Err(view::not_found(lang, false));
    };
    let store = st.evidence.clone();
    let sha = file.sha256.clone();
    let got = tokio::task::spawn_blocking(move || store.get(&sha))
        .await
        .map_err(|e| view::internal(lang, false, &e))?;
    let bytes = match got {
        Ok(b) => b,
        Err(err @ (EvidenceError::Tampered { .. } | EvidenceError::Missing { .. })) => {
            let (action, code, status) = match err {
                EvidenceError::Tampered { .. } => (
                    "evidence.tampered",
                    "evidence_tampered",
                    StatusCode::CONFLICT,
                ),
                _ => ("evidence.missing", "evidence_missing", StatusCode::GONE),
            };
            tracing::error!(error = %err, evidence = eid, "evidence file refused");
            st.db
                .record(
                    &st.actor(ident.username()),
                    action,
                    &format!("assessment/{id}/{item}"),
                    &format!("evidence {eid} ({}): {err}", file.name),
                )
                .await
                .map_err(ie(lang))?;
            return Err(view::error_response(status, lang, false, code));
        }
        Err(e) => return Err(view::internal(lang, false, &e)),
    };
    st.db
        .record(
            &st.actor(ident.username()),
            "evidence.download",
            &format!("assessment/{id}/{item}"),
            &format!(
                "evidence {eid}: {} sha256 {} verified",
                file.name, file.sha256
            ),
        )
        .await
        .map_err(ie(lang))?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&file.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    if let Ok(v) = HeaderValue::from_str(&file.sha256) {
        h.insert("x-content-sha256", v);
    }
    Ok(res)
}

// ---- workflow ---------------------------------------------------------------------------------

#[derive(serde::Deserialize)]
pub struct StateForm {
    #[serde(default)]
    note: String,
}

async fn move_to(st: &AppState, ident: &Identity, id: i64, to: AState, note: &str) -> Res {
    let lang = ident.lang;
    let a = load(st, lang, id).await?;
    let cat = catalog_of(st, lang, &a)?;
    let note = note.trim();
    let refused = |m: String, status: StatusCode| async move {
        match detail_page(st, ident, id, Some(m), status, None).await {
            Ok(r) | Err(r) => r,
        }
    };
    if let Err(e) = workflow::check_text("note", note, NOTE_MAX, false) {
        return Err(refused(message(lang, &e), StatusCode::UNPROCESSABLE_ENTITY).await);
    }
    if let Err(e) = workflow::transition(cat, &a, to) {
        return Err(refused(message(lang, &e), StatusCode::CONFLICT).await);
    }
    match st
        .db
        .set_assessment_state(id, a.state, to, note, &st.actor(ident.username()))
        .await
    {
        Ok(()) => {
            let done = match to {
                AState::InReview => "submitted",
                AState::Draft => "returned",
                AState::SignedOff => "signed_off",
            };
            Ok(see_other(&format!("/assessments/{id}?done={done}")))
        }
        Err(e) => {
            let m = store_refusal(lang, e)?;
            Err(refused(m, StatusCode::CONFLICT).await)
        }
    }
}

pub async fn submit(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Form(f): Form<StateForm>,
) -> Res {
    move_to(&st, &ident, id, AState::InReview, &f.note).await
}

pub async fn return_to_draft(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Form(f): Form<StateForm>,
) -> Res {
    move_to(&st, &ident, id, AState::Draft, &f.note).await
}

pub async fn sign_off(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Form(f): Form<StateForm>,
) -> Res {
    move_to(&st, &ident, id, AState::SignedOff, &f.note).await
}

/// A new version (draft) carrying the results, remediation and evidence references forward.
pub async fn copy_forward(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
) -> Res {
    let lang = ident.lang;
    let a = load(&st, lang, id).await?;
    let cat = catalog_of(&st, lang, &a)?;
    if mamori_assess::workflow::check_copy_source(&a).is_err() {
        return Err(detail_page(
            &st,
            &ident,
            id,
            Some(crate::i18n::t(lang, "assess_error.copy_not_signed_off").to_owned()),
            StatusCode::CONFLICT,
            None,
        )
        .await?);
    }
    let n = NewAssessment {
        title: a.title.clone(),
        catalog: a.catalog.clone(),
        catalog_version: cat.version.clone(),
        target: a.target.clone(),
        date: today(&st),
        evidence_max_age_days: a.evidence_max_age_days,
        copy_from: Some(a.id),
    };
    let new = match st
        .db
        .create_assessment(&n, &st.actor(ident.username()))
        .await
    {
        Ok(new) => new,
        Err(StoreError::Conflict(c)) => {
            let key = if c == "version" {
                "assess_error.copy_has_successor"
            } else {
                "assess_error.copy_not_signed_off"
            };
            return Err(detail_page(
                &st,
                &ident,
                id,
                Some(crate::i18n::t(lang, key).to_owned()),
                StatusCode::CONFLICT,
                None,
            )
            .await?);
        }
        Err(e) => return Err(view::internal(lang, false, &e)),
    };
    Ok(see_other(&format!("/assessments/{new}?done=copied")))
}

// ---- reports ------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub enum ReportFormat {
    Xlsx,
    Docx,
    Html,
}

async fn report(st: &AppState, ident: &Identity, id: i64, fmt: ReportFormat) -> Res {
    let lang = ident.lang;
    let a = load(st, lang, id).await?;
    let cat = catalog_of(st, lang, &a)?;
    // The PPC measures the requirements implement and the catalog their twins point into.
    let (ppc, base) = mamori_assess::related_catalogs(&st.catalogs, cat);
    let organisation = st
        .db
        .organisation()
        .await
        .map_err(ie(lang))?
        .unwrap_or_default();
    let r = mamori_export::AssessmentReport {
        catalog: cat,
        assessment: &a,
        ppc,
        base,
        organisation: &organisation,
        lang,
        generated: today(st),
    };
    let stem = format!(
        "{}_{}_v{}_{}",
        a.catalog,
        a.date.strftime("%Y%m%d"),
        a.version_no,
        lang.code()
    );
    let (bytes, ctype, ext) = match fmt {
        ReportFormat::Xlsx => (
            mamori_export::assessment_xlsx(&r).map_err(|e| view::internal(lang, false, &e))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        ReportFormat::Docx => (
            mamori_export::assessment_docx(&r).map_err(|e| view::internal(lang, false, &e))?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        ReportFormat::Html => (
            mamori_export::assessment_html(&r).into_bytes(),
            "text/html; charset=utf-8",
            "html",
        ),
    };
    st.db
        .record(
            &st.actor(ident.username()),
            "assessment.report",
            &format!("assessment/{id}"),
            &format!("{stem}.{ext} sha256 {}", auth::sha256_hex(&bytes)),
        )
        .await
        .map_err(ie(lang))?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&format!("{stem}.{ext}"))) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if matches!(fmt, ReportFormat::Html) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            ),
        );
    }
    Ok(res)
}

pub async fn report_xlsx(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
) -> Res {
    report(&st, &ident, id, ReportFormat::Xlsx).await
}

pub async fn report_docx(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
) -> Res {
    report(&st, &ident, id, ReportFormat::Docx).await
}

pub async fn report_html(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
) -> Res {
    report(&st, &ident, id, ReportFormat::Html).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn content_disposition_keeps_japanese_names_per_rfc_5987() {
        let cd = content_disposition("設定 確認.pdf");
        assert_eq!(
            cd,
            "attachment; filename=\"_____.pdf\"; \
             filename*=UTF-8''%E8%A8%AD%E5%AE%9A%20%E7%A2%BA%E8%AA%8D.pdf"
        );
        assert!(!content_disposition("a\"b.txt").contains("a\"b"));
    }

    #[test]
    fn the_map_style_is_allowed_by_its_hash() {
        let svg = "<svg><style>text{fill:#000}</style><text>x</text></svg>";
        let style = inline_style(svg).unwrap();
        assert_eq!(style, "text{fill:#000}");
        let csp = csp_with_map_style(Some(&style)).unwrap();
        let csp = csp.to_str().unwrap();
        assert!(csp.contains("style-src 'self' 'sha256-"), "{csp}");
        assert!(!csp.contains("unsafe-inline"));
    }
}
