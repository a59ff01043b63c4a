//! The application database: organisation, departments, users, sessions, information systems,
//! SBD profiles with their history, issued documents and the hash-chained audit trail.
//!
//! Every change runs in one write transaction (`BEGIN IMMEDIATE`) together with the audit
//! entry that records it: either both are stored or neither is. The audit table is only ever
//! appended to; triggers refuse updates and deletes.

use std::collections::BTreeMap;
use std::path::Path;

use mamori_audit::{Entry, NewEntry};
use mamori_model::{
    Availability, Confidentiality, Integrity, Role, Segment, SystemStatus, UserBase, ValidSystem,
};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Row, Sqlite, Transaction};

use crate::StoreError;

/// SQL assembled from constant parts and column names chosen by code, never from input
/// (input is always bound): safe to pass as a query string.
macro_rules! sql {
    ($($t:tt)*) => { sqlx::AssertSqlSafe(format!($($t)*)) };
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite/app");

/// Who makes a change, and when (the caller reads the clock).
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    /// RFC 3339.
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub systems: i64,
}

/// A department for choosing one (filters, forms): no counts to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentName {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub disabled: bool,
    pub must_change_password: bool,
    pub created_at: String,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub password_hash: String,
    pub must_change_password: bool,
}

/// A stored information system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemRecord {
    pub id: i64,
    pub department_name: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    pub system: ValidSystem,
    /// Judgment conditions answered so far.
    pub sbd_answers: i64,
}

/// Sort keys for the systems list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SystemSort {
    #[default]
    Name,
    Department,
    Segment,
    Confidentiality,
    Status,
    Updated,
}

impl SystemSort {
    pub fn parse(s: &str) -> Option<SystemSort> {
        Some(match s {
            "name" => SystemSort::Name,
            "department" => SystemSort::Department,
            "segment" => SystemSort::Segment,
            "confidentiality" => SystemSort::Confidentiality,
            "status" => SystemSort::Status,
            "updated" => SystemSort::Updated,
            _ => return None,
        })
    }

    pub fn key(self) -> &'static str {
        match self {
            SystemSort::Name => "name",
            SystemSort::Department => "department",
            SystemSort::Segment => "segment",
            SystemSort::Confidentiality => "confidentiality",
            SystemSort::Status => "status",
            SystemSort::Updated => "updated",
        }
    }

    fn column(self) -> &'static str {
        match self {
            SystemSort::Name => "s.name",
            SystemSort::Department => "d.name",
            SystemSort::Segment => "s.segment",
            SystemSort::Confidentiality => "s.confidentiality",
            SystemSort::Status => "s.status",
            SystemSort::Updated => "s.updated_at",
        }
    }
}

/// A filtered, sorted page of the systems register.
#[derive(Debug, Clone)]
pub struct SystemQuery {
    /// Words that must all appear in the name or overview.
    pub text: String,
    pub segment: Option<Segment>,
    pub status: Option<SystemStatus>,
    pub department_id: Option<i64>,
    pub sort: SystemSort,
    pub descending: bool,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl Default for SystemQuery {
    fn default() -> Self {
        SystemQuery {
            text: String::new(),
            segment: None,
            status: None,
            department_id: None,
            sort: SystemSort::Name,
            descending: false,
            page: 1,
            per_page: 50,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from(((self.total + per - 1) / per).max(1)).unwrap_or(u32::MAX)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbdAnswer {
    pub condition_id: String,
    pub value: bool,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbdOverride {
    pub requirement_id: String,
    /// Level key (`omit`, `low`, `middle`, `high`).
    pub level: String,
    pub justification: String,
}

/// The stored SBD profile of one system.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SbdState {
    pub answers: BTreeMap<String, SbdAnswer>,
    pub overrides: BTreeMap<String, SbdOverride>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbdHistoryEntry {
    pub time: String,
    pub actor: String,
    pub item: String,
    pub before: String,
    pub after: String,
    pub reason: String,
}

/// An issued document, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    pub id: i64,
    pub system_id: i64,
    pub kind: String,
    pub format: String,
    pub lang: String,
    pub file_name: String,
    pub sha256: String,
    pub size: i64,
    pub created_at: String,
    pub created_by: String,
}

/// A document to record.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub system_id: i64,
    pub kind: &'a str,
    pub format: &'a str,
    pub lang: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
}

/// Figures for the dashboard.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub systems: i64,
    pub by_segment: BTreeMap<String, i64>,
    pub by_status: BTreeMap<String, i64>,
    pub with_sbd: i64,
    pub users: i64,
    pub departments: i64,
    pub documents: i64,
}

#[derive(Debug, Clone)]
pub struct AppDb {
    pub(crate) pool: SqlitePool,
}

fn bad(column: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unexpected {column} value {value:?}"))
}

fn user_from(r: &SqliteRow) -> Result<User, StoreError> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: Role::parse(&role).ok_or_else(|| bad("role", &role))?,
        department_id: r.try_get("department_id")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

/// An audit row as stored: seq, time, actor, action, object, detail, prev, hash.
type RawEntry = (i64, String, String, String, String, String, String, String);

/// The columns of [`SYSTEM_SELECT`], in order, as plain values.
#[derive(serde::Deserialize)]
struct RawSystem(
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
);

impl RawSystem {
    fn into_record(self) -> Result<SystemRecord, StoreError> {
        fn parse<T>(col: &str, v: &str, f: fn(&str) -> Option<T>) -> Result<T, StoreError> {
            f(v).ok_or_else(|| bad(col, v))
        }
        let RawSystem(
            id,
            name,
            department_id,
            department_name,
            segment,
            confidentiality,
            integrity,
            availability,
            external_access,
            user_base,
            status,
            overview,
            created_at,
            updated_at,
            version,
            sbd_answers,
        ) = self;
        Ok(SystemRecord {
            id,
            department_name,
            created_at,
            updated_at,
            version,
            sbd_answers,
            system: ValidSystem {
                name,
                department_id,
                segment: parse("segment", &segment, Segment::parse)?,
                confidentiality: parse(
                    "confidentiality",
                    &confidentiality,
                    Confidentiality::parse,
                )?,
                integrity: parse("integrity", &integrity, Integrity::parse)?,
                availability: parse("availability", &availability, Availability::parse)?,
                external_access: external_access != 0,
                user_base: parse("user_base", &user_base, UserBase::parse)?,
                status: parse("status", &status, SystemStatus::parse)?,
                overview,
            },
        })
    }
}

fn system_from(r: &SqliteRow) -> Result<SystemRecord, StoreError> {
    RawSystem(
        r.try_get("id")?,
        r.try_get("name")?,
        r.try_get("department_id")?,
        r.try_get("department_name")?,
        r.try_get("segment")?,
        r.try_get("confidentiality")?,
        r.try_get("integrity")?,
        r.try_get("availability")?,
        r.try_get("external_access")?,
        r.try_get("user_base")?,
        r.try_get("status")?,
        r.try_get("overview")?,
        r.try_get("created_at")?,
        r.try_get("updated_at")?,
        r.try_get("version")?,
        r.try_get("sbd_answers")?,
    )
    .into_record()
}

const USER_COLUMNS: &str = "id, username, display_name, role, department_id, disabled, \
     must_change_password, created_at";

const SYSTEM_SELECT: &str = "SELECT s.id, s.name, s.department_id, d.name AS department_name, \
     s.segment, s.confidentiality, s.integrity, s.availability, s.external_access, s.user_base, \
     s.status, s.overview, s.created_at, s.updated_at, s.version, \
     (SELECT COUNT(*) FROM sbd_answers a WHERE a.system_id = s.id) AS sbd_answers \
     FROM systems s JOIN departments d ON d.id = s.department_id";

/// `LIMIT n OFFSET m` as literals. SQLite (3.47+, STAT4 build) plans with the value of a bound
/// LIMIT and so re-prepares such a statement at every execution; integers computed here are
/// safe to inline, and the first page's statement stays in the statement cache.
fn limit_offset(page: u32, per_page: u32) -> String {
    let offset = u64::from(page.max(1) - 1) * u64::from(per_page);
    format!("LIMIT {per_page} OFFSET {offset}")
}

/// Appends one audit entry inside `tx`, chained to the last stored one.
pub(crate) async fn audit(
    tx: &mut Transaction<'_, Sqlite>,
    actor: &Actor,
    action: &str,
    object: &str,
    detail: &str,
) -> Result<Entry, StoreError> {
    let last = sqlx::query(
        "SELECT seq, time, actor, action, object, detail, prev, hash FROM audit_log \
         ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| entry_from(&r))
    .transpose()?;
    let e = mamori_audit::seal(
        last.as_ref(),
        NewEntry {
            time: &actor.time,
            actor: &actor.name,
            action,
            object,
            detail,
        },
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, time, actor, action, object, detail, prev, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(i64::try_from(e.seq).unwrap_or(i64::MAX))
    .bind(&e.time)
    .bind(&e.actor)
    .bind(&e.action)
    .bind(&e.object)
    .bind(&e.detail)
    .bind(&e.prev)
    .bind(&e.hash)
    .execute(&mut **tx)
    .await?;
    Ok(e)
}

fn entry_from(r: &SqliteRow) -> Result<Entry, StoreError> {
    Ok(Entry {
        seq: u64::try_from(r.try_get::<i64, _>("seq")?).unwrap_or(0),
        time: r.try_get("time")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        object: r.try_get("object")?,
        detail: r.try_get("detail")?,
        prev: r.try_get("prev")?,
        hash: r.try_get("hash")?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

fn is_fk_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_foreign_key_violation())
}

impl AppDb {
    /// Opens (creating if needed) the database at `path`: WAL, foreign keys on, migrations run.
    pub async fn open(path: &Path) -> Result<AppDb, StoreError> {
        let pool = crate::open_sqlite(path, 4, &MIGRATOR).await?;
        Ok(AppDb { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Writes a consistent copy of the database to `dest` (which must not exist) while the
    /// application keeps running (`VACUUM INTO`).
    pub async fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        if dest.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists",
                dest.display()
            )));
        }
        sqlx::query("VACUUM INTO ?")
            .bind(dest.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- settings and organisation -------------------------------------------------------

    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(v) => {
                sqlx::query(
                    "INSERT INTO settings (key, value) VALUES (?, ?) \
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                )
                .bind(key)
                .bind(v)
                .execute(&self.pool)
                .await?
            }
            None => {
                sqlx::query("DELETE FROM settings WHERE key = ?")
                    .bind(key)
                    .execute(&self.pool)
                    .await?
            }
        };
        Ok(())
    }

    pub async fn organisation(&self) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT name FROM organisation WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_organisation(&self, name: &str, actor: &Actor) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT name FROM organisation WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO organisation (id, name, updated_at) VALUES (1, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(&actor.time)
        .execute(&mut *tx)
        .await?;
        let detail = format!("name: {} → {name}", before.unwrap_or_default());
        audit(
            &mut tx,
            actor,
            "organisation.update",
            "organisation",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- departments -----------------------------------------------------------------------

    pub async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, d.name, COALESCE(c.n, 0) AS systems FROM departments d \
             LEFT JOIN (SELECT department_id, COUNT(*) AS n FROM systems GROUP BY department_id) c \
             ON c.department_id = d.id ORDER BY d.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Department {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    systems: r.try_get("systems")?,
                })
            })
            .collect()
    }

    /// Departments by id, names only (what the filters and forms need).
    pub async fn department_names(&self) -> Result<Vec<DepartmentName>, StoreError> {
        let rows = sqlx::query("SELECT id, name FROM departments ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DepartmentName {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    pub async fn add_department(&self, name: &str, actor: &Actor) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO departments (name, created_at) VALUES (?, ?) RETURNING id",
        )
        .bind(name)
        .bind(&actor.time)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict("name".into())
            } else {
                e.into()
            }
        })?;
        audit(
            &mut tx,
            actor,
            "department.create",
            &format!("department/{id}"),
            &format!("name: {name}"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    // ---- users -------------------------------------------------------------------------------

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Active administrators: while there is none, the one-time setup can create one.
    pub async fn admin_count(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(sql!("SELECT {USER_COLUMNS} FROM users ORDER BY username"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_from).collect()
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        sqlx::query(sql!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_from)
            .transpose()
    }

    /// The user and their password hash, for logging in.
    pub async fn user_for_login(
        &self,
        username: &str,
    ) -> Result<Option<(User, String)>, StoreError> {
        let Some(r) = sqlx::query(sql!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ?"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some((user_from(&r)?, r.try_get("password_hash")?)))
    }

    pub async fn create_user(&self, u: &NewUser, actor: &Actor) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id = insert_user(&mut tx, u, actor).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates the first administrator, only while there is no active administrator;
    /// consumes the setup token in the same transaction.
    pub async fn create_first_admin(&self, u: &NewUser, actor: &Actor) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0")
                .fetch_one(&mut *tx)
                .await?;
        if n > 0 {
            return Err(StoreError::Conflict("setup already done".into()));
        }
        let id = insert_user(&mut tx, u, actor).await?;
        sqlx::query("DELETE FROM settings WHERE key = 'setup_token'")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn set_user_disabled(
        &self,
        id: i64,
        disabled: bool,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let name = username_in(&mut tx, id).await?;
        sqlx::query("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?")
            .bind(i64::from(disabled))
            .bind(&actor.time)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE user_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        audit(&mut tx, actor, action, &format!("user/{name}"), "").await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_role(&self, id: i64, role: Role, actor: &Actor) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let before: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(before) = before else {
            return Err(StoreError::NotFound);
        };
        let name = username_in(&mut tx, id).await?;
        sqlx::query("UPDATE users SET role = ?, updated_at = ? WHERE id = ?")
            .bind(role.key())
            .bind(&actor.time)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "user.role",
            &format!("user/{name}"),
            &format!("role: {before} → {role}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password hash; all the user's sessions end (except `keep_session`, the one
    /// changing its own password).
    pub async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let name = username_in(&mut tx, id).await?;
        sqlx::query(
            "UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? \
             WHERE id = ?",
        )
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(&actor.time)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_hash != ?")
            .bind(id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        let action = if must_change {
            "user.reset_password"
        } else {
            "user.change_password"
        };
        audit(&mut tx, actor, action, &format!("user/{name}"), "").await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- sessions and API tokens -----------------------------------------------------------

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        expires_unix: i64,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_unix) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf)
        .bind(&actor.time)
        .bind(expires_unix)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE expires_unix < ?")
            .bind(expires_unix - 2 * SESSION_SECONDS)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "session.login",
            &format!("user/{}", actor.name),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session's user and CSRF token, if the session exists, has not expired and its user
    /// is not disabled.
    pub async fn session(
        &self,
        token_hash: &str,
        now_unix: i64,
    ) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.department_id, u.disabled, \
             u.must_change_password, u.created_at, s.csrf FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = ? AND s.expires_unix > ? AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(now_unix)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((user_from(&r)?, r.try_get("csrf")?)))
            .transpose()
    }

    pub async fn end_session(&self, token_hash: &str, actor: &Actor) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 {
            audit(
                &mut tx,
                actor,
                "session.logout",
                &format!("user/{}", actor.name),
                "",
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let owner = username_in(&mut tx, user_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) \
             RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(&actor.time)
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "api_token.create",
            &format!("user/{owner}"),
            &format!("token {id}: {name}"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user owning a live API token.
    pub async fn user_by_api_token(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.department_id, u.disabled, \
             u.must_change_password, u.created_at FROM api_tokens t \
             JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = ? AND t.revoked = 0 AND u.disabled = 0",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(user_from)
        .transpose()
    }

    // ---- systems -----------------------------------------------------------------------------

    pub async fn create_system(&self, s: &ValidSystem, actor: &Actor) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO systems (name, department_id, segment, confidentiality, integrity, \
             availability, external_access, user_base, status, overview, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&s.name)
        .bind(s.department_id)
        .bind(s.segment.key())
        .bind(s.confidentiality.key())
        .bind(s.integrity.key())
        .bind(s.availability.key())
        .bind(i64::from(s.external_access))
        .bind(s.user_base.key())
        .bind(s.status.key())
        .bind(&s.overview)
        .bind(&actor.time)
        .bind(&actor.time)
        .fetch_one(&mut *tx)
        .await
        .map_err(fk_to_department)?;
        let detail = format!(
            "name: {}; segment: {}; C{}/I{}/A{}; status: {}",
            s.name, s.segment, s.confidentiality, s.integrity, s.availability, s.status
        );
        audit(
            &mut tx,
            actor,
            "system.create",
            &format!("system/{id}"),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Updates a system if it is still at `version`; `Conflict` when someone changed it since.
    pub async fn update_system(
        &self,
        id: i64,
        version: i64,
        s: &ValidSystem,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let before = sqlx::query(sql!("{SYSTEM_SELECT} WHERE s.id = ?"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(system_from)
            .transpose()?
            .ok_or(StoreError::NotFound)?;
        if before.version != version {
            return Err(StoreError::Conflict("version".into()));
        }
        sqlx::query(
            "UPDATE systems SET name = ?, department_id = ?, segment = ?, confidentiality = ?, \
             integrity = ?, availability = ?, external_access = ?, user_base = ?, status = ?, \
             overview = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        )
        .bind(&s.name)
        .bind(s.department_id)
        .bind(s.segment.key())
        .bind(s.confidentiality.key())
        .bind(s.integrity.key())
        .bind(s.availability.key())
        .bind(i64::from(s.external_access))
        .bind(s.user_base.key())
        .bind(s.status.key())
        .bind(&s.overview)
        .bind(&actor.time)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(fk_to_department)?;
        let diff = before.system.diff(s);
        audit(
            &mut tx,
            actor,
            "system.update",
            &format!("system/{id}"),
            &diff.join("; "),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn system(&self, id: i64) -> Result<Option<SystemRecord>, StoreError> {
        sqlx::query(sql!("{SYSTEM_SELECT} WHERE s.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(system_from)
            .transpose()
    }

    pub async fn list_systems(&self, q: &SystemQuery) -> Result<Page<SystemRecord>, StoreError> {
        Ok(self.systems_page(q, false).await?.0)
    }

    /// The systems page and, when `with_departments`, every department's name for the
    /// filters, in one statement (one round trip to the database per list page).
    pub async fn systems_page(
        &self,
        q: &SystemQuery,
        with_departments: bool,
    ) -> Result<(Page<SystemRecord>, Vec<DepartmentName>), StoreError> {
        let mut conditions: Vec<&str> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        for word in q.text.split_whitespace().take(8) {
            if word.bytes().any(|b| b.is_ascii_alphabetic()) {
                // LIKE folds ASCII case, as users expect for "LGWAN" / "lgwan".
                conditions.push("(s.name LIKE ? ESCAPE '\\' OR s.overview LIKE ? ESCAPE '\\')");
                let escaped = word
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                binds.push(format!("%{escaped}%"));
                binds.push(format!("%{escaped}%"));
            } else {
                // Without letters case does not matter, and a plain substring search is several
                // times cheaper than LIKE's character-by-character matching.
                conditions.push("(instr(s.name, ?) > 0 OR instr(s.overview, ?) > 0)");
                binds.push(word.to_owned());
                binds.push(word.to_owned());
            }
        }
        if let Some(s) = q.segment {
            conditions.push("s.segment = ?");
            binds.push(s.key().to_owned());
        }
        if let Some(s) = q.status {
            conditions.push("s.status = ?");
            binds.push(s.key().to_owned());
        }
        if let Some(d) = q.department_id {
            conditions.push("s.department_id = ?");
            binds.push(d.to_string());
        }
        // No WHERE at all without conditions: SQLite then counts from the smallest index.
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let per_page = q.per_page.clamp(1, 200);
        let page = q.page.max(1);
        let dir = if q.descending { "DESC" } else { "ASC" };
        // One statement: the total, and the page as one JSON array. The filters name only
        // columns of `systems`, and every system has a department (foreign key, NOT NULL), so
        // counting and choosing the page's ids join departments only to sort by its name. Only
        // (key, id) is sorted; the full rows (with the SBD answer count) are built for the page
        // alone. Rows travel as one JSON value because the driver hands rows over one at a time
        // between threads and copies every value (~15 µs per row of 16 columns).
        let order = format!("ORDER BY {} {dir}, s.id {dir}", q.sort.column());
        let join = if q.sort == SystemSort::Department {
            " JOIN departments d ON d.id = s.department_id"
        } else {
            ""
        };
        let rows_json = "json_group_array(json_array(s.id, s.name, s.department_id, d.name, \
             s.segment, s.confidentiality, s.integrity, s.availability, s.external_access, \
             s.user_base, s.status, s.overview, s.created_at, s.updated_at, s.version, \
             (SELECT COUNT(*) FROM sbd_answers a WHERE a.system_id = s.id))";
        let limit = limit_offset(page, per_page);
        let departments = if with_departments {
            ", (SELECT json_group_array(json_array(id, name) ORDER BY id) FROM departments)"
        } else {
            ", '[]'"
        };
        let (sql, bind_twice) = if q.text.trim().is_empty() {
            // Cheap filters: count and page each walk an index.
            (
                format!(
                    "SELECT (SELECT COUNT(*) FROM systems s{filter}) AS total, \
                     (SELECT {rows_json} {order}) \
                     FROM systems s JOIN departments d ON d.id = s.department_id \
                     WHERE s.id IN (SELECT s.id FROM systems s{join}{filter} {order} {limit})) \
                     AS page{departments}"
                ),
                true,
            )
        } else {
            // A text search scans every name and overview: do it once, keep the hits.
            let key = q.sort.column();
            let hit_order = format!("ORDER BY k {dir}, id {dir}");
            (
                format!(
                    "WITH hits AS MATERIALIZED (SELECT s.id AS id, {key} AS k \
                     FROM systems s{join}{filter}) \
                     SELECT (SELECT COUNT(*) FROM hits) AS total, \
                     (SELECT {rows_json} {order}) \
                     FROM systems s JOIN departments d ON d.id = s.department_id \
                     WHERE s.id IN (SELECT id FROM hits {hit_order} {limit})) AS page{departments}"
                ),
                false,
            )
        };
        let mut query = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(sql));
        let times = if bind_twice { 2 } else { 1 };
        for b in std::iter::repeat_n(&binds, times).flatten() {
            query = query.bind(b);
        }
        let (total, json, departments) = query.fetch_one(&self.pool).await?;
        let rows: Vec<RawSystem> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("systems page: {e}")))?;
        let departments: Vec<(i64, String)> = serde_json::from_str(&departments)
            .map_err(|e| StoreError::Corrupt(format!("departments: {e}")))?;
        let page = Page {
            items: rows
                .into_iter()
                .map(RawSystem::into_record)
                .collect::<Result<_, _>>()?,
            total,
            page,
            per_page,
        };
        let departments = departments
            .into_iter()
            .map(|(id, name)| DepartmentName { id, name })
            .collect();
        Ok((page, departments))
    }

    pub async fn counts(&self) -> Result<Counts, StoreError> {
        let mut c = Counts::default();
        for r in sqlx::query("SELECT segment, COUNT(*) AS n FROM systems GROUP BY segment")
            .fetch_all(&self.pool)
            .await?
        {
            let n: i64 = r.try_get("n")?;
            c.systems += n;
            c.by_segment.insert(r.try_get("segment")?, n);
        }
        for r in sqlx::query("SELECT status, COUNT(*) AS n FROM systems GROUP BY status")
            .fetch_all(&self.pool)
            .await?
        {
            c.by_status.insert(r.try_get("status")?, r.try_get("n")?);
        }
        c.with_sbd = sqlx::query_scalar("SELECT COUNT(DISTINCT system_id) FROM sbd_answers")
            .fetch_one(&self.pool)
            .await?;
        c.users = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE disabled = 0")
            .fetch_one(&self.pool)
            .await?;
        c.departments = sqlx::query_scalar("SELECT COUNT(*) FROM departments")
            .fetch_one(&self.pool)
            .await?;
        c.documents = sqlx::query_scalar("SELECT COUNT(*) FROM documents")
            .fetch_one(&self.pool)
            .await?;
        Ok(c)
    }

    // ---- SBD profiles ------------------------------------------------------------------------

    pub async fn sbd_state(&self, system_id: i64) -> Result<SbdState, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_sbd(&mut conn, system_id).await
    }

    /// Replaces a system's SBD answers and overrides, recording every changed item in the
    /// history and one audit entry. Returns the number of items changed.
    pub async fn save_sbd(
        &self,
        system_id: i64,
        answers: &[SbdAnswer],
        overrides: &[SbdOverride],
        actor: &Actor,
    ) -> Result<usize, StoreError> {
        let mut tx = self.write().await?;
        let before = load_sbd(&mut tx, system_id).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM systems WHERE id = ?")
            .bind(system_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let mut changes: Vec<(String, String, String, String)> = Vec::new();
        let yn = |b: bool| if b { "yes" } else { "no" };
        for a in answers {
            let old = before.answers.get(&a.condition_id);
            if old.map(|o| (o.value, o.reason.as_str())) == Some((a.value, a.reason.as_str())) {
                continue;
            }
            changes.push((
                a.condition_id.clone(),
                old.map_or(String::new(), |o| yn(o.value).to_owned()),
                yn(a.value).to_owned(),
                a.reason.clone(),
            ));
            sqlx::query(
                "INSERT INTO sbd_answers (system_id, condition_id, value, reason) VALUES (?, ?, ?, ?) \
                 ON CONFLICT(system_id, condition_id) DO UPDATE SET value = excluded.value, \
                 reason = excluded.reason",
            )
            .bind(system_id)
            .bind(&a.condition_id)
            .bind(i64::from(a.value))
            .bind(&a.reason)
            .execute(&mut *tx)
            .await?;
        }
        for o in overrides {
            let old = before.overrides.get(&o.requirement_id);
            if old.map(|x| (x.level.as_str(), x.justification.as_str()))
                == Some((o.level.as_str(), o.justification.as_str()))
            {
                continue;
            }
            changes.push((
                o.requirement_id.clone(),
                old.map_or(String::new(), |x| x.level.clone()),
                o.level.clone(),
                o.justification.clone(),
            ));
            sqlx::query(
                "INSERT INTO sbd_overrides (system_id, requirement_id, level, justification) \
                 VALUES (?, ?, ?, ?) ON CONFLICT(system_id, requirement_id) DO UPDATE SET \
                 level = excluded.level, justification = excluded.justification",
            )
            .bind(system_id)
            .bind(&o.requirement_id)
            .bind(&o.level)
            .bind(&o.justification)
            .execute(&mut *tx)
            .await?;
        }
        // Overrides no longer present go back to the recommendation.
        for (id, old) in &before.overrides {
            if overrides.iter().any(|o| &o.requirement_id == id) {
                continue;
            }
            changes.push((
                id.clone(),
                old.level.clone(),
                "recommended".into(),
                String::new(),
            ));
            sqlx::query("DELETE FROM sbd_overrides WHERE system_id = ? AND requirement_id = ?")
                .bind(system_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for (item, b, a, reason) in &changes {
            sqlx::query(
                "INSERT INTO sbd_history (system_id, time, actor, item, before, after, reason) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(system_id)
            .bind(&actor.time)
            .bind(&actor.name)
            .bind(item)
            .bind(b)
            .bind(a)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        }
        if !changes.is_empty() {
            let detail = changes
                .iter()
                .map(|(item, b, a, _)| {
                    format!("{item}: {} → {a}", if b.is_empty() { "-" } else { b })
                })
                .collect::<Vec<_>>()
                .join("; ");
            audit(
                &mut tx,
                actor,
                "sbd.update",
                &format!("system/{system_id}"),
                &detail,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changes.len())
    }

    pub async fn sbd_history(&self, system_id: i64) -> Result<Vec<SbdHistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT time, actor, item, before, after, reason FROM sbd_history \
             WHERE system_id = ? ORDER BY id DESC",
        )
        .bind(system_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SbdHistoryEntry {
                    time: r.try_get("time")?,
                    actor: r.try_get("actor")?,
                    item: r.try_get("item")?,
                    before: r.try_get("before")?,
                    after: r.try_get("after")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    // ---- documents ---------------------------------------------------------------------------

    pub async fn add_document(
        &self,
        d: &NewDocument<'_>,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO documents (system_id, kind, format, lang, file_name, sha256, size, \
             content, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(d.system_id)
        .bind(d.kind)
        .bind(d.format)
        .bind(d.lang)
        .bind(d.file_name)
        .bind(d.sha256)
        .bind(i64::try_from(d.content.len()).unwrap_or(i64::MAX))
        .bind(d.content)
        .bind(&actor.time)
        .bind(&actor.name)
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "document.generate",
            &format!("system/{}", d.system_id),
            &format!("document {id}: {} sha256 {}", d.file_name, d.sha256),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn documents(&self, system_id: i64) -> Result<Vec<DocumentInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, system_id, kind, format, lang, file_name, sha256, size, created_at, \
             created_by FROM documents WHERE system_id = ? ORDER BY id DESC",
        )
        .bind(system_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(document_from).collect()
    }

    pub async fn document(&self, id: i64) -> Result<Option<(DocumentInfo, Vec<u8>)>, StoreError> {
        let Some(r) = sqlx::query(
            "SELECT id, system_id, kind, format, lang, file_name, sha256, size, created_at, \
             created_by, content FROM documents WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some((document_from(&r)?, r.try_get("content")?)))
    }

    // ---- audit -------------------------------------------------------------------------------

    /// Records an event that changes nothing else (a failed login, a CLI action).
    pub async fn record(
        &self,
        actor: &Actor,
        action: &str,
        object: &str,
        detail: &str,
    ) -> Result<Entry, StoreError> {
        let mut tx = self.write().await?;
        let e = audit(&mut tx, actor, action, object, detail).await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Every entry in storage order (for verification).
    pub async fn audit_all(&self) -> Result<Vec<Entry>, StoreError> {
        let mut all = Vec::new();
        // The cursor is the stored number, so even rows with a forged (e.g. negative) number
        // are read and reported by the verifier.
        let mut after = i64::MIN;
        loop {
            let (chunk, last) = self.audit_chunk(after, 2000).await?;
            all.extend(chunk);
            match last {
                Some(l) if l > after => after = l,
                _ => return Ok(all),
            }
        }
    }

    /// Up to `limit` entries after entry `after`, in order: a long chain is read (and
    /// verified) in pieces.
    pub async fn audit_after(&self, after: u64, limit: u32) -> Result<Vec<Entry>, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        Ok(self.audit_chunk(after, limit).await?.0)
    }

    /// Entries with a stored number above `after`, and the last stored number read. The piece
    /// travels as one JSON value (see `list_systems`).
    async fn audit_chunk(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<(Vec<Entry>, Option<i64>), StoreError> {
        let json: String = sqlx::query_scalar(sql!(
            "SELECT json_group_array(json_array(seq, time, actor, action, object, detail, prev, \
             hash) ORDER BY seq) FROM (SELECT * FROM audit_log WHERE seq > ? ORDER BY seq {})",
            limit_offset(1, limit.max(1))
        ))
        .bind(after)
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<RawEntry> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("audit_log: {e}")))?;
        let last = rows.last().map(|r| r.0);
        let entries = rows
            .into_iter()
            .map(
                |(seq, time, actor, action, object, detail, prev, hash)| Entry {
                    // A negative number cannot verify: shown as 0, reported by the verifier.
                    seq: u64::try_from(seq).unwrap_or(0),
                    time,
                    actor,
                    action,
                    object,
                    detail,
                    prev,
                    hash,
                },
            )
            .collect();
        Ok((entries, last))
    }

    /// The hash stored for entry `seq`, if that entry exists.
    pub async fn audit_hash(&self, seq: u64) -> Result<Option<String>, StoreError> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        Ok(
            sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = ?")
                .bind(seq)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The newest entries first, a page at a time; optional filter on the object.
    pub async fn audit_page(
        &self,
        object: Option<&str>,
        page: u32,
        per_page: u32,
    ) -> Result<Page<Entry>, StoreError> {
        let per_page = per_page.clamp(1, 500);
        let page = page.max(1);
        let (filter, bind) = match object {
            Some(o) => (" WHERE object = ?", o),
            None => ("", ""),
        };
        let mut count =
            sqlx::query_scalar::<_, i64>(sql!("SELECT COUNT(*) FROM audit_log{filter}"));
        if object.is_some() {
            count = count.bind(bind);
        }
        let total = count.fetch_one(&self.pool).await?;
        let sql = format!(
            "SELECT seq, time, actor, action, object, detail, prev, hash FROM audit_log{filter} \
             ORDER BY seq DESC {}",
            limit_offset(page, per_page)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if object.is_some() {
            q = q.bind(bind);
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(Page {
            items: rows.iter().map(entry_from).collect::<Result<_, _>>()?,
            total,
            page,
            per_page,
        })
    }
}

async fn load_sbd(
    conn: &mut sqlx::SqliteConnection,
    system_id: i64,
) -> Result<SbdState, StoreError> {
    let mut st = SbdState::default();
    for r in sqlx::query("SELECT condition_id, value, reason FROM sbd_answers WHERE system_id = ?")
        .bind(system_id)
        .fetch_all(&mut *conn)
        .await?
    {
        let a = SbdAnswer {
            condition_id: r.try_get("condition_id")?,
            value: r.try_get::<i64, _>("value")? != 0,
            reason: r.try_get("reason")?,
        };
        st.answers.insert(a.condition_id.clone(), a);
    }
    for r in sqlx::query(
        "SELECT requirement_id, level, justification FROM sbd_overrides WHERE system_id = ?",
    )
    .bind(system_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let o = SbdOverride {
            requirement_id: r.try_get("requirement_id")?,
            level: r.try_get("level")?,
            justification: r.try_get("justification")?,
        };
        st.overrides.insert(o.requirement_id.clone(), o);
    }
    Ok(st)
}

/// Browser sessions last eight hours (a working day).
pub const SESSION_SECONDS: i64 = 8 * 3600;

fn document_from(r: &SqliteRow) -> Result<DocumentInfo, StoreError> {
    Ok(DocumentInfo {
        id: r.try_get("id")?,
        system_id: r.try_get("system_id")?,
        kind: r.try_get("kind")?,
        format: r.try_get("format")?,
        lang: r.try_get("lang")?,
        file_name: r.try_get("file_name")?,
        sha256: r.try_get("sha256")?,
        size: r.try_get("size")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
    })
}

fn fk_to_department(e: sqlx::Error) -> StoreError {
    if is_fk_violation(&e) {
        StoreError::Invalid("department_id".into())
    } else {
        e.into()
    }
}

async fn username_in(tx: &mut Transaction<'_, Sqlite>, id: i64) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT username FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn insert_user(
    tx: &mut Transaction<'_, Sqlite>,
    u: &NewUser,
    actor: &Actor,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, role, department_id, password_hash, \
         must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&u.username)
    .bind(&u.display_name)
    .bind(u.role.key())
    .bind(u.department_id)
    .bind(&u.password_hash)
    .bind(i64::from(u.must_change_password))
    .bind(&actor.time)
    .bind(&actor.time)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict("username".into())
        } else if is_fk_violation(&e) {
            StoreError::Invalid("department_id".into())
        } else {
            e.into()
        }
    })?;
    audit(
        tx,
        actor,
        "user.create",
        &format!("user/{}", u.username),
        &format!("role: {}; display name: {}", u.role, u.display_name),
    )
    .await?;
    Ok(id)
}

#[cfg(test)]
#[path = "app_tests.rs"]
mod tests;
