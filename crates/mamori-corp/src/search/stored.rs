//! The index on disk, so that a command-line search does not rebuild it (about 30 s at the
//! national scale) on every run.
//!
//! The file holds the [`Index`] arrays in little-endian order, a caller-chosen stamp naming
//! the registry it was built from (a stale file is refused, not used), and where each
//! corporation's rows start in that registry's CSV, so that a search can read just the
//! rows of its hits. Layout, in order:
//!
//! ```text
//! magic "MAMORI-CORP-INDEX" and version (u32)
//! stamp (u32 length + bytes)
//! counts (u64 each): documents, text bytes, 五十音 list, grams, postings, offsets
//! documents (36 bytes each) · text · 五十音 list (u32) · grams (u64 key, u32 start, u32 len)
//! postings (u32) · row offsets (u64) · "END"
//! ```
//!
//! Every count, position and range is checked on reading: a damaged or truncated file is an
//! error, never a panic or an out-of-bounds read later.

use std::collections::HashMap;
use std::io::{self, Read, Write};

use super::{DateSpan, Doc, Index, hot_of, posting_doc};

const MAGIC: &[u8; 17] = b"MAMORI-CORP-INDEX";
/// 2: posting entries carry the document's prefecture.
const VERSION: u32 = 2;
const END: &[u8; 3] = b"END";
const DOC_BYTES: usize = 36;

/// Why a stored index cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoredError {
    /// Built from another state of the registry (or by another version of mamori).
    #[error("the stored index was built from another registry state ({found}); it must be rebuilt")]
    Stale { found: String },
    /// Not an index file, truncated or damaged.
    #[error("the stored index is damaged: {0}")]
    Damaged(String),
    #[error(transparent)]
    Io(io::Error),
}

impl From<io::Error> for StoredError {
    fn from(e: io::Error) -> StoredError {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            StoredError::Damaged("the file ends early".into())
        } else {
            StoredError::Io(e)
        }
    }
}

/// An index read back with where each corporation's rows are in the registry file:
/// corporation `i` (a [`super::Hit::corp`]) is the byte range `offsets[i]..offsets[i + 1]`.
#[derive(Debug)]
pub struct StoredIndex {
    pub index: Index,
    pub offsets: Vec<u64>,
}

impl StoredIndex {
    /// The byte range of corporation `corp`'s rows in the registry file.
    pub fn rows_range(&self, corp: u32) -> Option<std::ops::Range<u64>> {
        let i = corp as usize;
        Some(*self.offsets.get(i)?..*self.offsets.get(i + 1)?)
    }
}

/// The stamp of a registry file: its size and modification time (nanoseconds since the
/// epoch). Every reader and writer of `index.bin` names the registry this way, so an index
/// saved by the command line is recognised by the web application and the other way round.
pub fn registry_stamp(size: u64, modified_ns: u128) -> String {
    format!("registry.csv size={size} modified={modified_ns}")
}

fn len_u64(n: usize) -> [u8; 8] {
    (n as u64).to_le_bytes()
}

/// Writes `ix` with the registry's row `offsets` (one per corporation plus the end, see
/// [`crate::Registry::corporation_offsets`]) and `stamp`.
pub fn write_stored<W: Write>(
    mut out: W,
    ix: &Index,
    offsets: &[u64],
    stamp: &str,
) -> io::Result<W> {
    out.write_all(MAGIC)?;
    out.write_all(&VERSION.to_le_bytes())?;
    let stamp_len = u32::try_from(stamp.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "stamp too long"))?;
    out.write_all(&stamp_len.to_le_bytes())?;
    out.write_all(stamp.as_bytes())?;
    for n in [
        ix.docs.len(),
        ix.text.len(),
        ix.by_kana.len(),
        ix.grams.len(),
        ix.postings.len(),
        offsets.len(),
    ] {
        out.write_all(&len_u64(n))?;
    }
    let mut buf = Vec::with_capacity(1 << 16);
    let flush = |buf: &mut Vec<u8>, out: &mut W, force: bool| -> io::Result<()> {
        if force || buf.len() >= (1 << 16) - 64 {
            out.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    };
    for d in &ix.docs {
        buf.extend_from_slice(&d.corp.to_le_bytes());
        buf.extend_from_slice(&d.core.0.to_le_bytes());
        buf.extend_from_slice(&d.core.1.to_le_bytes());
        buf.extend_from_slice(&d.kana.0.to_le_bytes());
        buf.extend_from_slice(&d.kana.1.to_le_bytes());
        buf.extend_from_slice(&[d.kind_word, d.pref]);
        buf.extend_from_slice(&d.city.to_le_bytes());
        buf.extend_from_slice(&[d.kind, d.flags]);
        buf.extend_from_slice(&d.len.to_le_bytes());
        buf.extend_from_slice(&d.assigned.to_le_bytes());
        buf.extend_from_slice(&d.gojuon.to_le_bytes());
        flush(&mut buf, &mut out, false)?;
    }
    flush(&mut buf, &mut out, true)?;
    out.write_all(ix.text.as_bytes())?;
    for v in &ix.by_kana {
        buf.extend_from_slice(&v.to_le_bytes());
        flush(&mut buf, &mut out, false)?;
    }
    // Grams in key order: the same index always writes the same bytes.
    let mut grams: Vec<(&u64, &(u32, u32))> = ix.grams.iter().collect();
    grams.sort_unstable_by_key(|(k, _)| **k);
    for (k, (s, n)) in grams {
        buf.extend_from_slice(&k.to_le_bytes());
        buf.extend_from_slice(&s.to_le_bytes());
        buf.extend_from_slice(&n.to_le_bytes());
        flush(&mut buf, &mut out, false)?;
    }
    for v in &ix.postings {
        buf.extend_from_slice(&v.to_le_bytes());
        flush(&mut buf, &mut out, false)?;
    }
    for v in offsets {
        buf.extend_from_slice(&v.to_le_bytes());
        flush(&mut buf, &mut out, false)?;
    }
    flush(&mut buf, &mut out, true)?;
    out.write_all(END)?;
    out.flush()?;
    Ok(out)
}

/// Reads fixed-size records in blocks, decoding each with `f`.
fn read_records<R: Read, T>(
    r: &mut R,
    count: u64,
    size: usize,
    mut f: impl FnMut(&[u8]) -> T,
) -> Result<Vec<T>, StoredError> {
    let count = usize::try_from(count).map_err(|_| StoredError::Damaged("count".into()))?;
    // Grow as data arrives: a damaged count cannot reserve memory the file does not back.
    let mut out = Vec::with_capacity(count.min(1 << 20));
    let per_block = (1 << 20) / size;
    let mut block = vec![0u8; per_block * size];
    let mut left = count;
    while left > 0 {
        let n = left.min(per_block);
        let bytes = &mut block[..n * size];
        r.read_exact(bytes)?;
        out.extend(bytes.chunks_exact(size).map(&mut f));
        left -= n;
    }
    Ok(out)
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[i..i + 4]);
    u32::from_le_bytes(a)
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

fn read_u64<R: Read>(r: &mut R) -> Result<u64, StoredError> {
    let mut a = [0u8; 8];
    r.read_exact(&mut a)?;
    Ok(u64::from_le_bytes(a))
}

/// Reads only the stamp of a stored index (to decide whether it is current).
pub fn read_stamp<R: Read>(r: &mut R) -> Result<String, StoredError> {
    let mut magic = [0u8; 17];
    r.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(StoredError::Damaged("not a mamori index file".into()));
    }
    let mut v = [0u8; 4];
    r.read_exact(&mut v)?;
    let version = u32::from_le_bytes(v);
    r.read_exact(&mut v)?;
    let n = u32::from_le_bytes(v) as usize;
    if n > 4096 {
        return Err(StoredError::Damaged("stamp length".into()));
    }
    let mut stamp = vec![0u8; n];
    r.read_exact(&mut stamp)?;
    let stamp = String::from_utf8(stamp).map_err(|_| StoredError::Damaged("stamp".into()))?;
    if version != VERSION {
        return Err(StoredError::Stale {
            found: format!("index format {version}"),
        });
    }
    Ok(stamp)
}

/// Reads only the row offsets of a stored index written with `expected_stamp`, skipping the
/// index itself: enough to find a corporation by number in the registry file (its rows are
/// in number order) without loading either.
pub fn read_offsets<R: Read + std::io::Seek>(
    mut r: R,
    expected_stamp: &str,
) -> Result<Vec<u64>, StoredError> {
    let stamp = read_stamp(&mut r)?;
    if stamp != expected_stamp {
        return Err(StoredError::Stale { found: stamp });
    }
    let mut counts = [0u64; 6];
    for c in &mut counts {
        *c = read_u64(&mut r)?;
    }
    let [n_docs, n_text, n_kana, n_grams, n_postings, n_offsets] = counts;
    let skip = [
        (n_docs, DOC_BYTES as u64),
        (n_text, 1),
        (n_kana, 4),
        (n_grams, 16),
        (n_postings, 4),
    ]
    .iter()
    .try_fold(0u64, |acc, (n, size)| {
        n.checked_mul(*size).and_then(|b| acc.checked_add(b))
    })
    .and_then(|b| i64::try_from(b).ok())
    .ok_or_else(|| StoredError::Damaged("counts".into()))?;
    r.seek(std::io::SeekFrom::Current(skip))?;
    let offsets = read_records(&mut r, n_offsets, 8, |b| u64_at(b, 0))?;
    let mut end = [0u8; 3];
    r.read_exact(&mut end)?;
    if &end != END {
        return Err(StoredError::Damaged("no end mark".into()));
    }
    if offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err(StoredError::Damaged("row offsets".into()));
    }
    Ok(offsets)
}

/// Reads a stored index if it was written with `expected_stamp`.
pub fn read_stored<R: Read>(mut r: R, expected_stamp: &str) -> Result<StoredIndex, StoredError> {
    let stamp = read_stamp(&mut r)?;
    if stamp != expected_stamp {
        return Err(StoredError::Stale { found: stamp });
    }
    let mut counts = [0u64; 6];
    for c in &mut counts {
        *c = read_u64(&mut r)?;
    }
    let [n_docs, n_text, n_kana, n_grams, n_postings, n_offsets] = counts;
    let docs = read_records(&mut r, n_docs, DOC_BYTES, |b| Doc {
        corp: u32_at(b, 0),
        core: (u32_at(b, 4), u32_at(b, 8)),
        kana: (u32_at(b, 12), u32_at(b, 16)),
        kind_word: b[20],
        pref: b[21],
        city: u16_at(b, 22),
        kind: b[24],
        flags: b[25],
        len: u16_at(b, 26),
        assigned: u32_at(b, 28),
        gojuon: u32_at(b, 32),
    })?;
    let text = read_records(&mut r, n_text, 1, |b| b[0])?;
    let text = String::from_utf8(text).map_err(|_| StoredError::Damaged("name text".into()))?;
    let by_kana = read_records(&mut r, n_kana, 4, |b| u32_at(b, 0))?;
    let grams = read_records(&mut r, n_grams, 16, |b| {
        (u64_at(b, 0), (u32_at(b, 8), u32_at(b, 12)))
    })?;
    let postings = read_records(&mut r, n_postings, 4, |b| u32_at(b, 0))?;
    let offsets = read_records(&mut r, n_offsets, 8, |b| u64_at(b, 0))?;
    let mut end = [0u8; 3];
    r.read_exact(&mut end)?;
    if &end != END {
        return Err(StoredError::Damaged("no end mark".into()));
    }
    // Everything the search indexes into must be in range.
    let n = u32::try_from(docs.len()).map_err(|_| StoredError::Damaged("documents".into()))?;
    let corps = offsets.len().saturating_sub(1);
    let in_text = |(a, len): (u32, u32)| text.get(a as usize..a as usize + len as usize).is_some();
    if let Some(i) = docs
        .iter()
        .position(|d| d.corp as usize >= corps || !in_text(d.core) || !in_text(d.kana))
    {
        return Err(StoredError::Damaged(format!("document {i}")));
    }
    if by_kana.iter().any(|d| *d >= n) || postings.iter().any(|e| posting_doc(*e) >= n) {
        return Err(StoredError::Damaged("a document list".into()));
    }
    if grams
        .iter()
        .any(|(_, (s, len))| u64::from(*s) + u64::from(*len) > postings.len() as u64)
    {
        return Err(StoredError::Damaged("a gram range".into()));
    }
    if offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err(StoredError::Damaged("row offsets".into()));
    }
    let grams: HashMap<u64, (u32, u32)> = grams.into_iter().collect();
    let hot: Vec<_> = docs.iter().map(hot_of).collect();
    let hot_bits = hot.iter().map(|h: &super::Hot| h.bits).collect();
    let dates = DateSpan::of(&docs);
    let mut index = Index {
        fences: Vec::new(),
        hot_bits,
        dates,
        docs,
        text,
        by_kana,
        grams,
        postings,
        hot,
    };
    index.fences = index.fences_of();
    Ok(StoredIndex { index, offsets })
}
