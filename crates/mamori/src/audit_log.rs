//! The CLI's audit log: an append-only, hash-chained JSON Lines file in the data directory.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use mamori_audit::{Entry, NewEntry, seal};

pub(crate) fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("audit.jsonl")
}

/// Reads every entry; a line that is not an entry is an error naming the line.
pub(crate) fn read_all(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let e: Entry = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not an audit entry", path.display(), i + 1))?;
        out.push(e);
    }
    Ok(out)
}

/// The OS user running mamori: the actor of CLI actions.
pub(crate) fn actor() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The current time as RFC 3339 in Japan time (the edge that reads the clock).
#[allow(clippy::disallowed_methods)]
pub(crate) fn now_rfc3339() -> String {
    let jst = jiff::tz::TimeZone::fixed(jiff::tz::offset(9));
    jiff::Timestamp::now()
        .to_zoned(jst)
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Today's date in Japan time (the edge that reads the clock).
#[allow(clippy::disallowed_methods)]
pub(crate) fn today() -> jiff::civil::Date {
    let jst = jiff::tz::TimeZone::fixed(jiff::tz::offset(9));
    jiff::Timestamp::now().to_zoned(jst).date()
}

/// Appends one entry, chained to the last one in the file.
pub(crate) fn append(
    data_dir: &Path,
    action: &str,
    object: &str,
    detail: &str,
) -> anyhow::Result<Entry> {
    crate::datadir::ensure_private_dir(data_dir)?;
    let p = path(data_dir);
    let existing = read_all(&p)?;
    let time = now_rfc3339();
    let actor = actor();
    let entry = seal(
        existing.last(),
        NewEntry {
            time: &time,
            actor: &actor,
            action,
            object,
            detail,
        },
    );
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(&p)
        .with_context(|| format!("cannot open {}", p.display()))?;
    let mut line = serde_json::to_vec(&entry)?;
    line.push(b'\n');
    f.write_all(&line)?;
    f.sync_all()?;
    Ok(entry)
}
