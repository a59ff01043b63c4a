//! The SBD wizard: the six judgment conditions → the recommendation table with level choices
//! (an override needs a justification) → preview → issued documents (docx, xlsx, md).

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_catalog::{Catalog, Lang, Level, Loc};
use mamori_export::{Piece, Spec, SpecFormat, render_spec};
use mamori_model::{FieldError, Permission};
use mamori_sbd::{Answer, DecisionTable, Override, Profile, SystemInfo, decide};
use mamori_store::StoreError;
use mamori_store::app::{
    DocumentInfo, NewDocument, SbdAnswer, SbdHistoryEntry, SbdOverride, SbdState, SystemRecord,
};

use crate::pages::field_error;
use crate::view::{self, Page, Res, render, see_other};
use crate::{AppState, Identity, auth};

/// The most characters of a reason or justification.
const REASON_MAX: usize = 1000;

fn catalog<'a>(st: &'a AppState, ident: &Identity) -> Result<&'a Catalog, Response> {
    st.sbd_catalog()
        .ok_or_else(|| view::internal(ident.lang, false, &"the SBD catalog is not loaded"))
}

async fn load(
    st: &AppState,
    ident: &Identity,
    id: i64,
) -> Result<(SystemRecord, SbdState), Response> {
    let ie = |e: StoreError| view::internal(ident.lang, false, &e);
    let rec = st
        .db
        .system(id)
        .await
        .map_err(ie)?
        .ok_or_else(|| view::not_found(ident.lang, false))?;
    let state = st.db.sbd_state(id).await.map_err(ie)?;
    Ok((rec, state))
}

/// The engine's profile for a stored system.
pub(crate) fn profile(rec: &SystemRecord, state: &SbdState) -> Profile {
    let loc = Loc::default();
    Profile {
        system: SystemInfo {
            name: rec.system.name.clone(),
            overview: rec.system.overview.clone(),
        },
        answers: state
            .answers
            .values()
            .map(|a| {
                (
                    a.condition_id.clone(),
                    Answer {
                        value: a.value,
                        reason: a.reason.clone(),
                        loc: loc.clone(),
                    },
                )
            })
            .collect(),
        overrides: state
            .overrides
            .values()
            .filter_map(|o| {
                Some((
                    o.requirement_id.clone(),
                    Override {
                        level: Level::parse(&o.level)?,
                        justification: o.justification.clone(),
                        loc: loc.clone(),
                    },
                ))
            })
            .collect(),
        placeholders: BTreeMap::new(),
        origin: format!("system/{}", rec.id),
    }
}

/// The decision table, when every condition is answered.
pub(crate) fn table(
    catalog: &Catalog,
    rec: &SystemRecord,
    state: &SbdState,
) -> Option<DecisionTable> {
    if catalog
        .conditions
        .iter()
        .any(|c| !state.answers.contains_key(&c.id))
    {
        return None;
    }
    decide(catalog, &profile(rec, state)).ok()
}

// ---- step 1: the judgment conditions -----------------------------------------------------------

struct Question {
    id: String,
    name: String,
    question: String,
    guidance: String,
    /// "yes", "no" or "".
    answer: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "sbd_questions.html")]
struct QuestionsPage {
    p: Page,
    s: SystemRecord,
    questions: Vec<Question>,
    errors: Vec<FieldError>,
    editable: bool,
}

impl QuestionsPage {
    fn err(&self, field: &str) -> Option<&'static str> {
        field_error(&self.p, &self.errors, field)
    }
    fn answer_field(&self, id: &str) -> String {
        format!("answer_{id}")
    }
    fn reason_field(&self, id: &str) -> String {
        format!("reason_{id}")
    }
}

fn build_questions(
    catalog: &Catalog,
    lang: Lang,
    values: &HashMap<String, (String, String)>,
) -> Vec<Question> {
    catalog
        .conditions
        .iter()
        .map(|c| {
            let (answer, reason) = values.get(&c.id).cloned().unwrap_or_default();
            Question {
                id: c.id.clone(),
                name: c.name.get(lang).to_owned(),
                question: c.question.get(lang).to_owned(),
                guidance: c.guidance.get(lang).to_owned(),
                answer,
                reason,
            }
        })
        .collect()
}

pub async fn questions_page(
    st: &AppState,
    ident: &Identity,
    id: i64,
    values: Option<HashMap<String, (String, String)>>,
    errors: Vec<FieldError>,
    done: Option<&str>,
) -> Res {
    let cat = catalog(st, ident)?;
    let (s, state) = load(st, ident, id).await?;
    let values = values.unwrap_or_else(|| {
        state
            .answers
            .values()
            .map(|a| {
                (
                    a.condition_id.clone(),
                    (
                        if a.value { "yes" } else { "no" }.to_owned(),
                        a.reason.clone(),
                    ),
                )
            })
            .collect()
    });
    let failed = !errors.is_empty();
    let res = render(&QuestionsPage {
        p: Page::new(ident, "sbd.questions_title", "systems").with_flash(done),
        questions: build_questions(cat, ident.lang, &values),
        s,
        errors,
        editable: ident.can(Permission::EditSbd),
    });
    Ok(crate::pages::unprocessable_if(failed, res))
}

pub async fn questions(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    questions_page(
        &st,
        &ident,
        id,
        None,
        Vec::new(),
        q.get("done").map(String::as_str),
    )
    .await
}

fn clean_reason(field: &str, s: &str, errors: &mut Vec<FieldError>) -> String {
    let s = s.trim().replace("\r\n", "\n");
    if s.is_empty() {
        errors.push(FieldError::new(field, "reason_required"));
    } else if s.chars().count() > REASON_MAX {
        errors.push(FieldError::new(field, "too_long"));
    } else if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        errors.push(FieldError::new(field, "control_characters"));
    }
    s
}

/// Answers, problems, and the submitted values (to show the form again).
pub(crate) type ParsedAnswers = (
    Vec<SbdAnswer>,
    Vec<FieldError>,
    HashMap<String, (String, String)>,
);

/// Checks the answers to every condition of `catalog` (`answer_X` = yes|no, `reason_X`).
pub(crate) fn parse_answers(
    catalog: &Catalog,
    get: impl Fn(&str) -> Option<String>,
) -> ParsedAnswers {
    let mut errors = Vec::new();
    let mut answers = Vec::new();
    let mut values = HashMap::new();
    for c in &catalog.conditions {
        let af = format!("answer_{}", c.id);
        let rf = format!("reason_{}", c.id);
        let raw = get(&af).unwrap_or_default();
        let reason_raw = get(&rf).unwrap_or_default();
        values.insert(c.id.clone(), (raw.clone(), reason_raw.clone()));
        let value = match raw.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            "" => {
                errors.push(FieldError::new(&af, "answer_required"));
                None
            }
            _ => {
                errors.push(FieldError::new(&af, "invalid_choice"));
                None
            }
        };
        let reason = clean_reason(&rf, &reason_raw, &mut errors);
        if let Some(value) = value {
            answers.push(SbdAnswer {
                condition_id: c.id.clone(),
                value,
                reason,
            });
        }
    }
    (answers, errors, values)
}

pub async fn save_answers(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Res {
    let cat = catalog(&st, &ident)?;
    let (answers, errors, values) = parse_answers(cat, |k| form.get(k).cloned());
    if !errors.is_empty() {
        return questions_page(&st, &ident, id, Some(values), errors, None).await;
    }
    let (_, state) = load(&st, &ident, id).await?;
    let overrides: Vec<SbdOverride> = state.overrides.values().cloned().collect();
    st.db
        .save_sbd(id, &answers, &overrides, &st.actor(ident.username()))
        .await
        .map_err(|e| view::internal(ident.lang, false, &e))?;
    Ok(see_other(&format!(
        "/systems/{id}/sbd/levels?done=answers_saved"
    )))
}

// ---- step 2: levels ----------------------------------------------------------------------------

struct LevelRow {
    id: String,
    category: String,
    name: String,
    trace: String,
    recommended: Level,
    chosen: Level,
    choices: Vec<Level>,
    justification: String,
}

#[derive(Template)]
#[template(path = "sbd_levels.html")]
struct LevelsPage {
    p: Page,
    s: SystemRecord,
    rows: Vec<LevelRow>,
    errors: Vec<FieldError>,
    editable: bool,
    overrides: usize,
}

impl LevelsPage {
    fn err(&self, field: &str) -> Option<&'static str> {
        field_error(&self.p, &self.errors, field)
    }
    fn level_name(&self, l: &Level) -> &'static str {
        l.name(self.p.lang)
    }
    fn level_key(&self, l: &Level) -> &'static str {
        l.key()
    }
    fn field(&self, prefix: &str, id: &str) -> String {
        format!("{prefix}_{id}")
    }
}

fn level_rows(
    catalog: &Catalog,
    table: &DecisionTable,
    lang: Lang,
    submitted: Option<&HashMap<String, String>>,
) -> Vec<LevelRow> {
    table
        .rows
        .iter()
        .map(|d| {
            let choices: Vec<Level> = catalog
                .item(&d.id)
                .map(|item| {
                    Level::ALL
                        .into_iter()
                        .filter(|l| *l == Level::Omit || item.has_text(*l))
                        .collect()
                })
                .unwrap_or_else(|| Level::ALL.to_vec());
            let (chosen, justification) = match submitted {
                Some(f) => (
                    f.get(&format!("level_{}", d.id))
                        .and_then(|l| Level::parse(l))
                        .unwrap_or(d.chosen_level),
                    f.get(&format!("justification_{}", d.id))
                        .cloned()
                        .unwrap_or_default(),
                ),
                None => (d.chosen_level, d.justification.clone().unwrap_or_default()),
            };
            LevelRow {
                id: d.id.clone(),
                category: d.category_name.get(lang).to_owned(),
                name: d.name.get(lang).to_owned(),
                trace: d.trace.render(),
                recommended: d.recommended_level,
                chosen,
                choices,
                justification,
            }
        })
        .collect()
}

async fn levels_page(
    st: &AppState,
    ident: &Identity,
    id: i64,
    submitted: Option<&HashMap<String, String>>,
    errors: Vec<FieldError>,
    done: Option<&str>,
) -> Res {
    let cat = catalog(st, ident)?;
    let (s, state) = load(st, ident, id).await?;
    let Some(table) = table(cat, &s, &state) else {
        return Ok(see_other(&format!("/systems/{id}/sbd?done=answer_first")));
    };
    let failed = !errors.is_empty();
    let res = render(&LevelsPage {
        p: Page::new(ident, "sbd.levels_title", "systems").with_flash(done),
        rows: level_rows(cat, &table, ident.lang, submitted),
        overrides: table.counts.overrides,
        s,
        errors,
        editable: ident.can(Permission::EditSbd),
    });
    Ok(crate::pages::unprocessable_if(failed, res))
}

pub async fn levels(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    levels_page(
        &st,
        &ident,
        id,
        None,
        Vec::new(),
        q.get("done").map(String::as_str),
    )
    .await
}

/// Checks level choices against the recommendation: a level other than the recommended one
/// is an override and needs a justification.
pub(crate) fn parse_levels(
    catalog: &Catalog,
    table: &DecisionTable,
    get: impl Fn(&str) -> Option<String>,
) -> (Vec<SbdOverride>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut overrides = Vec::new();
    for d in &table.rows {
        let lf = format!("level_{}", d.id);
        let jf = format!("justification_{}", d.id);
        let Some(raw) = get(&lf) else {
            continue;
        };
        let Some(level) = Level::parse(&raw) else {
            errors.push(FieldError::new(&lf, "invalid_choice"));
            continue;
        };
        let available =
            level == Level::Omit || catalog.item(&d.id).is_some_and(|i| i.has_text(level));
        if !available {
            errors.push(FieldError::new(&lf, "level_unavailable"));
            continue;
        }
        if level == d.recommended_level {
            continue;
        }
        let mut e = Vec::new();
        let justification = clean_reason(&jf, &get(&jf).unwrap_or_default(), &mut e);
        if e.iter().any(|x| x.code == "reason_required") {
            errors.push(FieldError::new(&jf, "justification_required"));
        } else {
            errors.extend(e);
        }
        overrides.push(SbdOverride {
            requirement_id: d.id.clone(),
            level: level.key().to_owned(),
            justification,
        });
    }
    (overrides, errors)
}

pub async fn save_levels(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Res {
    let cat = catalog(&st, &ident)?;
    let (s, state) = load(&st, &ident, id).await?;
    let Some(table) = table(cat, &s, &state) else {
        return Ok(see_other(&format!("/systems/{id}/sbd?done=answer_first")));
    };
    let (overrides, errors) = parse_levels(cat, &table, |k| form.get(k).cloned());
    if !errors.is_empty() {
        return levels_page(&st, &ident, id, Some(&form), errors, None).await;
    }
    let answers: Vec<SbdAnswer> = state.answers.values().cloned().collect();
    st.db
        .save_sbd(id, &answers, &overrides, &st.actor(ident.username()))
        .await
        .map_err(|e| view::internal(ident.lang, false, &e))?;
    Ok(see_other(&format!(
        "/systems/{id}/sbd/preview?done=levels_saved"
    )))
}

// ---- step 3: preview and documents -------------------------------------------------------------

#[derive(Template)]
#[template(path = "sbd_preview.html")]
struct PreviewPage {
    p: Page,
    s: SystemRecord,
    spec: Spec,
    documents: Vec<DocumentInfo>,
}

impl PreviewPage {
    fn piece_text<'a>(&self, piece: &'a Piece) -> (&'static str, &'a str) {
        match piece {
            Piece::Text(t) => ("text", t),
            Piece::Filled(t) => ("filled", t),
            Piece::Open(t) => ("open", t),
        }
    }
    fn time(&self, t: &str) -> String {
        view::short_time(t)
    }
    fn level_name(&self, l: &Level) -> &'static str {
        l.name(self.p.lang)
    }
}

fn today(st: &AppState) -> jiff::civil::Date {
    st.now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)))
        .date()
}

pub async fn preview(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    let cat = catalog(&st, &ident)?;
    let (s, state) = load(&st, &ident, id).await?;
    let Some(table) = table(cat, &s, &state) else {
        return Ok(see_other(&format!("/systems/{id}/sbd?done=answer_first")));
    };
    let spec = Spec::build(&table, ident.lang, today(&st));
    let documents = st
        .db
        .documents(id)
        .await
        .map_err(|e| view::internal(ident.lang, false, &e))?;
    Ok(render(&PreviewPage {
        p: Page::new(&ident, "sbd.preview_title", "systems")
            .with_flash(q.get("done").map(String::as_str)),
        s,
        spec,
        documents,
    }))
}

/// File names: the system's name with anything unsafe for a file system replaced.
fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "\\/:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(60)
        .collect();
    if s.trim().is_empty() {
        "system".into()
    } else {
        s
    }
}

pub async fn generate(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Res {
    let lang = ident.lang;
    let cat = catalog(&st, &ident)?;
    let (s, state) = load(&st, &ident, id).await?;
    let Some(table) = table(cat, &s, &state) else {
        return Ok(see_other(&format!("/systems/{id}/sbd?done=answer_first")));
    };
    let Some(format) = form
        .get("format")
        .and_then(|f| SpecFormat::parse(f))
        .filter(|f| *f != SpecFormat::Json)
    else {
        return Err(view::error_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            false,
            "invalid",
        ));
    };
    let doc_lang = match form.get("lang").map(String::as_str) {
        Some("en") => Lang::En,
        Some("ja") => Lang::Ja,
        _ => lang,
    };
    let date = today(&st);
    let bytes =
        render_spec(&table, format, doc_lang, date).map_err(|e| view::internal(lang, false, &e))?;
    let file_name = format!(
        "{}_SBD_{}_{}.{}",
        file_stem(&s.system.name),
        date.strftime("%Y%m%d"),
        doc_lang.code(),
        format.extension()
    );
    let sha = auth::sha256_hex(&bytes);
    let doc = st
        .db
        .add_document(
            &NewDocument {
                system_id: id,
                kind: "sbd_spec",
                format: format.extension(),
                lang: doc_lang.code(),
                file_name: &file_name,
                sha256: &sha,
                content: &bytes,
            },
            &st.actor(ident.username()),
        )
        .await
        .map_err(|e| view::internal(lang, false, &e))?;
    Ok(see_other(&format!("/documents/{doc}")))
}

fn content_type(format: &str) -> &'static str {
    match format {
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "md" => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub async fn download(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
) -> Res {
    let Some((info, bytes)) = st
        .db
        .document(id)
        .await
        .map_err(|e| view::internal(ident.lang, false, &e))?
    else {
        return Err(view::not_found(ident.lang, false));
    };
    let ascii: String = info
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::urlencode(&info.file_name)
    );
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&info.format)),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&info.sha256) {
        h.insert("x-content-sha256", v);
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "sbd_history.html")]
struct HistoryPage {
    p: Page,
    s: SystemRecord,
    entries: Vec<SbdHistoryEntry>,
}

impl HistoryPage {
    fn time(&self, t: &str) -> String {
        view::short_time(t)
    }
    fn shown(&self, v: &str) -> String {
        match v {
            "" => "—".into(),
            "yes" => self.p.t("sbd.yes").into(),
            "no" => self.p.t("sbd.no").into(),
            "recommended" => self.p.t("sbd.back_to_recommended").into(),
            other => Level::parse(other)
                .map_or_else(|| other.to_owned(), |l| l.name(self.p.lang).to_owned()),
        }
    }
}

pub async fn history(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
) -> Res {
    let (s, _) = load(&st, &ident, id).await?;
    let entries = st
        .db
        .sbd_history(id)
        .await
        .map_err(|e| view::internal(ident.lang, false, &e))?;
    Ok(render(&HistoryPage {
        p: Page::new(&ident, "sbd.history_title", "systems"),
        s,
        entries,
    }))
}
