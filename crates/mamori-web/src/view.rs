//! What every page shares: the page context (language, user, CSRF token), rendering, error
//! pages and the stylesheet.

use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use mamori_catalog::Lang;
use mamori_model::{Permission, Role};
use mamori_store::app::User;

use crate::{Identity, i18n, urlencode};

/// Handlers answer with a page or with an error page.
pub type Res = Result<Response, Response>;

/// The context every template receives as `p`.
#[derive(Debug, Clone)]
pub struct Page {
    pub lang: Lang,
    pub user: Option<User>,
    pub csrf: String,
    pub path: String,
    /// Message key of the page title.
    pub title: &'static str,
    /// Message key of a notice to show once (from `?done=`).
    pub flash: Option<String>,
    /// Which navigation entry is current.
    pub nav: &'static str,
}

impl Page {
    pub fn new(ident: &Identity, title: &'static str, nav: &'static str) -> Page {
        Page {
            lang: ident.lang,
            user: ident.user.clone(),
            csrf: ident.csrf.clone(),
            path: ident.path.clone(),
            title,
            flash: None,
            nav,
        }
    }

    pub fn with_flash(mut self, done: Option<&str>) -> Page {
        self.flash = done
            .filter(|d| d.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(|d| format!("flash.{d}"))
            .filter(|k| i18n::messages().has(Lang::Ja, k));
        self
    }

    /// A message in the page's language.
    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn can(&self, perm: &str) -> bool {
        let Some(p) = Permission::parse(perm) else {
            return false;
        };
        self.user.as_ref().is_some_and(|u| u.role.can(p))
    }

    /// Link that switches the interface language and comes back here.
    pub fn lang_href(&self, code: &str) -> String {
        format!("/lang/{code}?next={}", urlencode(&self.path))
    }

    pub fn role_name(&self, role: &Role) -> &'static str {
        self.t(role.label())
    }

    pub fn current(&self, nav: &str) -> &'static str {
        if self.nav == nav { "page" } else { "false" }
    }
}

pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: Lang,
    status: u16,
    title: &'static str,
    message: &'static str,
}

impl ErrorPage {
    fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }
}

/// An error as a page (browser) or as `{"error": {"code", "message"}}` (API).
pub fn error_response(status: StatusCode, lang: Lang, api: bool, code: &'static str) -> Response {
    let message = i18n::messages()
        .lookup(lang, &format!("error_page.{code}"))
        .unwrap_or_else(|| i18n::t(lang, "error_page.internal"));
    if api {
        let body = serde_json::json!({"error": {"code": code, "message": message}});
        return (status, axum::Json(body)).into_response();
    }
    let page = ErrorPage {
        lang,
        status: status.as_u16(),
        title: i18n::t(lang, "error_page.title"),
        message,
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    res
}

pub fn internal(lang: Lang, api: bool, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "request failed");
    error_response(StatusCode::INTERNAL_SERVER_ERROR, lang, api, "internal")
}

pub fn not_found(lang: Lang, api: bool) -> Response {
    error_response(StatusCode::NOT_FOUND, lang, api, "not_found")
}

/// A redirect after a successful POST (303: the browser follows with GET).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

const CSS: &str = include_str!("../static/app.css");

/// htmx (0BSD, vendored unmodified from the npm package `htmx.org`; licence next to it).
/// Pages work without it; it only saves round trips where a page reacts to input.
pub const HTMX_FILE: &str = "htmx-2.0.4.min.js";
const HTMX: &str = include_str!("../static/vendor/htmx-2.0.4.min.js");

pub async fn static_file(Path(file): Path<String>) -> Response {
    match file.as_str() {
        "app.css" => {
            let mut r = ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response();
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            r
        }
        HTMX_FILE => {
            let mut r = (
                [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                HTMX,
            )
                .into_response();
            // The name carries the version: a new htmx is a new URL.
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            r
        }
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `2026-11-23T10:00:00+09:00` → `2026-11-23 10:00`.
pub fn short_time(rfc3339: &str) -> String {
    let s = rfc3339.replacen('T', " ", 1);
    s.chars().take(16).collect()
}

/// `2026-11-23T…` → `2026-11-23（令和8年11月23日）`.
pub fn date_wareki(rfc3339: &str) -> String {
    match rfc3339
        .get(..10)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
    {
        Some(d) => mamori_export::date_with_wareki(d),
        None => rfc3339.to_owned(),
    }
}
