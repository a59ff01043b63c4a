//! Evidence files: stored outside the database and outside any web root, in a directory of
//! the data directory, addressed by their SHA-256 (`ab/abcdef…`). A file is written to a
//! temporary name and renamed into place, so a crash never leaves half a file under a hash;
//! reading re-hashes the bytes, so a stored file altered on disk is detected, never served.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("evidence store {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("evidence file {sha256} is missing from the evidence store")]
    Missing { sha256: String },
    #[error(
        "evidence file {expected} has been altered: its content now hashes to {actual}; \
         it is not served"
    )]
    Tampered { expected: String, actual: String },
    #[error("`{0}` is not a SHA-256")]
    BadHash(String),
}

/// The evidence file store of one installation.
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    dir: PathBuf,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EvidenceError + '_ {
    move |source| EvidenceError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl EvidenceStore {
    /// Opens (creating) the store at `dir`.
    pub fn open(dir: &Path) -> Result<EvidenceStore, EvidenceError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        Ok(EvidenceStore {
            dir: dir.to_path_buf(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, sha256: &str) -> Result<PathBuf, EvidenceError> {
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(EvidenceError::BadHash(sha256.to_owned()));
        }
        Ok(self.dir.join(&sha256[..2]).join(sha256))
    }

    /// Stores `bytes` and returns their SHA-256. Storing the same bytes twice keeps one file.
    pub fn put(&self, bytes: &[u8]) -> Result<String, EvidenceError> {
        let sha = sha256_hex(bytes);
        let path = self.path_of(&sha)?;
        if path.exists() && self.get(&sha).is_ok() {
            return Ok(sha);
        }
        let parent = path.parent().unwrap_or(&self.dir);
        fs::create_dir_all(parent).map_err(io(parent))?;
        // A uniquely named temporary file in the same directory, renamed into place: two
        // uploads of the same bytes at once never share a temporary name, and a reader sees
        // either no file or the whole file.
        let mut tmp = tempfile::Builder::new()
            .prefix(".upload-")
            .tempfile_in(parent)
            .map_err(io(parent))?;
        tmp.write_all(bytes).map_err(io(&path))?;
        tmp.as_file().sync_all().map_err(io(&path))?;
        tmp.persist(&path).map_err(|e| io(&path)(e.error))?;
        Ok(sha)
    }

    /// Reads the file stored under `sha256`, refusing it if its bytes no longer match.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, EvidenceError> {
        let path = self.path_of(sha256)?;
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(EvidenceError::Missing {
                    sha256: sha256.to_owned(),
                });
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            return Err(EvidenceError::Tampered {
                expected: sha256.to_owned(),
                actual,
            });
        }
        Ok(bytes)
    }

    /// Checks every listed file; returns the problems found.
    pub fn verify<'a>(&self, hashes: impl IntoIterator<Item = &'a str>) -> Vec<EvidenceError> {
        hashes
            .into_iter()
            .filter_map(|h| self.get(h).err())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn stores_reads_and_detects_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open(&dir.path().join("evidence")).unwrap();
        let sha = store.put(b"access log review 2026-11").unwrap();
        assert_eq!(sha, sha256_hex(b"access log review 2026-11"));
        assert_eq!(store.get(&sha).unwrap(), b"access log review 2026-11");
        // Same bytes again: one file.
        assert_eq!(store.put(b"access log review 2026-11").unwrap(), sha);
        let path = dir.path().join("evidence").join(&sha[..2]).join(&sha);
        fs::write(&path, b"access log review 2026-12").unwrap();
        match store.get(&sha) {
            Err(EvidenceError::Tampered { expected, actual }) => {
                assert_eq!(expected, sha);
                assert_eq!(actual, sha256_hex(b"access log review 2026-12"));
            }
            other => panic!("expected tampering to be detected, got {other:?}"),
        }
        assert_eq!(store.verify([sha.as_str()]).len(), 1);
        // Putting the original bytes again repairs the file.
        store.put(b"access log review 2026-11").unwrap();
        assert!(store.get(&sha).is_ok());
        fs::remove_file(&path).unwrap();
        assert!(matches!(
            store.get(&sha),
            Err(EvidenceError::Missing { .. })
        ));
        assert!(matches!(
            store.get("../../etc/passwd"),
            Err(EvidenceError::BadHash(_))
        ));
    }
}
