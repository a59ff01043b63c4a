//! The JSON API (`/api/v1`): systems and SBD profiles, with bearer-token authentication.
//! Errors are `{"error": {"code", "message", "fields"?}}` with a stable code; validation
//! failures are 422 and name each field.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mamori_model::{FieldError, Segment, SystemInput, SystemStatus};
use mamori_store::StoreError;
use mamori_store::app::{SbdAnswer, SbdOverride, SystemQuery, SystemRecord, SystemSort};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{AppState, Identity, i18n, sbd};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/systems", get(list).post(create))
        .route("/api/v1/systems/{id}", get(show).put(update))
        .route("/api/v1/systems/{id}/sbd", get(sbd_get).put(sbd_put))
        .route("/api/v1/departments", get(departments))
}

type ApiResult = Result<Response, Response>;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

fn invalid(lang: mamori_catalog::Lang, fields: &[FieldError]) -> Response {
    let fields: Vec<Value> = fields
        .iter()
        .map(|f| {
            json!({"field": f.field, "code": f.code,
                   "message": i18n::t(lang, &format!("error.{}", f.code))})
        })
        .collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({"error": {"code": "validation_failed",
                    "message": i18n::t(lang, "error_page.invalid"), "fields": fields}})),
    )
        .into_response()
}

fn internal(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "API request failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error",
    )
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "no such resource")
}

fn bad_json(r: JsonRejection) -> Response {
    error(StatusCode::BAD_REQUEST, "bad_json", &r.body_text())
}

fn system_json(r: &SystemRecord) -> Value {
    let s = &r.system;
    json!({
        "id": r.id,
        "name": s.name,
        "department_id": s.department_id,
        "department": r.department_name,
        "segment": s.segment.key(),
        "confidentiality": s.confidentiality.key(),
        "integrity": s.integrity.key(),
        "availability": s.availability.key(),
        "external_access": s.external_access,
        "user_base": s.user_base.key(),
        "status": s.status.key(),
        "overview": s.overview,
        "version": r.version,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    })
}

async fn list(State(st): State<AppState>, Query(q): Query<HashMap<String, String>>) -> ApiResult {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let query = SystemQuery {
        text: get("q"),
        segment: Segment::parse(&get("segment")),
        status: SystemStatus::parse(&get("status")),
        department_id: get("department_id").parse().ok(),
        sort: SystemSort::parse(&get("sort")).unwrap_or_default(),
        descending: get("dir") == "desc",
        page: get("page").parse().unwrap_or(1),
        per_page: get("per_page").parse().unwrap_or(50),
    };
    let page = st.db.list_systems(&query).await.map_err(|e| internal(&e))?;
    Ok(Json(json!({
        "items": page.items.iter().map(system_json).collect::<Vec<_>>(),
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
    }))
    .into_response())
}

/// A system in a request: typed JSON, checked by the same rules as the form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SystemBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    department_id: Option<i64>,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    integrity: String,
    #[serde(default)]
    availability: String,
    #[serde(default)]
    external_access: bool,
    #[serde(default)]
    user_base: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    overview: String,
    /// Required for updates: the version the change is based on.
    #[serde(default)]
    version: Option<i64>,
}

impl SystemBody {
    fn input(&self) -> SystemInput {
        SystemInput {
            name: self.name.clone(),
            department_id: self
                .department_id
                .map(|d| d.to_string())
                .unwrap_or_default(),
            segment: self.segment.clone(),
            confidentiality: self.confidentiality.clone(),
            integrity: self.integrity.clone(),
            availability: self.availability.clone(),
            external_access: self.external_access.then(|| "true".to_owned()),
            user_base: self.user_base.clone(),
            status: self.status.clone(),
            overview: self.overview.clone(),
        }
    }
}

async fn create(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    body: Result<Json<SystemBody>, JsonRejection>,
) -> ApiResult {
    let Json(body) = body.map_err(bad_json)?;
    let valid = body
        .input()
        .validate()
        .map_err(|e| invalid(ident.lang, &e))?;
    let id = match st
        .db
        .create_system(&valid, &st.actor(ident.username()))
        .await
    {
        Ok(id) => id,
        Err(StoreError::Invalid(f)) => {
            return Err(invalid(
                ident.lang,
                &[FieldError::new(&f, "invalid_choice")],
            ));
        }
        Err(e) => return Err(internal(&e)),
    };
    let rec = st
        .db
        .system(id)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(system_json(&rec))).into_response())
}

async fn show(State(st): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    let rec = st
        .db
        .system(id)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(not_found)?;
    Ok(Json(system_json(&rec)).into_response())
}

async fn update(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    body: Result<Json<SystemBody>, JsonRejection>,
) -> ApiResult {
    let Json(body) = body.map_err(bad_json)?;
    let checked = body.input().validate();
    let mut errors = checked.clone().err().unwrap_or_default();
    if body.version.is_none() {
        errors.push(FieldError::new("version", "required"));
    }
    let (Ok(valid), Some(version), true) = (checked, body.version, errors.is_empty()) else {
        return Err(invalid(ident.lang, &errors));
    };
    match st
        .db
        .update_system(id, version, &valid, &st.actor(ident.username()))
        .await
    {
        Ok(()) => {}
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(StoreError::Conflict(_)) => {
            return Err(error(
                StatusCode::CONFLICT,
                "version_conflict",
                i18n::t(ident.lang, "error.stale"),
            ));
        }
        Err(StoreError::Invalid(f)) => {
            return Err(invalid(
                ident.lang,
                &[FieldError::new(&f, "invalid_choice")],
            ));
        }
        Err(e) => return Err(internal(&e)),
    }
    show(State(st), Path(id)).await
}

async fn departments(State(st): State<AppState>) -> ApiResult {
    let d = st.db.departments().await.map_err(|e| internal(&e))?;
    Ok(Json(json!({"items": d.iter().map(|d| json!({"id": d.id, "name": d.name, "systems": d.systems})).collect::<Vec<_>>()})).into_response())
}

async fn sbd_json(st: &AppState, id: i64) -> ApiResult {
    let rec = st
        .db
        .system(id)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(not_found)?;
    let state = st.db.sbd_state(id).await.map_err(|e| internal(&e))?;
    let answers: BTreeMap<&str, Value> = state
        .answers
        .values()
        .map(|a| {
            (
                a.condition_id.as_str(),
                json!({"value": a.value, "reason": a.reason}),
            )
        })
        .collect();
    let overrides: BTreeMap<&str, Value> = state
        .overrides
        .values()
        .map(|o| {
            (
                o.requirement_id.as_str(),
                json!({"level": o.level, "justification": o.justification}),
            )
        })
        .collect();
    let decisions = st
        .sbd_catalog()
        .and_then(|c| sbd::table(c, &rec, &state))
        .map(|t| {
            t.rows
                .iter()
                .map(|d| {
                    json!({"id": d.id, "condition": d.condition, "trace": d.trace.render(),
                           "recommended_level": d.recommended_level.key(),
                           "chosen_level": d.chosen_level.key(),
                           "justification": d.justification})
                })
                .collect::<Vec<_>>()
        });
    Ok(Json(json!({
        "system_id": id,
        "complete": decisions.is_some(),
        "answers": answers,
        "overrides": overrides,
        "decisions": decisions,
    }))
    .into_response())
}

async fn sbd_get(State(st): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    sbd_json(&st, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    value: bool,
    #[serde(default)]
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideBody {
    level: String,
    #[serde(default)]
    justification: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SbdBody {
    answers: BTreeMap<String, AnswerBody>,
    #[serde(default)]
    overrides: BTreeMap<String, OverrideBody>,
}

async fn sbd_put(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    body: Result<Json<SbdBody>, JsonRejection>,
) -> ApiResult {
    let Json(body) = body.map_err(bad_json)?;
    let Some(cat) = st.sbd_catalog() else {
        return Err(internal(&"the SBD catalog is not loaded"));
    };
    let rec = st
        .db
        .system(id)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(not_found)?;
    let mut errors = Vec::new();
    for k in body.answers.keys() {
        if cat.condition(k).is_none() {
            errors.push(FieldError::new(
                &format!("answers.{k}"),
                "unknown_condition",
            ));
        }
    }
    for k in body.overrides.keys() {
        if cat.item(k).is_none() {
            errors.push(FieldError::new(
                &format!("overrides.{k}"),
                "unknown_requirement",
            ));
        }
    }
    let form_get = |k: &str| -> Option<String> {
        if let Some(c) = k.strip_prefix("answer_") {
            return body.answers.get(c).map(|a| {
                if a.value {
                    "yes".to_owned()
                } else {
                    "no".to_owned()
                }
            });
        }
        if let Some(c) = k.strip_prefix("reason_") {
            return body.answers.get(c).map(|a| a.reason.clone());
        }
        None
    };
    let (answers, mut answer_errors, _) = sbd::parse_answers(cat, form_get);
    for e in &mut answer_errors {
        e.field = rename_field(&e.field);
    }
    errors.extend(answer_errors);
    if !errors.is_empty() {
        return Err(invalid(ident.lang, &errors));
    }
    let state = mamori_store::app::SbdState {
        answers: answers
            .iter()
            .map(|a| (a.condition_id.clone(), a.clone()))
            .collect(),
        overrides: BTreeMap::new(),
    };
    let Some(table) = sbd::table(cat, &rec, &state) else {
        return Err(internal(&"decision failed"));
    };
    let level_get = |k: &str| -> Option<String> {
        if let Some(r) = k.strip_prefix("level_") {
            return Some(body.overrides.get(r).map_or_else(
                || {
                    table
                        .rows
                        .iter()
                        .find(|d| d.id == r)
                        .map(|d| d.recommended_level.key().to_owned())
                        .unwrap_or_default()
                },
                |o| o.level.clone(),
            ));
        }
        if let Some(r) = k.strip_prefix("justification_") {
            return body.overrides.get(r).map(|o| o.justification.clone());
        }
        None
    };
    let (overrides, mut level_errors): (Vec<SbdOverride>, Vec<FieldError>) =
        sbd::parse_levels(cat, &table, level_get);
    for e in &mut level_errors {
        e.field = rename_field(&e.field);
    }
    if !level_errors.is_empty() {
        return Err(invalid(ident.lang, &level_errors));
    }
    let answers: Vec<SbdAnswer> = answers;
    st.db
        .save_sbd(id, &answers, &overrides, &st.actor(ident.username()))
        .await
        .map_err(|e| internal(&e))?;
    sbd_json(&st, id).await
}

/// Form field names → JSON paths (`answer_A` → `answers.A.value`).
fn rename_field(f: &str) -> String {
    for (prefix, path, leaf) in [
        ("answer_", "answers", "value"),
        ("reason_", "answers", "reason"),
        ("level_", "overrides", "level"),
        ("justification_", "overrides", "justification"),
    ] {
        if let Some(id) = f.strip_prefix(prefix) {
            return format!("{path}.{id}.{leaf}");
        }
    }
    f.to_owned()
}

async fn openapi() -> Response {
    let doc: Value = match serde_json::from_str(include_str!("../openapi.json")) {
        Ok(v) => v,
        Err(e) => return internal(&e),
    };
    Json(doc).into_response()
}

/// The SBD engine profile of a stored system (used by tests of the demo data).
#[doc(hidden)]
pub fn profile_for_tests(
    rec: &SystemRecord,
    state: &mamori_store::app::SbdState,
) -> mamori_sbd::Profile {
    sbd::profile(rec, state)
}
