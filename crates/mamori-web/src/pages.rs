//! Pages: sign-in and setup, dashboard, systems register, audit trail, users, settings.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_audit::Entry;
use mamori_model::{
    FieldError, Permission, Role, Segment, SystemInput, SystemStatus, validate_display_name,
    validate_password, validate_username,
};
use mamori_store::StoreError;
use mamori_store::app::{
    Counts, Department, DepartmentName, NewUser, Page as RowPage, SESSION_SECONDS, SystemQuery,
    SystemRecord, SystemSort, User,
};

use crate::view::{self, Page, Res, render, see_other};
use crate::{AppState, Identity, LANG_COOKIE, PRE_COOKIE, SESSION_COOKIE, auth, set_cookie};

pub async fn healthz(State(st): State<AppState>) -> Response {
    match st.db.user_count().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

pub async fn not_found(req: axum::extract::Request) -> Response {
    let lang = crate::cookie(req.headers(), LANG_COOKIE)
        .and_then(|l| mamori_catalog::Lang::parse(&l))
        .unwrap_or(mamori_catalog::Lang::Ja);
    view::not_found(lang, req.uri().path().starts_with("/api/"))
}

/// A page shown again with errors answers 422.
pub(crate) fn unprocessable_if(failed: bool, mut res: Response) -> Response {
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// Only local paths are followed after login or a language switch.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

pub async fn set_lang(
    State(st): State<AppState>,
    Path(lang): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let code = if lang == "en" { "en" } else { "ja" };
    let mut res = see_other(&safe_next(q.get("next").map(String::as_str)));
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LANG_COOKIE, code, 365 * 24 * 3600, st.secure_cookies),
    );
    res
}

// ---- sign-in and first setup ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    p: Page,
    next: String,
    username: String,
    error: Option<&'static str>,
    no_users: bool,
}

/// Gives a visitor without a session a pre-login CSRF token (cookie + form field).
fn ensure_pre_token(ident: &mut Identity) -> Result<Option<String>, Response> {
    if !ident.csrf.is_empty() {
        return Ok(None);
    }
    let tok = auth::random_hex(32).map_err(|e| view::internal(ident.lang, false, &e))?;
    ident.csrf = tok.clone();
    Ok(Some(tok))
}

fn with_pre_cookie(mut res: Response, tok: Option<String>, secure: bool) -> Response {
    if let Some(t) = tok {
        res.headers_mut()
            .append(header::SET_COOKIE, set_cookie(PRE_COOKIE, &t, 3600, secure));
    }
    res
}

pub async fn login_page(
    State(st): State<AppState>,
    Extension(mut ident): Extension<Identity>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    if ident.user.is_some() {
        return Ok(see_other("/"));
    }
    let tok = ensure_pre_token(&mut ident)?;
    let no_users = st
        .db
        .admin_count()
        .await
        .map_err(|e| view::internal(ident.lang, false, &e))?
        == 0;
    let page = LoginPage {
        p: Page::new(&ident, "login.title", "").with_flash(q.get("done").map(String::as_str)),
        next: safe_next(q.get("next").map(String::as_str)),
        username: String::new(),
        error: None,
        no_users,
    };
    Ok(with_pre_cookie(render(&page), tok, st.secure_cookies))
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    connect: Option<Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    Form(f): Form<LoginForm>,
) -> Res {
    let lang = ident.lang;
    let username = f.username.trim().to_lowercase();
    let ip = connect.map_or_else(|| "unknown".to_owned(), |c| c.0.0.ip().to_string());
    let keys_owned = [format!("user:{username}"), format!("ip:{ip}")];
    let keys: Vec<&str> = keys_owned.iter().map(String::as_str).collect();
    let now = std::time::Instant::now();
    let fail = |error: &'static str, status: StatusCode| {
        let page = LoginPage {
            p: Page::new(&ident, "login.title", ""),
            next: safe_next(Some(&f.next)),
            username: username.clone(),
            error: Some(error),
            no_users: false,
        };
        let mut res = render(&page);
        *res.status_mut() = status;
        res
    };
    if st.throttle.locked(&keys, now) {
        return Err(fail("login.locked", StatusCode::TOO_MANY_REQUESTS));
    }
    let found = st
        .db
        .user_for_login(&username)
        .await
        .map_err(|e| view::internal(lang, false, &e))?;
    let hash = found
        .as_ref()
        .map_or_else(|| auth::dummy_hash().to_owned(), |(_, h)| h.clone());
    let password = f.password.clone();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&hash, &password))
        .await
        .unwrap_or(false);
    let user = match found {
        Some((u, _)) if ok && !u.disabled => u,
        _ => {
            st.throttle.fail(&keys, now);
            let detail = format!("from {ip}");
            st.db
                .record(
                    &st.actor("anonymous"),
                    "session.login_failed",
                    &format!("user/{username}"),
                    &detail,
                )
                .await
                .map_err(|e| view::internal(lang, false, &e))?;
            return Err(fail("login.failed", StatusCode::UNAUTHORIZED));
        }
    };
    st.throttle.succeed(&keys[..1]);
    let token = auth::random_hex(32).map_err(|e| view::internal(lang, false, &e))?;
    let csrf = auth::random_hex(32).map_err(|e| view::internal(lang, false, &e))?;
    let expires = st.now().as_second() + SESSION_SECONDS;
    st.db
        .create_session(
            &auth::sha256_hex(token.as_bytes()),
            user.id,
            &csrf,
            expires,
            &st.actor(&user.username),
        )
        .await
        .map_err(|e| view::internal(lang, false, &e))?;
    let mut res = see_other(&safe_next(Some(&f.next)));
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, SESSION_SECONDS, st.secure_cookies),
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(PRE_COOKIE, "", 0, st.secure_cookies),
    );
    Ok(res)
}

pub async fn logout(State(st): State<AppState>, Extension(ident): Extension<Identity>) -> Res {
    if let Some(h) = &ident.session_hash {
        st.db
            .end_session(h, &st.actor(ident.username()))
            .await
            .map_err(|e| view::internal(ident.lang, false, &e))?;
    }
    let mut res = see_other("/login?done=logged_out");
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, st.secure_cookies),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    p: Page,
    token: String,
    username: String,
    display_name: String,
    errors: Vec<FieldError>,
}

impl SetupPage {
    fn err(&self, field: &str) -> Option<&'static str> {
        field_error(&self.p, &self.errors, field)
    }
}

pub(crate) fn field_error(p: &Page, errors: &[FieldError], field: &str) -> Option<&'static str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| p.t(&format!("error.{}", e.code)))
}

async fn setup_token_ok(st: &AppState, token: &str) -> Result<bool, StoreError> {
    if st.db.admin_count().await? > 0 {
        return Ok(false);
    }
    let Some(stored) = st.db.setting("setup_token").await? else {
        return Ok(false);
    };
    Ok(auth::same_secret(
        &auth::sha256_hex(token.as_bytes()),
        &stored,
    ))
}

pub async fn setup_page(
    State(st): State<AppState>,
    Extension(mut ident): Extension<Identity>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    let lang = ident.lang;
    let token = q.get("token").cloned().unwrap_or_default();
    if !setup_token_ok(&st, &token)
        .await
        .map_err(|e| view::internal(lang, false, &e))?
    {
        return Err(view::error_response(
            StatusCode::NOT_FOUND,
            lang,
            false,
            "setup_done",
        ));
    }
    let tok = ensure_pre_token(&mut ident)?;
    let page = SetupPage {
        p: Page::new(&ident, "setup.title", ""),
        token,
        username: String::new(),
        display_name: String::new(),
        errors: Vec::new(),
    };
    Ok(with_pre_cookie(render(&page), tok, st.secure_cookies))
}

#[derive(serde::Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// Argon2id takes tens of milliseconds: hash on the blocking pool, not on the async threads.
async fn hash_blocking(lang: mamori_catalog::Lang, password: String) -> Result<String, Response> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| view::internal(lang, false, &e))?
        .map_err(|e| view::internal(lang, false, &e))
}

/// Checks a new password and its confirmation.
fn check_new_password(password: &str, confirm: &str, username: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Err(e) = validate_password("password", password, username) {
        errors.push(e);
    } else if password != confirm {
        errors.push(FieldError::new("password_confirm", "password_mismatch"));
    }
    errors
}

pub async fn setup(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Form(f): Form<SetupForm>,
) -> Res {
    let lang = ident.lang;
    if !setup_token_ok(&st, &f.token)
        .await
        .map_err(|e| view::internal(lang, false, &e))?
    {
        return Err(view::error_response(
            StatusCode::NOT_FOUND,
            lang,
            false,
            "setup_done",
        ));
    }
    let mut errors = Vec::new();
    let username = validate_username(&f.username)
        .map_err(|e| errors.push(e))
        .ok();
    let display = validate_display_name(&f.display_name)
        .map_err(|e| errors.push(e))
        .ok();
    errors.extend(check_new_password(
        &f.password,
        &f.password_confirm,
        username.as_deref().unwrap_or(""),
    ));
    let (Some(username), Some(display_name), true) = (username, display, errors.is_empty()) else {
        let page = SetupPage {
            p: Page::new(&ident, "setup.title", ""),
            token: f.token.clone(),
            username: f.username.clone(),
            display_name: f.display_name.clone(),
            errors,
        };
        let mut res = render(&page);
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Err(res);
    };
    let password = f.password.clone();
    let hash = hash_blocking(lang, password).await?;
    let u = NewUser {
        username: username.clone(),
        display_name,
        role: Role::Admin,
        department_id: None,
        password_hash: hash,
        must_change_password: false,
    };
    st.db
        .create_first_admin(&u, &st.actor("setup"))
        .await
        .map_err(|e| view::internal(lang, false, &e))?;
    Ok(see_other("/login?done=setup_complete"))
}

// ---- dashboard ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    p: Page,
    org: String,
    counts: Counts,
    recent: Vec<Entry>,
    recent_systems: Vec<SystemRecord>,
}

impl Dashboard {
    fn segment_count(&self, s: &Segment) -> i64 {
        self.counts.by_segment.get(s.key()).copied().unwrap_or(0)
    }
    fn status_count(&self, s: &SystemStatus) -> i64 {
        self.counts.by_status.get(s.key()).copied().unwrap_or(0)
    }
    fn time(&self, t: &str) -> String {
        view::short_time(t)
    }
}

pub async fn dashboard(State(st): State<AppState>, Extension(ident): Extension<Identity>) -> Res {
    let lang = ident.lang;
    let ie = |e: StoreError| view::internal(lang, false, &e);
    let counts = st.db.counts().await.map_err(ie)?;
    let recent = if ident.can(Permission::ViewAudit) {
        st.db.audit_page(None, 1, 10).await.map_err(ie)?.items
    } else {
        Vec::new()
    };
    let recent_systems = st
        .db
        .list_systems(&SystemQuery {
            sort: SystemSort::Updated,
            descending: true,
            per_page: 5,
            ..SystemQuery::default()
        })
        .await
        .map_err(ie)?
        .items;
    let org = st.db.organisation().await.map_err(ie)?.unwrap_or_default();
    Ok(render(&Dashboard {
        p: Page::new(&ident, "dashboard.title", "dashboard"),
        org,
        counts,
        recent,
        recent_systems,
    }))
}

// ---- systems register -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "systems.html")]
struct SystemsPage {
    p: Page,
    rows: RowPage<SystemRecord>,
    departments: Vec<DepartmentName>,
    q: String,
    segment: String,
    status: String,
    department: String,
    sort: String,
    desc: bool,
}

impl SystemsPage {
    /// The list URL with the current filters and the given sort and page.
    fn href(&self, sort: &str, desc: bool, page: u32) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("q", self.q.as_str()),
            ("segment", self.segment.as_str()),
            ("status", self.status.as_str()),
            ("department", self.department.as_str()),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", crate::urlencode(v)));
            }
        }
        parts.push(format!("sort={sort}"));
        if desc {
            parts.push("dir=desc".into());
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        format!("/systems?{}", parts.join("&"))
    }

    /// Header link: toggles direction on the current column.
    fn sort_href(&self, col: &str) -> String {
        let desc = self.sort == col && !self.desc;
        self.href(col, desc, 1)
    }

    fn aria_sort(&self, col: &str) -> &'static str {
        match (self.sort == col, self.desc) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    fn page_href(&self, page: &u32) -> String {
        self.href(&self.sort, self.desc, *page)
    }

    fn page_numbers(&self) -> Vec<u32> {
        let last = self.rows.pages();
        let cur = self.rows.page;
        let mut v: Vec<u32> = (1..=last)
            .filter(|n| *n == 1 || *n == last || n.abs_diff(cur) <= 2)
            .collect();
        v.dedup();
        v
    }

    fn first_shown(&self) -> i64 {
        if self.rows.total == 0 {
            0
        } else {
            i64::from(self.rows.page - 1) * i64::from(self.rows.per_page) + 1
        }
    }

    fn last_shown(&self) -> i64 {
        self.first_shown() + self.rows.items.len() as i64 - 1
    }
}

pub async fn systems(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    let lang = ident.lang;
    let get = |k: &str| q.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let sort = SystemSort::parse(&get("sort")).unwrap_or_default();
    let query = SystemQuery {
        text: get("q"),
        segment: Segment::parse(&get("segment")),
        status: SystemStatus::parse(&get("status")),
        department_id: get("department").parse().ok(),
        sort,
        descending: get("dir") == "desc",
        page: get("page").parse().unwrap_or(1),
        per_page: 50,
    };
    let ie = |e: StoreError| view::internal(lang, false, &e);
    let (rows, departments) = st.db.systems_page(&query, true).await.map_err(ie)?;
    Ok(render(&SystemsPage {
        p: Page::new(&ident, "systems.title", "systems")
            .with_flash(q.get("done").map(String::as_str)),
        rows,
        departments,
        q: query.text.clone(),
        segment: query
            .segment
            .map(|s| s.key().to_owned())
            .unwrap_or_default(),
        status: query.status.map(|s| s.key().to_owned()).unwrap_or_default(),
        department: query
            .department_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
        sort: sort.key().to_owned(),
        desc: query.descending,
    }))
}

#[derive(Template)]
#[template(path = "system_form.html")]
struct SystemForm {
    p: Page,
    action: String,
    input: SystemInput,
    errors: Vec<FieldError>,
    departments: Vec<DepartmentName>,
    version: i64,
    cancel: String,
}

impl SystemForm {
    fn err(&self, field: &str) -> Option<&'static str> {
        field_error(&self.p, &self.errors, field)
    }
    fn selected(&self, value: &str, current: &str) -> bool {
        value == current
    }
    fn external(&self) -> bool {
        self.input.external_access.is_some()
    }
}

pub async fn new_system(State(st): State<AppState>, Extension(ident): Extension<Identity>) -> Res {
    let departments = st
        .db
        .department_names()
        .await
        .map_err(|e| view::internal(ident.lang, false, &e))?;
    Ok(render(&SystemForm {
        p: Page::new(&ident, "system_form.new_title", "systems"),
        action: "/systems".into(),
        input: SystemInput {
            confidentiality: "2".into(),
            integrity: "2".into(),
            availability: "2".into(),
            status: "planning".into(),
            user_base: "staff".into(),
            ..SystemInput::default()
        },
        errors: Vec::new(),
        departments,
        version: 0,
        cancel: "/systems".into(),
    }))
}

#[derive(serde::Deserialize)]
pub struct SystemFormData {
    #[serde(flatten)]
    input: SystemInput,
    #[serde(default)]
    version: String,
}

#[allow(clippy::too_many_arguments)]
async fn form_errors(
    st: &AppState,
    ident: &Identity,
    title: &'static str,
    action: String,
    input: SystemInput,
    errors: Vec<FieldError>,
    version: i64,
    cancel: String,
) -> Response {
    let departments = st.db.department_names().await.unwrap_or_default();
    let mut res = render(&SystemForm {
        p: Page::new(ident, title, "systems"),
        action,
        input,
        errors,
        departments,
        version,
        cancel,
    });
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

pub async fn create_system(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Form(f): Form<SystemFormData>,
) -> Res {
    let title = "system_form.new_title";
    let valid = match f.input.validate() {
        Ok(v) => v,
        Err(errors) => {
            return Err(form_errors(
                &st,
                &ident,
                title,
                "/systems".into(),
                f.input,
                errors,
                0,
                "/systems".into(),
            )
            .await);
        }
    };
    match st
        .db
        .create_system(&valid, &st.actor(ident.username()))
        .await
    {
        Ok(id) => Ok(see_other(&format!("/systems/{id}?done=created"))),
        Err(StoreError::Invalid(field)) => Err(form_errors(
            &st,
            &ident,
            title,
            "/systems".into(),
            f.input,
            vec![FieldError::new(&field, "invalid_choice")],
            0,
            "/systems".into(),
        )
        .await),
        Err(e) => Err(view::internal(ident.lang, false, &e)),
    }
}

async fn load_system(st: &AppState, ident: &Identity, id: i64) -> Result<SystemRecord, Response> {
    st.db
        .system(id)
        .await
        .map_err(|e| view::internal(ident.lang, false, &e))?
        .ok_or_else(|| view::not_found(ident.lang, false))
}

pub async fn edit_system(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
) -> Res {
    let rec = load_system(&st, &ident, id).await?;
    let departments = st
        .db
        .department_names()
        .await
        .map_err(|e| view::internal(ident.lang, false, &e))?;
    Ok(render(&SystemForm {
        p: Page::new(&ident, "system_form.edit_title", "systems"),
        action: format!("/systems/{id}"),
        input: rec.system.to_input(),
        errors: Vec::new(),
        departments,
        version: rec.version,
        cancel: format!("/systems/{id}"),
    }))
}

pub async fn update_system(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Form(f): Form<SystemFormData>,
) -> Res {
    let title = "system_form.edit_title";
    let rec = load_system(&st, &ident, id).await?;
    let version = f.version.parse().unwrap_or(0);
    let (action, cancel) = (format!("/systems/{id}"), format!("/systems/{id}"));
    let valid = match f.input.validate() {
        Ok(v) => v,
        Err(errors) => {
            return Err(
                form_errors(&st, &ident, title, action, f.input, errors, version, cancel).await,
            );
        }
    };
    match st
        .db
        .update_system(rec.id, version, &valid, &st.actor(ident.username()))
        .await
    {
        Ok(()) => Ok(see_other(&format!("/systems/{id}?done=saved"))),
        Err(StoreError::Conflict(_)) => Err(form_errors(
            &st,
            &ident,
            title,
            action,
            f.input,
            vec![FieldError::new("version", "stale")],
            rec.version,
            cancel,
        )
        .await),
        Err(StoreError::Invalid(field)) => Err(form_errors(
            &st,
            &ident,
            title,
            action,
            f.input,
            vec![FieldError::new(&field, "invalid_choice")],
            version,
            cancel,
        )
        .await),
        Err(e) => Err(view::internal(ident.lang, false, &e)),
    }
}

#[derive(Template)]
#[template(path = "system.html")]
struct SystemPage {
    p: Page,
    s: SystemRecord,
    conditions: usize,
    overrides: usize,
    documents: Vec<mamori_store::app::DocumentInfo>,
}

impl SystemPage {
    fn time(&self, t: &str) -> String {
        view::short_time(t)
    }
    fn wareki(&self, t: &str) -> String {
        view::date_wareki(t)
    }
}

pub async fn system(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    let s = load_system(&st, &ident, id).await?;
    let ie = |e: StoreError| view::internal(ident.lang, false, &e);
    let sbd = st.db.sbd_state(id).await.map_err(ie)?;
    let documents = st.db.documents(id).await.map_err(ie)?;
    Ok(render(&SystemPage {
        p: Page::new(&ident, "system.title", "systems")
            .with_flash(q.get("done").map(String::as_str)),
        conditions: st.sbd_catalog().map_or(0, |c| c.conditions.len()),
        overrides: sbd.overrides.len(),
        s,
        documents,
    }))
}

// ---- audit trail -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    p: Page,
    total: u64,
    broken: Option<mamori_audit::Break>,
    /// When the whole chain was last verified from its first entry.
    full_at: String,
    rows: RowPage<Entry>,
    object: String,
}

impl AuditPage {
    fn page_href(&self, page: u32) -> String {
        if self.object.is_empty() {
            format!("/audit?page={page}")
        } else {
            format!(
                "/audit?object={}&page={page}",
                crate::urlencode(&self.object)
            )
        }
    }
    fn prev_page(&self) -> u32 {
        self.rows.page.saturating_sub(1)
    }
    fn next_page(&self) -> u32 {
        self.rows.page + 1
    }
    fn short_hash(&self, h: &str) -> String {
        h.chars().take(12).collect()
    }
}

pub async fn audit(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    let ie = |e: StoreError| view::internal(ident.lang, false, &e);
    let force_full = q.get("verify").is_some_and(|v| v == "full");
    let status = crate::chain::check(&st.db, &st.chain, st.now(), force_full)
        .await
        .map_err(ie)?;
    let object = q.get("object").cloned().unwrap_or_default();
    let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let rows = st
        .db
        .audit_page((!object.is_empty()).then_some(object.as_str()), page, 50)
        .await
        .map_err(ie)?;
    Ok(render(&AuditPage {
        p: Page::new(&ident, "audit.title", "audit"),
        total: status.total,
        broken: status.broken,
        full_at: crate::rfc3339_jst(status.full_at),
        rows,
        object,
    }))
}

// ---- users -------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    p: Page,
    users: Vec<User>,
    departments: Vec<DepartmentName>,
    errors: Vec<FieldError>,
    form: HashMap<String, String>,
    /// A temporary password just issued (shown once).
    issued: Option<(String, String)>,
}

impl UsersPage {
    fn err(&self, field: &str) -> Option<&'static str> {
        field_error(&self.p, &self.errors, field)
    }
    fn value(&self, field: &str) -> &str {
        self.form.get(field).map_or("", String::as_str)
    }
    fn department_name(&self, id: &Option<i64>) -> &str {
        id.and_then(|id| self.departments.iter().find(|d| d.id == id))
            .map_or("-", |d| d.name.as_str())
    }
}

async fn users_page(
    st: &AppState,
    ident: &Identity,
    errors: Vec<FieldError>,
    form: HashMap<String, String>,
    issued: Option<(String, String)>,
    done: Option<&str>,
) -> Res {
    let ie = |e: StoreError| view::internal(ident.lang, false, &e);
    let users = st.db.users().await.map_err(ie)?;
    let departments = st.db.department_names().await.map_err(ie)?;
    let failed = !errors.is_empty();
    let res = render(&UsersPage {
        p: Page::new(ident, "users.title", "users").with_flash(done),
        users,
        departments,
        errors,
        form,
        issued,
    });
    Ok(unprocessable_if(failed, res))
}

pub async fn users(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    users_page(
        &st,
        &ident,
        Vec::new(),
        HashMap::new(),
        None,
        q.get("done").map(String::as_str),
    )
    .await
}

/// A random temporary password (16 characters from an unambiguous alphabet).
fn temporary_password() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| format!("no randomness: {e}"))?;
    Ok(b.iter()
        .map(|x| char::from(ALPHABET[usize::from(*x) % ALPHABET.len()]))
        .collect())
}

pub async fn create_user(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Form(form): Form<HashMap<String, String>>,
) -> Res {
    let lang = ident.lang;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let username = validate_username(&get("username"))
        .map_err(|e| errors.push(e))
        .ok();
    let display = validate_display_name(&get("display_name"))
        .map_err(|e| errors.push(e))
        .ok();
    let role = Role::parse(&get("role"));
    if role.is_none() {
        errors.push(FieldError::new("role", "invalid_choice"));
    }
    let department_id = match get("department_id").as_str() {
        "" => None,
        d => match d.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(FieldError::new("department_id", "invalid_choice"));
                None
            }
        },
    };
    let (Some(username), Some(display_name), Some(role), true) =
        (username, display, role, errors.is_empty())
    else {
        return users_page(&st, &ident, errors, form, None, None).await;
    };
    let temp = temporary_password().map_err(|e| view::internal(lang, false, &e))?;
    let t2 = temp.clone();
    let hash = hash_blocking(lang, t2).await?;
    let u = NewUser {
        username: username.clone(),
        display_name,
        role,
        department_id,
        password_hash: hash,
        must_change_password: true,
    };
    match st.db.create_user(&u, &st.actor(ident.username())).await {
        Ok(_) => {
            users_page(
                &st,
                &ident,
                Vec::new(),
                HashMap::new(),
                Some((username, temp)),
                Some("user_created"),
            )
            .await
        }
        Err(StoreError::Conflict(_)) => {
            users_page(
                &st,
                &ident,
                vec![FieldError::new("username", "taken")],
                form,
                None,
                None,
            )
            .await
        }
        Err(StoreError::Invalid(f)) => {
            users_page(
                &st,
                &ident,
                vec![FieldError::new(&f, "invalid_choice")],
                form,
                None,
                None,
            )
            .await
        }
        Err(e) => Err(view::internal(lang, false, &e)),
    }
}

/// An administrator cannot lock themselves out.
fn not_self(ident: &Identity, id: i64) -> Result<(), Response> {
    if ident.user.as_ref().is_some_and(|u| u.id == id) {
        return Err(view::error_response(
            StatusCode::CONFLICT,
            ident.lang,
            false,
            "self_change",
        ));
    }
    Ok(())
}

pub async fn user_role(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Res {
    not_self(&ident, id)?;
    let Some(role) = form.get("role").and_then(|r| Role::parse(r)) else {
        return Err(view::error_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            ident.lang,
            false,
            "invalid",
        ));
    };
    let changed = st.db.set_role(id, role, &st.actor(ident.username())).await;
    st.forget_tokens();
    match changed {
        Ok(()) => Ok(see_other("/users?done=role_changed")),
        Err(StoreError::NotFound) => Err(view::not_found(ident.lang, false)),
        Err(e) => Err(view::internal(ident.lang, false, &e)),
    }
}

async fn set_disabled(st: &AppState, ident: &Identity, id: i64, disabled: bool) -> Res {
    not_self(ident, id)?;
    let changed = st
        .db
        .set_user_disabled(id, disabled, &st.actor(ident.username()))
        .await;
    st.forget_tokens();
    match changed {
        Ok(()) => Ok(see_other(if disabled {
            "/users?done=user_disabled"
        } else {
            "/users?done=user_enabled"
        })),
        Err(StoreError::NotFound) => Err(view::not_found(ident.lang, false)),
        Err(e) => Err(view::internal(ident.lang, false, &e)),
    }
}

pub async fn user_disable(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
) -> Res {
    set_disabled(&st, &ident, id, true).await
}

pub async fn user_enable(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
) -> Res {
    set_disabled(&st, &ident, id, false).await
}

pub async fn user_reset(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Path(id): Path<i64>,
) -> Res {
    let lang = ident.lang;
    not_self(&ident, id)?;
    let Some(user) = st
        .db
        .user(id)
        .await
        .map_err(|e| view::internal(lang, false, &e))?
    else {
        return Err(view::not_found(lang, false));
    };
    let temp = temporary_password().map_err(|e| view::internal(lang, false, &e))?;
    let t2 = temp.clone();
    let hash = hash_blocking(lang, t2).await?;
    st.db
        .set_password(id, &hash, true, None, &st.actor(ident.username()))
        .await
        .map_err(|e| view::internal(lang, false, &e))?;
    users_page(
        &st,
        &ident,
        Vec::new(),
        HashMap::new(),
        Some((user.username, temp)),
        Some("password_reset"),
    )
    .await
}

// ---- settings ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    p: Page,
    org: String,
    departments: Vec<Department>,
    errors: Vec<FieldError>,
    new_token: Option<String>,
}

impl SettingsPage {
    fn err(&self, field: &str) -> Option<&'static str> {
        field_error(&self.p, &self.errors, field)
    }
}

async fn settings_page(
    st: &AppState,
    ident: &Identity,
    errors: Vec<FieldError>,
    new_token: Option<String>,
    done: Option<&str>,
) -> Res {
    let ie = |e: StoreError| view::internal(ident.lang, false, &e);
    let org = st.db.organisation().await.map_err(ie)?.unwrap_or_default();
    let departments = st.db.departments().await.map_err(ie)?;
    let failed = !errors.is_empty();
    let res = render(&SettingsPage {
        p: Page::new(ident, "settings.title", "settings").with_flash(done),
        org,
        departments,
        errors,
        new_token,
    });
    Ok(unprocessable_if(failed, res))
}

pub async fn settings(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Query(q): Query<HashMap<String, String>>,
) -> Res {
    settings_page(
        &st,
        &ident,
        Vec::new(),
        None,
        q.get("done").map(String::as_str),
    )
    .await
}

pub async fn change_password(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Form(form): Form<HashMap<String, String>>,
) -> Res {
    let lang = ident.lang;
    let Some(user) = ident.user.clone() else {
        return Err(view::error_response(
            StatusCode::UNAUTHORIZED,
            lang,
            false,
            "unauthorized",
        ));
    };
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let current = get("current_password");
    let stored = st
        .db
        .user_for_login(&user.username)
        .await
        .map_err(|e| view::internal(lang, false, &e))?
        .map(|(_, h)| h)
        .unwrap_or_default();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&stored, &current))
        .await
        .unwrap_or(false);
    let mut errors = Vec::new();
    if !ok {
        errors.push(FieldError::new("current_password", "wrong_password"));
    }
    errors.extend(check_new_password(
        &get("password"),
        &get("password_confirm"),
        &user.username,
    ));
    if get("password") == get("current_password") && errors.is_empty() {
        errors.push(FieldError::new("password", "password_unchanged"));
    }
    if !errors.is_empty() {
        return settings_page(&st, &ident, errors, None, None).await;
    }
    let pw = get("password");
    let hash = hash_blocking(lang, pw).await?;
    st.db
        .set_password(
            user.id,
            &hash,
            false,
            ident.session_hash.as_deref(),
            &st.actor(&user.username),
        )
        .await
        .map_err(|e| view::internal(lang, false, &e))?;
    Ok(see_other("/settings?done=password_changed"))
}

pub async fn create_token(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Form(form): Form<HashMap<String, String>>,
) -> Res {
    let lang = ident.lang;
    let Some(user) = ident.user.clone() else {
        return Err(view::error_response(
            StatusCode::UNAUTHORIZED,
            lang,
            false,
            "unauthorized",
        ));
    };
    let name = match form_name(&form, 64) {
        Ok(n) => n,
        Err(e) => {
            return settings_page(&st, &ident, vec![FieldError::new("name", e)], None, None).await;
        }
    };
    let token = format!(
        "mamori_{}",
        auth::random_hex(24).map_err(|e| view::internal(lang, false, &e))?
    );
    st.db
        .create_api_token(
            user.id,
            &name,
            &auth::sha256_hex(token.as_bytes()),
            &st.actor(&user.username),
        )
        .await
        .map_err(|e| view::internal(lang, false, &e))?;
    settings_page(&st, &ident, Vec::new(), Some(token), Some("token_created")).await
}

/// The trimmed `name` field of a settings form: required, at most `max` characters.
fn form_name(form: &HashMap<String, String>, max: usize) -> Result<String, &'static str> {
    let name = form
        .get("name")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    if name.is_empty() {
        Err("required")
    } else if name.chars().count() > max {
        Err("too_long")
    } else {
        Ok(name)
    }
}

pub async fn set_organisation(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Form(form): Form<HashMap<String, String>>,
) -> Res {
    let name = match form_name(&form, 100) {
        Ok(n) => n,
        Err(e) => {
            return settings_page(
                &st,
                &ident,
                vec![FieldError::new("org_name", e)],
                None,
                None,
            )
            .await;
        }
    };
    st.db
        .set_organisation(&name, &st.actor(ident.username()))
        .await
        .map_err(|e| view::internal(ident.lang, false, &e))?;
    Ok(see_other("/settings?done=saved"))
}

pub async fn add_department(
    State(st): State<AppState>,
    Extension(ident): Extension<Identity>,
    Form(form): Form<HashMap<String, String>>,
) -> Res {
    let name = match form_name(&form, 64) {
        Ok(n) => n,
        Err(e) => {
            return settings_page(
                &st,
                &ident,
                vec![FieldError::new("department", e)],
                None,
                None,
            )
            .await;
        }
    };
    match st
        .db
        .add_department(&name, &st.actor(ident.username()))
        .await
    {
        Ok(_) => Ok(see_other("/settings?done=department_added")),
        Err(StoreError::Conflict(_)) => {
            settings_page(
                &st,
                &ident,
                vec![FieldError::new("department", "taken")],
                None,
                None,
            )
            .await
        }
        Err(e) => Err(view::internal(ident.lang, false, &e)),
    }
}
