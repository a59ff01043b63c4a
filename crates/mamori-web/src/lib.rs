//! mamori's web application: server-rendered pages (askama) and the JSON API (axum) over the
//! application database.
//!
//! Every route is listed in [`auth::ROUTES`] with what it needs; the access middleware checks
//! the session or API token, the role and (for forms) the CSRF token before any handler runs.

// Handlers answer `Result<Response, Response>`: both sides are responses of the same size, so
// boxing the error side would only add an allocation.
#![allow(clippy::result_large_err)]

pub mod api;
mod assess;
pub mod auth;
pub mod chain;
pub mod corp;
pub mod corp_api;
mod corp_pages;
mod demo;
pub mod i18n;
mod pages;
mod sbd;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use mamori_catalog::{Catalog, CatalogSet, Lang};
use mamori_model::Permission;
use mamori_store::StoreError;
use mamori_store::app::{Actor, AppDb, User};
use mamori_store::evidence_store::EvidenceStore;

pub use demo::{DEMO_CATALOG, load_demo, load_demo_assessment};

use crate::auth::{Access, Throttle, access_for};

/// The current time; the CLI passes the system clock, tests a fixed one.
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: AppDb,
    pub catalogs: Arc<CatalogSet>,
    pub clock: Clock,
    pub throttle: Arc<Throttle>,
    /// Mark cookies `Secure` (when served over HTTPS, e.g. behind a reverse proxy).
    pub secure_cookies: bool,
    /// The audit chain's verified prefix (see [`chain`]).
    pub chain: Arc<tokio::sync::Mutex<chain::ChainMemo>>,
    /// Evidence files of assessments (content-addressed, outside the database).
    pub evidence: EvidenceStore,
    /// The largest evidence file accepted, in bytes.
    pub upload_limit: u64,
    /// The local copy of the 法人番号 data (loaded in the background; see [`corp`]).
    pub corp: Arc<corp::CorpShared>,
    /// API tokens found valid, of the JSON API and the NTA-compatible one (see
    /// [`auth::TokenCache`]).
    pub api_tokens: Arc<auth::TokenCache>,
}

impl AppState {
    pub fn new(db: AppDb, catalogs: CatalogSet, clock: Clock, evidence: EvidenceStore) -> AppState {
        AppState {
            db,
            catalogs: Arc::new(catalogs),
            clock,
            throttle: Arc::new(Throttle::default()),
            secure_cookies: false,
            chain: Arc::default(),
            evidence,
            upload_limit: mamori_assess::DEFAULT_UPLOAD_LIMIT,
            corp: Arc::default(),
            api_tokens: Arc::default(),
        }
    }

    /// Forgets the API tokens found valid after a change to a user's role or state: the
    /// next request asks the database.
    pub fn forget_tokens(&self) {
        self.api_tokens.clear();
    }

    pub fn now(&self) -> jiff::Timestamp {
        (self.clock)()
    }

    /// RFC 3339 in Japan time.
    pub fn now_rfc3339(&self) -> String {
        rfc3339_jst(self.now())
    }

    pub fn actor(&self, name: &str) -> Actor {
        Actor {
            name: name.to_owned(),
            time: self.now_rfc3339(),
        }
    }

    /// The SBD catalog (built in; an overlay may extend it).
    pub fn sbd_catalog(&self) -> Option<&Catalog> {
        self.catalogs.get(mamori_sbd::SBD_CATALOG)
    }
}

/// While no active administrator exists, stores the SHA-256 of a fresh one-time setup token and
/// returns the token (to be shown once, as `/setup?token=…`); `None` once an administrator exists.
pub async fn issue_setup_token(db: &AppDb) -> Result<Option<String>, StoreError> {
    if db.admin_count().await? > 0 {
        return Ok(None);
    }
    let token = auth::random_hex(24).map_err(StoreError::Invalid)?;
    db.set_setting("setup_token", Some(&auth::sha256_hex(token.as_bytes())))
        .await?;
    Ok(Some(token))
}

pub fn rfc3339_jst(t: jiff::Timestamp) -> String {
    let jst = jiff::tz::TimeZone::fixed(jiff::tz::offset(9));
    t.to_zoned(jst).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Who is asking: put into every request's extensions by the access middleware.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user: Option<User>,
    /// The session's CSRF token, or the pre-login token.
    pub csrf: String,
    /// SHA-256 of the session cookie, when signed in through the browser.
    pub session_hash: Option<String>,
    pub lang: Lang,
    /// Path and query of the request (for the language toggle and `next`).
    pub path: String,
}

impl Identity {
    pub fn can(&self, p: Permission) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role.can(p) && !u.disabled)
    }

    pub fn username(&self) -> &str {
        self.user.as_ref().map_or("-", |u| u.username.as_str())
    }
}

pub const SESSION_COOKIE: &str = "mamori_session";
pub const PRE_COOKIE: &str = "mamori_pre";
pub const LANG_COOKIE: &str = "mamori_lang";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/`.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static(""))
}

/// The largest form or JSON body accepted.
const BODY_LIMIT: usize = 1 << 20;

/// What an upload route accepts beyond the file itself (the other form fields, multipart framing).
const UPLOAD_OVERHEAD: u64 = 256 * 1024;

/// Builds the application.
pub fn router(state: AppState) -> Router {
    let upload_body =
        usize::try_from(state.upload_limit.saturating_add(UPLOAD_OVERHEAD)).unwrap_or(usize::MAX);
    let r = Router::new()
        .route("/healthz", get(pages::healthz))
        .route("/static/{file}", get(view::static_file))
        .route("/lang/{lang}", get(pages::set_lang))
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/setup", get(pages::setup_page).post(pages::setup))
        .route("/logout", post(pages::logout))
        .route("/", get(pages::dashboard))
        .route("/systems", get(pages::systems).post(pages::create_system))
        .route("/systems/new", get(pages::new_system))
        .route(
            "/systems/{id}",
            get(pages::system).post(pages::update_system),
        )
        .route("/systems/{id}/edit", get(pages::edit_system))
        .route(
            "/systems/{id}/sbd",
            get(sbd::questions).post(sbd::save_answers),
        )
        .route(
            "/systems/{id}/sbd/levels",
            get(sbd::levels).post(sbd::save_levels),
        )
        .route("/systems/{id}/sbd/preview", get(sbd::preview))
        .route("/systems/{id}/sbd/documents", post(sbd::generate))
        .route("/systems/{id}/sbd/history", get(sbd::history))
        .route("/documents/{id}", get(sbd::download))
        .route("/assessments", get(assess::list).post(assess::create))
        .route("/assessments/{id}", get(assess::detail))
        .route("/assessments/{id}/items/{item}", get(assess::item))
        .route(
            "/assessments/{id}/items/{item}/result",
            post(assess::set_result),
        )
        .route(
            "/assessments/{id}/items/{item}/remediation",
            post(assess::set_remediation),
        )
        .route(
            "/assessments/{id}/items/{item}/evidence",
            post(assess::add_evidence),
        )
        .route(
            "/assessments/{id}/items/{item}/upload",
            post(assess::upload).layer(axum::extract::DefaultBodyLimit::max(upload_body)),
        )
        .route(
            "/assessments/{id}/evidence/{eid}",
            get(assess::download_evidence),
        )
        .route(
            "/assessments/{id}/evidence/{eid}/remove",
            post(assess::remove_evidence),
        )
        .route("/assessments/{id}/submit", post(assess::submit))
        .route("/assessments/{id}/return", post(assess::return_to_draft))
        .route("/assessments/{id}/signoff", post(assess::sign_off))
        .route("/assessments/{id}/copy", post(assess::copy_forward))
        .route("/assessments/{id}/report.xlsx", get(assess::report_xlsx))
        .route("/assessments/{id}/report.docx", get(assess::report_docx))
        .route("/assessments/{id}/report.html", get(assess::report_html))
        .route("/audit", get(pages::audit))
        .route("/users", get(pages::users).post(pages::create_user))
        .route("/users/{id}/role", post(pages::user_role))
        .route("/users/{id}/disable", post(pages::user_disable))
        .route("/users/{id}/enable", post(pages::user_enable))
        .route("/users/{id}/reset", post(pages::user_reset))
        .route("/settings", get(pages::settings))
        .route("/settings/password", post(pages::change_password))
        .route("/settings/tokens", post(pages::create_token))
        .route("/settings/organisation", post(pages::set_organisation))
        .route("/settings/departments", post(pages::add_department))
        .route("/corp", get(corp_pages::search))
        .route("/corp/downloads", get(corp_pages::downloads))
        .route("/corp/downloads/full", get(corp_pages::download_full))
        .route("/corp/downloads/diff", get(corp_pages::download_diff))
        .route("/corp/{number}", get(corp_pages::detail))
        .route("/4/num", get(corp_api::num))
        .route("/4/diff", get(corp_api::diff))
        .route("/4/name", get(corp_api::name))
        .route("/api/v1/corp/search", get(corp_api::api_search))
        .route("/api/v1/corp/{number}", get(corp_api::api_show))
        .merge(api::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), access))
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(security_headers));
    r.with_state(state)
}

/// The Content-Security-Policy of every page (a page may add the hash of an inline style of its
/// own making; downloads get `sandbox`).
pub(crate) const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A handler may set a stricter policy (downloads: `sandbox`).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Checks identity, role and CSRF for every matched route (see [`auth::ROUTES`]).
async fn access(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let matched = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let path_q = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let lang = cookie(&parts.headers, LANG_COOKIE)
        .and_then(|l| Lang::parse(&l))
        .unwrap_or(Lang::Ja);
    let api = is_api(&matched);
    let Some(rule) = access_for(&parts.method, &matched) else {
        tracing::error!(route = %matched, method = %parts.method, "route without an access rule");
        return view::error_response(StatusCode::FORBIDDEN, lang, api, "forbidden");
    };
    let now = st.now();
    let mut ident = Identity {
        user: None,
        csrf: String::new(),
        session_hash: None,
        lang,
        path: path_q.clone(),
    };
    if api {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if let Some(token) = bearer {
            let hash = auth::sha256_hex(token.as_bytes());
            ident.user = match st.api_tokens.get(&hash, now, auth::API_TOKEN_TTL) {
                Some(u) => Some(u),
                None => {
                    let generation = st.api_tokens.generation();
                    match st.db.user_by_api_token(&hash).await {
                        Ok(u) => {
                            if let Some(u) = &u {
                                st.api_tokens.put(hash, u.clone(), now, generation);
                            }
                            u
                        }
                        Err(e) => return view::internal(lang, api, &e),
                    }
                }
            };
        }
    } else if let Some(tok) = cookie(&parts.headers, SESSION_COOKIE) {
        let h = auth::sha256_hex(tok.as_bytes());
        match st.db.session(&h, now.as_second()).await {
            Ok(Some((user, csrf))) => {
                ident.user = Some(user);
                ident.csrf = csrf;
                ident.session_hash = Some(h);
            }
            Ok(None) => {}
            Err(e) => return view::internal(lang, api, &e),
        }
    }
    if ident.user.is_none() && !api {
        ident.csrf = cookie(&parts.headers, PRE_COOKIE).unwrap_or_default();
    }
    match (rule, &ident.user) {
        (Access::Public, _) => {}
        (_, None) => {
            if api {
                return view::error_response(StatusCode::UNAUTHORIZED, lang, true, "unauthorized");
            }
            let next = urlencode(&path_q);
            return Redirect::to(&format!("/login?next={next}")).into_response();
        }
        (Access::SignedIn, Some(_)) => {}
        (Access::Needs(p), Some(u)) => {
            if !u.role.can(p) {
                tracing::info!(user = %u.username, route = %matched, "forbidden by role");
                return view::error_response(StatusCode::FORBIDDEN, lang, api, "forbidden");
            }
        }
    }
    // A user with a temporary password must set their own before doing anything else.
    if let Some(u) = &ident.user
        && u.must_change_password
        && !api
        && !matches!(
            matched.as_str(),
            "/settings" | "/settings/password" | "/logout" | "/static/{file}" | "/lang/{lang}"
        )
    {
        return Redirect::to("/settings?done=must_change").into_response();
    }
    // CSRF: every browser form carries the session's token (or, before login, the token of
    // the pre-login cookie).
    let mut body = body;
    // A file upload is not buffered here: its handler reads the multipart form within the
    // upload limit and checks the CSRF field itself (see `auth::MULTIPART_ROUTES`).
    let multipart = auth::MULTIPART_ROUTES.contains(&matched.as_str())
        && parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
    if !api && !multipart && parts.method != Method::GET && parts.method != Method::HEAD {
        let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
            Ok(b) => b,
            Err(_) => {
                return view::error_response(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    lang,
                    false,
                    "too_large",
                );
            }
        };
        let sent = form_field(&bytes, "csrf").unwrap_or_default();
        if ident.csrf.is_empty() || !auth::same_secret(&sent, &ident.csrf) {
            tracing::warn!(route = %matched, "CSRF token missing or wrong");
            return view::error_response(StatusCode::FORBIDDEN, lang, false, "csrf");
        }
        body = Body::from(bytes);
    }
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let user = ident.username().to_owned();
    let method = parts.method.clone();
    parts.extensions.insert(ident);
    let started = std::time::Instant::now();
    let res = next.run(Request::from_parts(parts, body)).await;
    // The route pattern, not the path: no ids or query strings (search words) in the log.
    tracing::info!(
        %method,
        route = %matched,
        status = res.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        user = %user,
        peer = ?peer,
        "request"
    );
    res
}

/// One field of an `application/x-www-form-urlencoded` body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Percent-encodes a string for a query parameter.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Serves the application until `shutdown` completes (in-flight requests finish first).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
