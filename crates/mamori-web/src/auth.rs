//! Accounts and access: Argon2id passwords, random tokens, sessions, login throttling and the
//! access table that every route is checked against.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::http::Method;
use mamori_model::Permission;
use sha2::{Digest, Sha256};

/// Hashes a password with Argon2id (v19, 19 MiB, 2 passes, 1 lane: the OWASP baseline) and a
/// random 16-byte salt; returns the PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A hash of a password nobody knows: verified against when the user does not exist, so a
/// wrong user name takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no user has this password").unwrap_or_default())
}

pub fn verify_password(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// `n` random bytes as lower-case hex.
pub fn random_hex(n: usize) -> Result<String, String> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| format!("no randomness: {e}"))?;
    Ok(hex(&b))
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn sha256_hex(s: &[u8]) -> String {
    hex(&Sha256::digest(s))
}

/// Compares secrets without an early exit.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// How long an API token found valid is trusted without asking the database again.
pub const API_TOKEN_TTL: jiff::SignedDuration = jiff::SignedDuration::from_secs(10);

/// API tokens found valid (bearer tokens of the JSON API, application ids of the
/// NTA-compatible one), by their SHA-256, with the user they belong to and when they were
/// looked up: a program that pages through results does not wait on the database for every
/// request. A change made in this process (a role changed, a user disabled) empties it at
/// once, and a look-up that was under way then is not kept; a change made elsewhere (the
/// command line) is seen within [`API_TOKEN_TTL`].
#[derive(Debug, Default)]
pub struct TokenCache {
    inner: Mutex<TokenCacheInner>,
}

#[derive(Debug, Default)]
struct TokenCacheInner {
    users: HashMap<String, (mamori_store::app::User, jiff::Timestamp)>,
    /// Counts the [`TokenCache::clear`]s.
    generation: u64,
}

impl TokenCache {
    /// The user of the token hash `hash`, if it was found valid less than `ttl` before `now`.
    pub fn get(
        &self,
        hash: &str,
        now: jiff::Timestamp,
        ttl: jiff::SignedDuration,
    ) -> Option<mamori_store::app::User> {
        let m = self.inner.lock().ok()?;
        m.users
            .get(hash)
            .filter(|(_, at)| {
                let age = now.duration_since(*at);
                !age.is_negative() && age < ttl
            })
            .map(|(u, _)| u.clone())
    }

    /// What to pass to [`TokenCache::put`]: read it before the database look-up.
    pub fn generation(&self) -> u64 {
        self.inner.lock().map_or(0, |m| m.generation)
    }

    /// Keeps what a look-up found, unless the cache was cleared since `generation` was read
    /// (the look-up may have seen the user before the change).
    pub fn put(
        &self,
        hash: String,
        user: mamori_store::app::User,
        now: jiff::Timestamp,
        generation: u64,
    ) {
        if let Ok(mut m) = self.inner.lock()
            && m.generation == generation
        {
            if m.users.len() >= 10_000 {
                m.users.clear();
            }
            m.users.insert(hash, (user, now));
        }
    }

    /// Forgets every token (after a change to users or tokens).
    pub fn clear(&self) {
        if let Ok(mut m) = self.inner.lock() {
            m.users.clear();
            m.generation += 1;
        }
    }
}

/// Failed logins: after `MAX_FAILURES` failures for one user name (or from one address) within
/// `WINDOW`, further attempts are refused for `LOCKOUT`, whatever the password.
#[derive(Debug, Default)]
pub struct Throttle {
    state: Mutex<HashMap<String, (u32, Instant)>>,
}

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);

impl Throttle {
    /// Whether any of `keys` is locked out now.
    pub fn locked(&self, keys: &[&str], now: Instant) -> bool {
        let Ok(s) = self.state.lock() else {
            return true;
        };
        keys.iter().any(|k| {
            s.get(*k).is_some_and(|(n, since)| {
                *n >= MAX_FAILURES && now.duration_since(*since) < LOCKOUT
            })
        })
    }

    pub fn fail(&self, keys: &[&str], now: Instant) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        // Forget old entries so the map cannot grow without bound.
        s.retain(|_, (_, since)| now.duration_since(*since) < WINDOW.max(LOCKOUT));
        for k in keys {
            let e = s.entry((*k).to_owned()).or_insert((0, now));
            if now.duration_since(e.1) >= WINDOW {
                *e = (0, now);
            }
            e.0 += 1;
            if e.0 == MAX_FAILURES {
                e.1 = now;
            }
        }
    }

    pub fn succeed(&self, keys: &[&str]) {
        if let Ok(mut s) = self.state.lock() {
            for k in keys {
                s.remove(*k);
            }
        }
    }
}

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (login, setup, health, static files).
    Public,
    /// Any signed-in user (their own settings, logout).
    SignedIn,
    /// A signed-in user whose role has this permission.
    Needs(Permission),
}

/// Every route of the application and what it needs. The access middleware refuses any route
/// not listed here (fail closed), and the tests walk this table for every role.
pub const ROUTES: &[(Method, &str, Access)] = {
    use Access::*;
    use Permission::*;
    &[
        (Method::GET, "/healthz", Public),
        (Method::GET, "/static/{file}", Public),
        (Method::GET, "/lang/{lang}", Public),
        (Method::GET, "/login", Public),
        (Method::POST, "/login", Public),
        (Method::GET, "/setup", Public),
        (Method::POST, "/setup", Public),
        (Method::POST, "/logout", SignedIn),
        (Method::GET, "/", Needs(View)),
        (Method::GET, "/systems", Needs(View)),
        (Method::GET, "/systems/new", Needs(EditSystems)),
        (Method::POST, "/systems", Needs(EditSystems)),
        (Method::GET, "/systems/{id}", Needs(View)),
        (Method::GET, "/systems/{id}/edit", Needs(EditSystems)),
        (Method::POST, "/systems/{id}", Needs(EditSystems)),
        (Method::GET, "/systems/{id}/sbd", Needs(View)),
        (Method::POST, "/systems/{id}/sbd", Needs(EditSbd)),
        (Method::GET, "/systems/{id}/sbd/levels", Needs(View)),
        (Method::POST, "/systems/{id}/sbd/levels", Needs(EditSbd)),
        (Method::GET, "/systems/{id}/sbd/preview", Needs(View)),
        (Method::POST, "/systems/{id}/sbd/documents", Needs(View)),
        (Method::GET, "/systems/{id}/sbd/history", Needs(View)),
        (Method::GET, "/documents/{id}", Needs(View)),
        (Method::GET, "/assessments", Needs(View)),
        (Method::POST, "/assessments", Needs(EditAssessments)),
        (Method::GET, "/assessments/{id}", Needs(View)),
        (Method::GET, "/assessments/{id}/items/{item}", Needs(View)),
        (
            Method::POST,
            "/assessments/{id}/items/{item}/result",
            Needs(EditAssessments),
        ),
        (
            Method::POST,
            "/assessments/{id}/items/{item}/remediation",
            Needs(EditAssessments),
        ),
        (
            Method::POST,
            "/assessments/{id}/items/{item}/evidence",
            Needs(EditAssessments),
        ),
        (
            Method::POST,
            "/assessments/{id}/items/{item}/upload",
            Needs(EditAssessments),
        ),
        (
            Method::GET,
            "/assessments/{id}/evidence/{eid}",
            Needs(ViewEvidence),
        ),
        (
            Method::POST,
            "/assessments/{id}/evidence/{eid}/remove",
            Needs(EditAssessments),
        ),
        (
            Method::POST,
            "/assessments/{id}/submit",
            Needs(EditAssessments),
        ),
        (
            Method::POST,
            "/assessments/{id}/return",
            Needs(SignOffAssessments),
        ),
        (
            Method::POST,
            "/assessments/{id}/signoff",
            Needs(SignOffAssessments),
        ),
        (
            Method::POST,
            "/assessments/{id}/copy",
            Needs(EditAssessments),
        ),
        (Method::GET, "/assessments/{id}/report.xlsx", Needs(View)),
        (Method::GET, "/assessments/{id}/report.docx", Needs(View)),
        (Method::GET, "/assessments/{id}/report.html", Needs(View)),
        (Method::GET, "/audit", Needs(ViewAudit)),
        (Method::GET, "/users", Needs(ViewUsers)),
        (Method::POST, "/users", Needs(ManageUsers)),
        (Method::POST, "/users/{id}/role", Needs(ManageUsers)),
        (Method::POST, "/users/{id}/disable", Needs(ManageUsers)),
        (Method::POST, "/users/{id}/enable", Needs(ManageUsers)),
        (Method::POST, "/users/{id}/reset", Needs(ManageUsers)),
        (Method::GET, "/settings", SignedIn),
        (Method::POST, "/settings/password", SignedIn),
        (Method::POST, "/settings/tokens", SignedIn),
        (
            Method::POST,
            "/settings/organisation",
            Needs(ManageSettings),
        ),
        (
            Method::POST,
            "/settings/departments",
            Needs(ManageDepartments),
        ),
        (Method::GET, "/api/v1/openapi.json", Public),
        (Method::GET, "/api/v1/systems", Needs(View)),
        (Method::POST, "/api/v1/systems", Needs(EditSystems)),
        (Method::GET, "/api/v1/systems/{id}", Needs(View)),
        (Method::PUT, "/api/v1/systems/{id}", Needs(EditSystems)),
        (Method::GET, "/api/v1/systems/{id}/sbd", Needs(View)),
        (Method::PUT, "/api/v1/systems/{id}/sbd", Needs(EditSbd)),
        (Method::GET, "/api/v1/departments", Needs(View)),
        (Method::GET, "/corp", Needs(View)),
        (Method::GET, "/corp/downloads", Needs(View)),
        (Method::GET, "/corp/downloads/full", Needs(View)),
        (Method::GET, "/corp/downloads/diff", Needs(View)),
        (Method::GET, "/corp/{number}", Needs(View)),
        // The NTA-compatible Web-API: the application `id` (a mamori API token of a user
        // with the View permission) is checked by the handler, which answers 404 without it.
        (Method::GET, "/4/num", Public),
        (Method::GET, "/4/diff", Public),
        (Method::GET, "/4/name", Public),
        (Method::GET, "/api/v1/corp/search", Needs(View)),
        (Method::GET, "/api/v1/corp/{number}", Needs(View)),
    ]
};

/// Routes that take `multipart/form-data` (file uploads). The access middleware checks their
/// role but does not buffer their body; the handler reads the form within the upload limit and
/// must check the `csrf` field itself before anything else.
pub const MULTIPART_ROUTES: &[&str] = &["/assessments/{id}/items/{item}/upload"];

/// The access rule of a matched route.
pub fn access_for(method: &Method, path: &str) -> Option<Access> {
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    ROUTES
        .iter()
        .find(|(m, p, _)| m == method && *p == path)
        .map(|(_, _, a)| *a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_tokens_expire_and_a_clear_drops_lookups_under_way() {
        let user = mamori_store::app::User {
            id: 1,
            username: "etsuran".into(),
            display_name: "閲覧".into(),
            role: mamori_model::Role::Viewer,
            department_id: None,
            disabled: false,
            must_change_password: false,
            created_at: "2026-12-05T10:00:00+09:00".into(),
        };
        let t0: jiff::Timestamp = "2026-12-05T01:00:00Z".parse().unwrap();
        let at = |s: i64| t0 + jiff::SignedDuration::from_secs(s);
        let c = TokenCache::default();
        let g = c.generation();
        c.put("h".into(), user.clone(), t0, g);
        assert_eq!(c.get("h", at(9), API_TOKEN_TTL), Some(user.clone()));
        assert_eq!(c.get("h", at(10), API_TOKEN_TTL), None);
        // A clock set back does not make an entry young.
        assert_eq!(c.get("h", at(-1), API_TOKEN_TTL), None);
        assert_eq!(c.get("other", t0, API_TOKEN_TTL), None);
        // A look-up that began before a clear is not kept; one after it is.
        let before = c.generation();
        c.clear();
        assert_eq!(c.get("h", t0, API_TOKEN_TTL), None);
        c.put("h".into(), user.clone(), t0, before);
        assert_eq!(c.get("h", t0, API_TOKEN_TTL), None);
        c.put("h".into(), user.clone(), t0, c.generation());
        assert_eq!(c.get("h", t0, API_TOKEN_TTL), Some(user));
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password(&h, "correct horse battery staple"));
        assert!(!verify_password(&h, "correct horse battery stapl"));
        assert!(!verify_password("not a hash", "x"));
        assert_ne!(h, hash_password("correct horse battery staple").unwrap());
    }

    #[test]
    fn throttle_locks_after_repeated_failures_and_releases_later() {
        let t = Throttle::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES - 1 {
            t.fail(&["user:sato"], start);
        }
        assert!(!t.locked(&["user:sato"], start));
        t.fail(&["user:sato"], start);
        assert!(t.locked(&["user:sato"], start));
        assert!(!t.locked(&["user:suzuki"], start));
        assert!(!t.locked(&["user:sato"], start + LOCKOUT + Duration::from_secs(1)));
        t.succeed(&["user:sato"]);
        assert!(!t.locked(&["user:sato"], start));
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn routes_are_unique() {
        for (i, (m, p, _)) in ROUTES.iter().enumerate() {
            assert!(
                !ROUTES[..i].iter().any(|(m2, p2, _)| m2 == m && p2 == p),
                "{m} {p} listed twice"
            );
        }
    }
}
