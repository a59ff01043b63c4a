//! mamori's data directory and the per-installation scan key.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// `--data-dir`, else `$XDG_DATA_HOME/mamori`, else `~/.local/share/mamori`, else `./.mamori`.
pub(crate) fn data_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(d) = explicit {
        return d.to_owned();
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("mamori");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(h).join(".local/share/mamori");
    }
    PathBuf::from(".mamori")
}

pub(crate) fn ensure_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict permissions of {}", dir.display()))?;
    }
    Ok(())
}

/// The per-installation key for keyed hashes of numbers: created once (random, 32 bytes,
/// owner-only permissions) and reused, so hashes stay comparable between scans.
pub(crate) fn scan_key(dir: &Path) -> anyhow::Result<mamori_mynumber::HashKey> {
    let path = dir.join("scan.key");
    match std::fs::read(&path) {
        Ok(bytes) => parse_key(&path, &bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            ensure_private_dir(dir)?;
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            match opts.open(&path) {
                Ok(mut f) => {
                    f.write_all(&key)?;
                    f.sync_all()?;
                    Ok(mamori_mynumber::HashKey::new(key))
                }
                // Another process created it first: use that one.
                // Another process created it first (or a dangling link is in the way): read it
                // once more, without recursing.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let bytes = std::fs::read(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    parse_key(&path, &bytes)
                }
                Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
            }
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn parse_key(path: &Path, bytes: &[u8]) -> anyhow::Result<mamori_mynumber::HashKey> {
    let key: [u8; 32] = bytes.try_into().map_err(|_| {
        anyhow::anyhow!(
            "{}: expected 32 bytes, found {}",
            path.display(),
            bytes.len()
        )
    })?;
    Ok(mamori_mynumber::HashKey::new(key))
}
