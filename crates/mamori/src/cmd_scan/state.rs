//! Incremental rescans: the state of earlier scans, keyed by path, size, mtime and content hash.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use anyhow::Context;
use mamori_mynumber::FileScan;
use mamori_store::scan_state::{ScanStateDb, StoredFile};
use sha2::{Digest, Sha256};

use super::FileResult;

/// What earlier scans knew, loaded once and shared read-only by the walker threads.
#[derive(Debug, Default)]
pub(crate) struct Prior {
    /// By keyed hash of the path.
    files: HashMap<String, StoredFile>,
    key: Option<mamori_mynumber::HashKey>,
}

impl Prior {
    /// The earlier result if the file is unchanged: same size and mtime, or same size and the
    /// same content hash (a file touched or copied back without changes).
    pub fn unchanged(&self, path: &str, size: u64, mtime: i64) -> Option<FileScan> {
        let f = self.files.get(&self.key.as_ref()?.keyed_id(path))?;
        if f.size != size {
            return None;
        }
        let same = f.mtime == mtime
            || f.content_hash
                .as_deref()
                .is_some_and(|h| hash_file(Path::new(path)).as_deref() == Some(h));
        if !same {
            return None;
        }
        let mut scan: FileScan = serde_json::from_str(&f.result).ok()?;
        // What was not scanned last time (size limit, timeout) is tried again.
        if !scan.not_scanned.is_empty() {
            return None;
        }
        scan.content_hash = f.content_hash.clone();
        Some(scan)
    }
}

fn hash_file(path: &Path) -> Option<String> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = HashingReader::new(&mut f);
    std::io::copy(&mut h, &mut std::io::sink()).ok()?;
    Some(h.finish_hex())
}

/// Hashes everything read through it.
pub(crate) struct HashingReader<'a> {
    inner: &'a mut dyn Read,
    hasher: Sha256,
}

impl<'a> HashingReader<'a> {
    pub fn new(inner: &'a mut dyn Read) -> HashingReader<'a> {
        HashingReader {
            inner,
            hasher: Sha256::new(),
        }
    }

    pub fn finish_hex(self) -> String {
        self.hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl Read for HashingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The state file, opened for one scan.
pub(crate) struct State {
    rt: tokio::runtime::Runtime,
    db: ScanStateDb,
    key: mamori_mynumber::HashKey,
}

impl State {
    pub fn open(
        path: &Path,
        data_dir: &Path,
        key: mamori_mynumber::HashKey,
    ) -> anyhow::Result<State> {
        if path.starts_with(data_dir) {
            crate::datadir::ensure_private_dir(data_dir)?;
        } else if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .context("cannot start the database runtime")?;
        let db = rt.block_on(ScanStateDb::open(path))?;
        Ok(State { rt, db, key })
    }

    pub fn load(&self) -> anyhow::Result<Prior> {
        let files = self.rt.block_on(self.db.load_all())?;
        Ok(Prior {
            files: files.into_iter().map(|f| (f.path_key.clone(), f)).collect(),
            key: Some(self.key.clone()),
        })
    }

    /// Records this scan's files in one transaction; a full scan replaces the whole state.
    pub fn save(&mut self, files: &[FileResult], full: bool) -> anyhow::Result<()> {
        let now = super::now_secs();
        let mut rows = Vec::with_capacity(files.len());
        for f in files {
            // Only files read whole have a content hash worth keeping.
            let complete = f.scan.not_scanned.is_empty();
            let mut scan = f.scan.clone();
            let content_hash = if complete {
                scan.content_hash.take()
            } else {
                None
            };
            rows.push(StoredFile {
                path_key: self.key.keyed_id(&f.real_path.display().to_string()),
                shown_path: f.path.clone(),
                size: f.size,
                mtime: f.mtime,
                content_hash,
                scanned_at: now,
                result: serde_json::to_string(&scan)?,
            });
        }
        self.rt.block_on(self.db.record(&rows, full))?;
        Ok(())
    }
}
