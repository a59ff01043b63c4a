//! The incremental-scan state file: what each file looked like when last scanned, and what was
//! found in it (masked).

use std::path::Path;

use sqlx::Row;
use sqlx::sqlite::SqlitePool;

use crate::StoreError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite/scan_state");

/// One file as remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Keyed hash of the path (the lookup key).
    pub path_key: String,
    /// The path for people, any My Number in it masked.
    pub shown_path: String,
    pub size: u64,
    pub mtime: i64,
    pub content_hash: Option<String>,
    pub scanned_at: i64,
    /// The scan outcome as JSON (masked findings only).
    pub result: String,
}

#[derive(Debug, Clone)]
pub struct ScanStateDb {
    pool: SqlitePool,
}

impl ScanStateDb {
    /// Opens (creating if needed) the state file, with WAL and foreign keys on, and migrates it.
    pub async fn open(path: &Path) -> Result<ScanStateDb, StoreError> {
        let pool = crate::open_sqlite(path, 1, &MIGRATOR).await?;
        Ok(ScanStateDb { pool })
    }

    pub async fn load_all(&self) -> Result<Vec<StoredFile>, StoreError> {
        let rows = sqlx::query(
            "SELECT path_key, shown_path, size, mtime, content_hash, scanned_at, result FROM scan_file",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredFile {
                    path_key: r.try_get("path_key")?,
                    shown_path: r.try_get("shown_path")?,
                    size: u64::try_from(r.try_get::<i64, _>("size")?).unwrap_or(0),
                    mtime: r.try_get("mtime")?,
                    content_hash: r.try_get("content_hash")?,
                    scanned_at: r.try_get("scanned_at")?,
                    result: r.try_get("result")?,
                })
            })
            .collect()
    }

    /// Records files in one transaction. With `replace_all`, files not in `files` are
    /// forgotten (a full scan redefines the state); otherwise they are kept.
    pub async fn record(&self, files: &[StoredFile], replace_all: bool) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        if replace_all {
            sqlx::query("DELETE FROM scan_file")
                .execute(&mut *tx)
                .await?;
        }
        for f in files {
            sqlx::query(
                "INSERT INTO scan_file (path_key, shown_path, size, mtime, content_hash, scanned_at, result) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT(path_key) DO UPDATE SET shown_path = excluded.shown_path, \
                 size = excluded.size, mtime = excluded.mtime, \
                 content_hash = excluded.content_hash, scanned_at = excluded.scanned_at, \
                 result = excluded.result",
            )
            .bind(&f.path_key)
            .bind(&f.shown_path)
            .bind(i64::try_from(f.size).unwrap_or(i64::MAX))
            .bind(f.mtime)
            .bind(&f.content_hash)
            .bind(f.scanned_at)
            .bind(&f.result)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn close(self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, mtime: i64) -> StoredFile {
        StoredFile {
            path_key: path.into(),
            shown_path: path.into(),
            size: 10,
            mtime,
            content_hash: Some("abc".into()),
            scanned_at: 1,
            result: "{}".into(),
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn records_and_reloads_in_transactions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let db = ScanStateDb::open(&path).await.unwrap();
        db.record(&[file("a", 1), file("b", 1)], false)
            .await
            .unwrap();
        db.record(&[file("a", 2)], false).await.unwrap();
        let mut all = db.load_all().await.unwrap();
        all.sort_by(|x, y| x.path_key.cmp(&y.path_key));
        assert_eq!(all, [file("a", 2), file("b", 1)]);
        db.record(&[file("c", 3)], true).await.unwrap();
        assert_eq!(db.load_all().await.unwrap(), [file("c", 3)]);
        db.close().await;
        // Reopening runs migrations again without harm and keeps the data.
        let db = ScanStateDb::open(&path).await.unwrap();
        assert_eq!(db.load_all().await.unwrap().len(), 1);
    }
}
