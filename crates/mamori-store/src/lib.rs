//! Persistence. This is the only crate that knows SQL. Migrations live per backend under
//! `migrations/<backend>/<database>/` and are embedded and run when a database is opened.

pub mod app;
pub mod assess;
pub mod evidence_store;
pub mod scan_state;

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// Opens (creating if needed) a SQLite database with WAL, foreign keys and a busy timeout,
/// and runs its migrations.
pub(crate) async fn open_sqlite(
    path: &Path,
    max_connections: u32,
    migrator: &sqlx::migrate::Migrator,
) -> Result<SqlitePool, StoreError> {
    let shown = path.display().to_string();
    let opts = SqliteConnectOptions::from_str("sqlite:")
        .map_err(|source| StoreError::Open {
            path: shown.clone(),
            source,
        })?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(10));
    // A local file connection does not go stale: skipping the ping on every acquire saves a
    // round trip to the connection's worker thread per query.
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections)
        .test_before_acquire(false)
        .connect_with(opts)
        .await
        .map_err(|source| StoreError::Open {
            path: shown,
            source,
        })?;
    migrator.run(&pool).await?;
    Ok(pool)
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// A unique value is taken, or the record changed since it was read (the field named).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A reference to something that does not exist (the field named).
    #[error("invalid reference: {0}")]
    Invalid(String),
    #[error("not found")]
    NotFound,
    #[error("database holds an unexpected value: {0}")]
    Corrupt(String),
}
