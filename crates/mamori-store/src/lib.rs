//! Persistence. This is the only crate that knows SQL. Migrations live per backend under
//! `migrations/<backend>/<database>/` and are embedded and run when a database is opened.

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
}
