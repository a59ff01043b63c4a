//! Persistence. This is the only crate that knows SQL. Migrations live per backend under
//! `migrations/<backend>/<database>/` and are embedded and run when a database is opened.

pub mod app;
pub mod scan_state;

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
