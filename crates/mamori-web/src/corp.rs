//! The local copy of the 法人番号 data in the web application: loaded once in the background
//! (`mamori serve` starts answering at once; the corporate-number routes say the data is
//! loading or absent until it is there), then shared read-only by every request.
//!
//! [`CorpData`] holds the [`Registry`] (every row as its NTA CSV line), the search [`Index`],
//! a compact per-corporation summary (which row is current, prefecture, city, 法人種別,
//! closed, 検索対象除外, assignment date) used to filter and to find current rows without
//! parsing, and a sorted list of English names for `target=3`.
//!
//! Responses in the NTA layouts are written here ([`write_lines`], [`write_rows`]); the
//! Web-API endpoints are in [`crate::corp_api`], the pages in [`crate::corp_pages`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use mamori_corp::{
    CorpNumber, Corporation, Envelope, Index, Kind, Registry, TextEncoding, XmlWriter, parse_line,
};

use crate::AppState;

/// Rows per 分割 (divide) of a Web-API response, as the NTA pages.
pub const DIVIDE_ROWS: usize = 2000;

/// The bytes of finished `/4/name` answers kept per loaded copy (see [`AnswerCache`]).
pub const ANSWER_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Where the copy stands.
#[derive(Clone, Default)]
pub enum CorpStatus {
    /// No local copy (nothing imported yet).
    #[default]
    Absent,
    /// Being read; the routes answer 503 until it is ready.
    Loading,
    /// Ready.
    Ready(Arc<CorpData>),
    /// The copy could not be read (the message is for the log and the administrator).
    Failed(String),
}

/// The copy as every request sees it.
#[derive(Default)]
pub struct CorpShared {
    status: RwLock<CorpStatus>,
}

impl std::fmt::Debug for CorpShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorpShared").finish_non_exhaustive()
    }
}

impl CorpShared {
    /// The current status (a clone of an `Arc`: the lock is held for no longer than that).
    pub fn status(&self) -> CorpStatus {
        match self.status.read() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn set(&self, s: CorpStatus) {
        match self.status.write() {
            Ok(mut g) => *g = s,
            Err(p) => *p.into_inner() = s,
        }
    }

    /// Makes `data` the copy every request sees.
    pub fn set_ready(&self, data: CorpData) {
        self.set(CorpStatus::Ready(Arc::new(data)));
    }
}

const CLOSED: u8 = 1;
const HIDDEN: u8 = 2;

/// What the filters of the Web-API and the pages need of a corporation, without parsing.
#[derive(Clone, Copy, Debug, Default)]
struct Meta {
    /// Index of the current row among the corporation's rows.
    latest: u16,
    flags: u8,
    pref: u8,
    city: u16,
    /// Position in [`Kind::ALL`], `u8::MAX` when blank.
    kind: u8,
    /// `YYYYMMDD`, 0 when blank.
    assigned: u32,
}

/// An English name (folded to lower case) for `target=3`.
#[derive(Debug)]
struct EnName {
    lower: Box<str>,
    corp: u32,
    past: bool,
}

/// The loaded copy.
pub struct CorpData {
    pub registry: Registry,
    pub index: Index,
    meta: Vec<Meta>,
    english: Vec<EnName>,
    /// The latest 更新年月日 in the copy (the `lastUpdateDate` of responses).
    pub last_update: Date,
    /// When the copy was loaded.
    pub loaded_at: jiff::Timestamp,
    /// Finished `/4/name` answers of this copy (a reload brings a new, empty one).
    answers: AnswerCache,
    /// Every corporation's current row again, laid out in name order.
    current: CurrentLines,
}

/// Every corporation's current line (as stored: an NTA CSV line), copied into one buffer in
/// the index's name order ([`Index::corporations_in_name_order`]), then the corporations
/// without a searchable name.
///
/// The registry keeps each line in its own allocation, in number order; the rows of a broad
/// `/4/name` answer are then scattered over the whole copy and each costs three dependent
/// cache and TLB misses. The hits of a prefix query are neighbours in name order, so here
/// their lines sit in one region of a few megabytes, one load away from the position.
/// It costs a second copy of the current lines (about 1.2 GB at the national scale).
#[derive(Debug, Default)]
struct CurrentLines {
    text: String,
    /// Per corporation (registry position): `start << 16 | length` in `text`, or
    /// [`CurrentLines::ELSEWHERE`] for a line of 64 KiB or more (read from the registry).
    at: Vec<u64>,
}

impl CurrentLines {
    const ELSEWHERE: u64 = u64::MAX;

    fn build(registry: &Registry, index: &Index, meta: &[Meta]) -> CurrentLines {
        let n = registry.len();
        let line_of = |pos: usize| current_row(registry, meta, pos);
        let bytes: usize = (0..n).filter_map(line_of).map(str::len).sum();
        let mut text = String::with_capacity(bytes);
        let mut at = vec![Self::ELSEWHERE; n];
        let mut place = |pos: usize, text: &mut String| {
            let Some(slot) = at.get_mut(pos) else {
                return;
            };
            if *slot != Self::ELSEWHERE {
                return;
            }
            let Some(line) = line_of(pos) else {
                return;
            };
            if line.len() <= usize::from(u16::MAX) {
                *slot = ((text.len() as u64) << 16) | line.len() as u64;
                text.push_str(line);
            }
        };
        for corp in index.corporations_in_name_order() {
            place(corp as usize, &mut text);
        }
        for pos in 0..n {
            place(pos, &mut text);
        }
        CurrentLines { text, at }
    }

    /// The line of the corporation at `pos`: `Some(None)` when it is read from the registry.
    fn get(&self, pos: usize) -> Option<Option<&str>> {
        let at = *self.at.get(pos)?;
        if at == Self::ELSEWHERE {
            return Some(None);
        }
        let (start, len) = ((at >> 16) as usize, (at & 0xFFFF) as usize);
        Some(self.text.get(start..start + len))
    }
}

/// The current row of the corporation at `pos` as the registry holds it (the one its
/// [`Meta::latest`] names, else the last).
fn current_row<'a>(registry: &'a Registry, meta: &[Meta], pos: usize) -> Option<&'a str> {
    let (_, rows) = registry.corporation_rows(pos)?;
    let i = meta.get(pos).map_or(0, |m| m.latest as usize);
    rows.get(i).or(rows.last()).map(AsRef::as_ref)
}

impl std::fmt::Debug for CorpData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorpData")
            .field("corporations", &self.registry.len())
            .field("rows", &self.registry.row_count())
            .field("last_update", &self.last_update)
            .finish_non_exhaustive()
    }
}

fn yyyymmdd(d: Option<Date>) -> u32 {
    d.map_or(0, |d| {
        u32::try_from(i32::from(d.year()) * 10000 + i32::from(d.month()) * 100 + i32::from(d.day()))
            .unwrap_or(0)
    })
}

fn date_of(key: u32) -> Option<Date> {
    let y = i16::try_from(key / 10000).ok()?;
    let m = i8::try_from(key / 100 % 100).ok()?;
    let d = i8::try_from(key % 100).ok()?;
    Date::new(y, m, d).ok()
}

fn kind_pos(k: Option<Kind>) -> u8 {
    k.and_then(|k| Kind::ALL.iter().position(|x| *x == k))
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

/// Lower case for English-name search (ASCII and full-width Latin alike).
pub fn fold_english(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '０'..='９' => {
                char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
            }
            '　' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

impl CorpData {
    /// Builds the index and the summaries over a registry. `now` is the load time; it is also
    /// the `lastUpdateDate` when no row carries an 更新年月日.
    pub fn build(registry: Registry, now: jiff::Timestamp) -> CorpData {
        let index = Index::build(&registry);
        CorpData::with_index(registry, index, now)
    }

    /// [`CorpData::build`] with an index already built for this registry (the one `mamori
    /// corp import` saved).
    pub fn with_index(registry: Registry, index: Index, now: jiff::Timestamp) -> CorpData {
        let mut meta = vec![Meta::default(); registry.len()];
        let mut english: Vec<(EnName, u16)> = Vec::new();
        let mut max_update = 0u32;
        let mut cur = usize::MAX;
        let mut row_i = 0u16;
        let mut has_latest = false;
        registry.for_each_row(|pos, row| {
            if pos != cur {
                cur = pos;
                row_i = 0;
                has_latest = false;
            } else {
                row_i = row_i.saturating_add(1);
            }
            max_update = max_update.max(yyyymmdd(row.update_date));
            if row.is_latest() || !has_latest {
                has_latest |= row.is_latest();
                if let Some(m) = meta.get_mut(pos) {
                    let mut flags = 0;
                    if row.is_closed() {
                        flags |= CLOSED;
                    }
                    if row.is_hihyoji() {
                        flags |= HIDDEN;
                    }
                    *m = Meta {
                        latest: row_i,
                        flags,
                        pref: row.prefecture_code.unwrap_or(0),
                        city: row.city_code.unwrap_or(0),
                        kind: kind_pos(row.kind),
                        assigned: yyyymmdd(row.assignment_date),
                    };
                }
            }
            if !row.en_name.is_empty() {
                let lower = fold_english(row.en_name.trim());
                let corp = u32::try_from(pos).unwrap_or(u32::MAX);
                if !english
                    .iter()
                    .rev()
                    .take_while(|(e, _)| e.corp == corp)
                    .any(|(e, _)| *e.lower == *lower)
                {
                    english.push((
                        EnName {
                            lower: lower.into_boxed_str(),
                            corp,
                            past: false,
                        },
                        row_i,
                    ));
                }
            }
        });
        let mut english: Vec<EnName> = english
            .into_iter()
            .map(|(mut e, row)| {
                e.past = meta.get(e.corp as usize).is_some_and(|m| m.latest != row);
                e
            })
            .collect();
        english.sort_by(|a, b| a.lower.cmp(&b.lower).then(a.corp.cmp(&b.corp)));
        let last_update = date_of(max_update).unwrap_or_else(|| {
            now.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)))
                .date()
        });
        let current = CurrentLines::build(&registry, &index, &meta);
        CorpData {
            registry,
            index,
            meta,
            english,
            last_update,
            loaded_at: now,
            answers: AnswerCache::new(ANSWER_CACHE_BYTES),
            current,
        }
    }

    /// Number of corporations.
    pub fn len(&self) -> usize {
        self.registry.len()
    }

    pub fn is_empty(&self) -> bool {
        self.registry.is_empty()
    }

    /// The current row (as stored: an NTA CSV line) of the corporation at `pos`.
    pub fn latest_line(&self, pos: usize) -> Option<&str> {
        match self.current.get(pos)? {
            Some(line) => Some(line),
            None => self.registry_line(pos),
        }
    }

    /// The current row as the registry holds it.
    fn registry_line(&self, pos: usize) -> Option<&str> {
        current_row(&self.registry, &self.meta, pos)
    }

    /// The current rows of the corporations at `corps` (positions), in that order; positions
    /// out of range are left out.
    ///
    /// The lines come from [`CurrentLines`], where a prefix answer's rows are neighbours.
    /// The positions (in number order) are still scattered, so the look-ups go in passes
    /// whose loads do not depend on each other, many misses in flight instead of one at a
    /// time: the places first, then every cache line of each line (the copy that follows
    /// then finds them in cache).
    pub fn latest_lines(&self, corps: &[u32]) -> Vec<&str> {
        let places: Vec<(usize, Option<Option<&str>>)> = corps
            .iter()
            .map(|c| (*c as usize, self.current.get(*c as usize)))
            .collect();
        let lines: Vec<&str> = places
            .into_iter()
            .filter_map(|(pos, place)| match place? {
                Some(line) => Some(line),
                None => self.registry_line(pos),
            })
            .collect();
        // Every cache line of every line: the loads are independent, so their misses
        // overlap here instead of stalling the copy that follows one line at a time.
        let mut touched = 0u8;
        for l in &lines {
            let b = l.as_bytes();
            for x in b.iter().step_by(64) {
                touched ^= *x;
            }
            touched ^= b.last().copied().unwrap_or(0);
        }
        std::hint::black_box(touched);
        lines
    }

    /// The cache of finished `/4/name` answers of this copy.
    pub fn answers(&self) -> &AnswerCache {
        &self.answers
    }

    /// The current row of the corporation at `pos`.
    pub fn latest_row(&self, pos: usize) -> Option<Corporation> {
        self.latest_line(pos).and_then(parse_line)
    }

    /// Every row (oldest first) of the corporation at `pos`.
    pub fn lines(&self, pos: usize) -> &[Box<str>] {
        self.registry
            .corporation_rows(pos)
            .map(|(_, r)| r)
            .unwrap_or_default()
    }

    /// Whether the corporation at `pos` passes the Web-API filters.
    fn keep(&self, pos: usize, f: &Filter) -> bool {
        let Some(m) = self.meta.get(pos) else {
            return false;
        };
        m.flags & HIDDEN == 0
            && (f.include_closed || m.flags & CLOSED == 0)
            && f.prefecture.is_none_or(|p| m.pref == p)
            && f.city.is_none_or(|c| m.city == c)
            && (f.kinds.is_empty() || f.kinds.iter().any(|k| kind_pos(Some(*k)) == m.kind))
            && f.assigned_from.is_none_or(|a| m.assigned >= a)
            && f.assigned_to
                .is_none_or(|t| m.assigned != 0 && m.assigned <= t)
    }

    /// English names (`target=3`): corporations whose English name (folded to lower case)
    /// starts with (`partial == false`) or contains `q`, in name order; earlier English names
    /// count when `f.include_past`.
    pub fn english_search(&self, q: &str, partial: bool, f: &Filter) -> Vec<u32> {
        let q = fold_english(q.trim());
        let candidates: &[EnName] = if partial {
            &self.english
        } else {
            let lo = self.english.partition_point(|e| *e.lower < *q);
            let hi = lo + self.english[lo..].partition_point(|e| e.lower.starts_with(&q));
            &self.english[lo..hi]
        };
        let mut seen = std::collections::HashSet::new();
        candidates
            .iter()
            .filter(|e| (!e.past || f.include_past) && (!partial || e.lower.contains(&q)))
            .filter(|e| self.keep(e.corp as usize, f))
            .filter(|e| seen.insert(e.corp))
            .map(|e| e.corp)
            .collect()
    }

    /// Whether the corporation passes the filters of a difference request (rows of 99 削除
    /// carry no address or kind: they pass only when neither is asked for).
    pub fn diff_keep(c: &Corporation, f: &Filter) -> bool {
        f.prefecture.is_none_or(|p| c.prefecture_code == Some(p))
            && f.city.is_none_or(|x| c.city_code == Some(x))
            && (f.kinds.is_empty() || c.kind.is_some_and(|k| f.kinds.contains(&k)))
    }
}

/// Filters shared by the Web-API and the pages.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub prefecture: Option<u8>,
    pub city: Option<u16>,
    pub kinds: Vec<Kind>,
    pub include_closed: bool,
    pub include_past: bool,
    pub assigned_from: Option<u32>,
    pub assigned_to: Option<u32>,
}

// ---- finished answers -------------------------------------------------------------------

/// What a `/4/name` answer depends on besides the copy: every request parameter after parsing
/// (the name as searched, the format, the mode and target, each filter, the 分割). Two requests
/// with the same key get the same bytes from the same copy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AnswerKey {
    pub format: Format,
    pub name: Box<str>,
    pub partial: bool,
    pub target: u8,
    pub prefecture: Option<u8>,
    pub city: Option<u16>,
    /// Positions in [`Kind::ALL`], sorted and without repeats (the order asked does not matter).
    pub kinds: Vec<u8>,
    pub include_closed: bool,
    pub include_past: bool,
    pub assigned_from: Option<u32>,
    pub assigned_to: Option<u32>,
    pub divide: usize,
}

impl AnswerKey {
    /// The key of a `/4/name` request.
    pub fn name_search(
        format: Format,
        name: &str,
        partial: bool,
        target: u8,
        f: &Filter,
        divide: usize,
    ) -> AnswerKey {
        let mut kinds: Vec<u8> = f.kinds.iter().map(|k| kind_pos(Some(*k))).collect();
        kinds.sort_unstable();
        kinds.dedup();
        AnswerKey {
            format,
            name: name.into(),
            partial,
            target,
            prefecture: f.prefecture,
            city: f.city,
            kinds,
            include_closed: f.include_closed,
            include_past: f.include_past,
            assigned_from: f.assigned_from,
            assigned_to: f.assigned_to,
            divide,
        }
    }

    fn weight(&self) -> usize {
        // The key twice (map and ring) and the bookkeeping, roughly.
        2 * (self.name.len() + self.kinds.len()) + 160
    }
}

/// Counters of an [`AnswerCache`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AnswerCacheStats {
    pub hits: u64,
    pub misses: u64,
    pub entries: usize,
    pub bytes: usize,
    pub limit: usize,
}

/// Finished `/4/name` answers of one loaded copy, bounded by their total size.
///
/// NTA-compatible clients page through the same broad queries again and again; a broad answer
/// (2,000 rows, 100–200 KB) costs a search and 2,000 scattered rows to copy, a cached one a
/// look-up. The cache belongs to the [`CorpData`] it was filled from: a reload after an import
/// makes a new `CorpData` with an empty cache, so an answer never outlives its copy. Keys are
/// the parsed parameters ([`AnswerKey`]), so only the same question gets the same bytes.
/// Eviction is CLOCK (second chance): a hit marks the entry, the hand clears marks and evicts
/// the first unmarked entry. An answer larger than a sixteenth of the limit is not kept.
pub struct AnswerCache {
    inner: Mutex<CacheInner>,
    hits: AtomicU64,
    misses: AtomicU64,
}

struct CacheInner {
    limit: usize,
    bytes: usize,
    map: HashMap<AnswerKey, usize>,
    ring: Vec<CacheEntry>,
    hand: usize,
}

struct CacheEntry {
    key: AnswerKey,
    body: Bytes,
    used: bool,
}

impl CacheInner {
    fn cost(e: &CacheEntry) -> usize {
        e.body.len() + e.key.weight()
    }

    /// Evicts entries until `need` more bytes fit (or nothing is left).
    fn make_room(&mut self, need: usize) {
        while self.bytes + need > self.limit && !self.ring.is_empty() {
            if self.hand >= self.ring.len() {
                self.hand = 0;
            }
            let Some(e) = self.ring.get_mut(self.hand) else {
                break;
            };
            if e.used {
                e.used = false;
                self.hand += 1;
                continue;
            }
            let gone = self.ring.swap_remove(self.hand);
            self.bytes = self.bytes.saturating_sub(Self::cost(&gone));
            self.map.remove(&gone.key);
            if let Some(moved) = self.ring.get(self.hand) {
                self.map.insert(moved.key.clone(), self.hand);
            }
        }
    }
}

impl AnswerCache {
    /// An empty cache keeping at most `limit` bytes (0: keeps nothing).
    pub fn new(limit: usize) -> AnswerCache {
        AnswerCache {
            inner: Mutex::new(CacheInner {
                limit,
                bytes: 0,
                map: HashMap::new(),
                ring: Vec::new(),
                hand: 0,
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Changes the limit (0 turns the cache off), evicting as needed.
    pub fn set_limit(&self, limit: usize) {
        let mut c = self.lock();
        c.limit = limit;
        c.make_room(0);
    }

    /// Forgets every answer and resets the counters.
    pub fn clear(&self) {
        let mut c = self.lock();
        c.map.clear();
        c.ring.clear();
        c.bytes = 0;
        c.hand = 0;
        self.hits.store(0, Ordering::Relaxed);
        self.misses.store(0, Ordering::Relaxed);
    }

    /// The answer kept for `key`, if any.
    pub fn get(&self, key: &AnswerKey) -> Option<Bytes> {
        let mut c = self.lock();
        if c.limit == 0 {
            return None;
        }
        let found = match c.map.get(key).copied() {
            Some(i) => c.ring.get_mut(i).map(|e| {
                e.used = true;
                e.body.clone()
            }),
            None => None,
        };
        drop(c);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps `body` as the answer for `key` (unless it is too large for the limit).
    pub fn put(&self, key: AnswerKey, body: Bytes) {
        let mut c = self.lock();
        let e = CacheEntry {
            key,
            body,
            used: false,
        };
        let cost = CacheInner::cost(&e);
        if cost > c.limit / 16 || c.map.contains_key(&e.key) {
            return;
        }
        c.make_room(cost);
        if c.bytes + cost > c.limit {
            return;
        }
        c.bytes += cost;
        let at = c.ring.len();
        c.map.insert(e.key.clone(), at);
        c.ring.push(e);
    }

    pub fn stats(&self) -> AnswerCacheStats {
        let c = self.lock();
        AnswerCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: c.ring.len(),
            bytes: c.bytes,
            limit: c.limit,
        }
    }
}

/// The recorded 99 削除 rows next to a registry file (`deleted.tsv`: `YYYYMMDD<TAB>line`).
fn deleted_path(registry: &Path) -> PathBuf {
    registry.with_file_name("deleted.tsv")
}

fn parse_deleted(text: &str) -> Vec<(u32, Box<str>)> {
    text.lines()
        .filter_map(|l| {
            let (d, line) = l.split_once('\t')?;
            Some((d.parse().ok()?, line.into()))
        })
        .collect()
}

/// Reads the local copy (`<data dir>/corp/registry.csv` and the deletions recorded next to
/// it), as `mamori corp` keeps it.
pub fn read_registry(path: &Path) -> io::Result<Registry> {
    let f = std::fs::File::open(path)?;
    let (mut reg, diags) = Registry::read(BufReader::with_capacity(1 << 20, f))?;
    if let Some(d) = diags.first() {
        tracing::warn!(
            file = %path.display(),
            damaged = diags.len(),
            first = %d,
            "damaged rows in the local 法人番号 copy were skipped; import again"
        );
    }
    match std::fs::read_to_string(deleted_path(path)) {
        Ok(text) => reg.set_deleted(parse_deleted(&text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    Ok(reg)
}

/// The stamp of the registry file as `index.bin` records it (size and modification time).
fn registry_stamp_of(path: &Path) -> Option<String> {
    let m = std::fs::metadata(path).ok()?;
    let modified = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(mamori_corp::registry_stamp(m.len(), modified))
}

/// Where the index of a loaded copy came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexSource {
    /// `index.bin`, saved by the import for exactly this `registry.csv`.
    Saved,
    /// Built while loading (no saved index, or one of another state of the copy).
    Built,
}

/// Reads the copy at `path` (`registry.csv`) with its deletions and indexes it: with the
/// index the import saved next to it (`index.bin`) when that index belongs to this very file
/// (same size and modification time before and after reading, the same number of
/// corporations), else by building it.
pub fn read_copy(path: &Path, now: jiff::Timestamp) -> io::Result<(CorpData, IndexSource)> {
    let before = registry_stamp_of(path);
    let reg = read_registry(path)?;
    let saved = before
        .filter(|b| registry_stamp_of(path).as_ref() == Some(b))
        .and_then(|stamp| {
            let f = std::fs::File::open(path.with_file_name("index.bin")).ok()?;
            match mamori_corp::read_stored(BufReader::with_capacity(1 << 20, f), &stamp) {
                Ok(s) if s.offsets.len() == reg.len() + 1 => Some(s.index),
                Ok(_) => None,
                Err(e) => {
                    tracing::info!(file = %path.display(), error = %e, "saved 法人番号 index not used; building it");
                    None
                }
            }
        });
    Ok(match saved {
        Some(index) => (CorpData::with_index(reg, index, now), IndexSource::Saved),
        None => (CorpData::build(reg, now), IndexSource::Built),
    })
}

/// How often the copy's files are checked for a new import.
pub const RELOAD_CHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// The modification times of the copy's files (`None` when the registry is absent).
fn stamp(path: &Path) -> Option<(std::time::SystemTime, Option<std::time::SystemTime>)> {
    let reg = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    let del = std::fs::metadata(deleted_path(path))
        .and_then(|m| m.modified())
        .ok();
    Some((reg, del))
}

/// Reads and indexes the copy (blocking), then makes it the one requests see.
fn load(path: &Path, slot: &CorpShared, clock: &crate::Clock) {
    let started = Instant::now();
    match read_copy(path, clock()) {
        Ok((data, source)) => {
            tracing::info!(
                file = %path.display(),
                corporations = data.len(),
                rows = data.registry.row_count(),
                names = data.index.doc_count(),
                last_update = %data.last_update,
                index = if source == IndexSource::Saved { "saved" } else { "built" },
                total_ms = started.elapsed().as_millis() as u64,
                "法人番号 data loaded"
            );
            slot.set_ready(data);
        }
        Err(e) => {
            tracing::error!(file = %path.display(), error = %e, "cannot read the local 法人番号 copy");
            // A copy already served stays in service; otherwise the routes say what failed.
            if !matches!(slot.status(), CorpStatus::Ready(_)) {
                slot.set(CorpStatus::Failed(e.to_string()));
            }
        }
    }
}

/// Loads the copy at `path` in the background (a blocking thread): the slot says
/// [`CorpStatus::Loading`] meanwhile, then `Ready`, `Absent` (no file) or `Failed`. Then
/// checks the files every [`RELOAD_CHECK`] and loads them again after an import (`mamori
/// corp import` while the server runs), serving the previous copy until the new one is ready.
pub fn spawn_load(state: &AppState, path: PathBuf) {
    let slot = state.corp.clone();
    let clock = state.clock.clone();
    let mut seen = stamp(&path);
    if seen.is_none() {
        tracing::info!(file = %path.display(), "no local 法人番号 copy (import one with `mamori corp import`)");
        slot.set(CorpStatus::Absent);
    } else {
        slot.set(CorpStatus::Loading);
    }
    tokio::spawn(async move {
        let mut first = seen.is_some();
        loop {
            if first {
                first = false;
            } else {
                tokio::time::sleep(RELOAD_CHECK).await;
                let now = stamp(&path);
                if now == seen || now.is_none() {
                    if now.is_none() && seen.is_some() {
                        tracing::warn!(file = %path.display(), "the local 法人番号 copy disappeared; still serving the one loaded");
                        seen = None;
                    }
                    continue;
                }
                // An import writes the registry, then the deletions: let it finish.
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                seen = stamp(&path);
                tracing::info!(file = %path.display(), "the local 法人番号 copy changed; loading it again");
                if !matches!(slot.status(), CorpStatus::Ready(_)) {
                    slot.set(CorpStatus::Loading);
                }
            }
            let (p, s, c) = (path.clone(), slot.clone(), clock.clone());
            if tokio::task::spawn_blocking(move || load(&p, &s, &c))
                .await
                .is_err()
            {
                tracing::error!("loading the 法人番号 copy panicked");
            }
        }
    });
}

/// The demo copy: 2,000 generated corporations with their history and five days of
/// differences applied (`xtask corp-data`, then `mamori corp import`), and the deletions
/// recorded by those differences.
pub const DEMO_CSV: &[u8] = include_bytes!("../demo/corp-demo.csv");
const DEMO_DELETED: &str = include_str!("../demo/corp-demo-deleted.tsv");

/// The demo copy as a registry (for tests and benchmarks).
pub fn demo_registry() -> io::Result<Registry> {
    let (mut reg, _) = Registry::read(DEMO_CSV)?;
    reg.set_deleted(parse_deleted(DEMO_DELETED));
    Ok(reg)
}

/// Writes the demo copy to `path` unless a copy is there already; `Ok(true)` when written.
pub fn install_demo(path: &Path) -> io::Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    let reg = demo_registry()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut deleted = String::new();
    for (d, line) in reg.deleted() {
        deleted.push_str(&format!("{d}\t{line}\n"));
    }
    std::fs::write(deleted_path(path), deleted)?;
    let tmp = path.with_extension("csv.tmp");
    let f = std::fs::File::create(&tmp)?;
    let f = reg.write_csv(io::BufWriter::new(f), TextEncoding::Utf8, false)?;
    f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(true)
}

// ---- NTA layouts ------------------------------------------------------------------------

/// The response type (`type`) of the Web-API, also the download variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `01`: CSV, Shift_JIS.
    CsvSjis,
    /// `02`: CSV, Unicode (UTF-8).
    Csv,
    /// `12`: XML, Unicode.
    Xml,
}

impl Format {
    pub fn from_type(s: &str) -> Option<Format> {
        match s {
            "01" => Some(Format::CsvSjis),
            "02" => Some(Format::Csv),
            "12" => Some(Format::Xml),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::CsvSjis => "text/csv;charset=Shift_JIS",
            Format::Csv => "text/csv;charset=UTF-8",
            Format::Xml => "application/xml;charset=UTF-8",
        }
    }
}

/// A stored line in the canonical layout (an unquoted 一連番号) from its first comma on:
/// what follows a new 一連番号.
fn after_sequence(line: &str) -> Option<&str> {
    // The 一連番号 is a few digits: look for the first comma only there.
    let comma = line.bytes().take(24).position(|b| b == b',')?;
    if line.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        line.get(comma..)
    } else {
        None
    }
}

/// Appends a stored line with its 一連番号 replaced by `seq`, and CRLF, as UTF-8.
fn push_line_utf8(out: &mut String, line: &str, seq: u64) {
    match after_sequence(line) {
        Some(rest) => {
            push_decimal(out, seq);
            out.push_str(rest);
        }
        None => {
            // Not the canonical layout (a quoted 一連番号): render the row again.
            if let Some(mut c) = parse_line(line) {
                renumber(&mut c, seq);
                let mut scratch = mamori_corp::record::Scratch::default();
                mamori_corp::render_line(&c, &mut scratch, out);
            }
        }
    }
    out.push_str("\r\n");
}

/// `n` in decimal (without the formatting machinery: once per row of an answer).
fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &str {
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&digits[i..]).unwrap_or_default()
}

fn push_decimal(out: &mut String, n: u64) {
    out.push_str(decimal(n, &mut [0; 20]));
}

/// Appends a stored line with its 一連番号 replaced by `seq`, and CRLF, in the format's
/// encoding (`line_buf` is scratch space). Shift_JIS is encoded from the stored line
/// directly (the mapping is per character, so this equals encoding the UTF-8 line).
fn push_line(out: &mut Vec<u8>, line: &str, seq: u64, fmt: Format, line_buf: &mut String) {
    match (fmt, after_sequence(line)) {
        (Format::CsvSjis, Some(rest)) => {
            out.extend_from_slice(decimal(seq, &mut [0; 20]).as_bytes());
            mamori_corp::csv::encode_shift_jis(rest, out);
            out.extend_from_slice(b"\r\n");
        }
        (Format::CsvSjis, None) => {
            line_buf.clear();
            push_line_utf8(line_buf, line, seq);
            mamori_corp::csv::encode_shift_jis(line_buf, out);
        }
        _ => {
            line_buf.clear();
            push_line_utf8(line_buf, line, seq);
            out.extend_from_slice(line_buf.as_bytes());
        }
    }
}

fn renumber(c: &mut Corporation, seq: u64) {
    c.sequence_number = seq;
    c.source.verbatim.retain(|(col, _)| *col != 0);
}

fn envelope_line(out: &mut Vec<u8>, e: &Envelope) {
    let _ = write!(
        out,
        "{},{},{},{}\r\n",
        e.last_update_date, e.count, e.divide_number, e.divide_size
    );
}

/// A response body in the NTA layout from stored lines (`first_seq` is the 一連番号 of the
/// first line).
///
/// CSV is written in one pass into one buffer of the right size: the envelope, then per line
/// the new 一連番号 and the stored line after its first comma, in UTF-8 as stored; Shift_JIS
/// is that body encoded at once (never longer than the UTF-8).
pub fn write_lines(fmt: Format, e: &Envelope, lines: &[&str], first_seq: u64) -> io::Result<Bytes> {
    // The lines, new 一連番号 and CRLF; XML about thrice.
    let size: usize = lines.iter().map(|l| l.len() + 8).sum::<usize>() + 64;
    match fmt {
        Format::Csv | Format::CsvSjis => {
            let mut text = String::with_capacity(size);
            {
                use std::fmt::Write as _;
                let _ = write!(
                    text,
                    "{},{},{},{}\r\n",
                    e.last_update_date, e.count, e.divide_number, e.divide_size
                );
            }
            for (i, l) in lines.iter().enumerate() {
                push_line_utf8(&mut text, l, first_seq + i as u64);
            }
            if fmt == Format::Csv {
                return Ok(Bytes::from(text.into_bytes()));
            }
            // The whole body in one call: the encoder's runs are longer than a line, and
            // its start and end cost once per answer instead of once per row.
            let mut out = Vec::with_capacity(text.len());
            mamori_corp::csv::encode_shift_jis(&text, &mut out);
            Ok(Bytes::from(out))
        }
        Format::Xml => {
            let mut w = XmlWriter::new(Vec::with_capacity(size * 3), e)?;
            for (i, l) in lines.iter().enumerate() {
                if let Some(mut c) = parse_line(l) {
                    renumber(&mut c, first_seq + i as u64);
                    w.write_row(&c)?;
                }
            }
            w.finish().map(Bytes::from)
        }
    }
}

/// A response body in the NTA layout from rows.
pub fn write_rows(
    fmt: Format,
    e: Option<&Envelope>,
    rows: &mut dyn Iterator<Item = Corporation>,
    first_seq: u64,
    out: &mut dyn Write,
) -> io::Result<()> {
    match fmt {
        Format::Csv | Format::CsvSjis => {
            let mut head = Vec::new();
            if let Some(e) = e {
                envelope_line(&mut head, e);
            }
            out.write_all(&head)?;
            let enc = if fmt == Format::Csv {
                TextEncoding::Utf8
            } else {
                TextEncoding::ShiftJis
            };
            let mut w = mamori_corp::CsvWriter::new(out, enc);
            for (i, mut c) in rows.enumerate() {
                renumber(&mut c, first_seq + i as u64);
                w.write_row(&c)?;
            }
            w.into_inner()?;
            Ok(())
        }
        Format::Xml => {
            let count = e.map_or(0, |e| e.count);
            let env = e.copied().unwrap_or(Envelope {
                last_update_date: Date::constant(2015, 10, 5),
                count,
                divide_number: 1,
                divide_size: 1,
            });
            let mut w = XmlWriter::new(out, &env)?;
            for (i, mut c) in rows.enumerate() {
                renumber(&mut c, first_seq + i as u64);
                w.write_row(&c)?;
            }
            w.finish()?;
            Ok(())
        }
    }
}

/// The 全件 file of the copy: the current row of every corporation in number order, 一連番号
/// from 1; CSV without an envelope line (as the NTA's download files), XML with its envelope
/// elements.
pub fn write_full(data: &CorpData, fmt: Format, out: &mut dyn Write) -> io::Result<()> {
    let n = data.len();
    match fmt {
        Format::Csv | Format::CsvSjis => {
            let mut buf = Vec::with_capacity(CHUNK + 1024);
            let mut line = String::with_capacity(512);
            for pos in 0..n {
                if let Some(l) = data.latest_line(pos) {
                    push_line(&mut buf, l, pos as u64 + 1, fmt, &mut line);
                }
                if buf.len() >= CHUNK {
                    out.write_all(&buf)?;
                    buf.clear();
                }
            }
            out.write_all(&buf)?;
            out.flush()
        }
        Format::Xml => {
            let env = Envelope {
                last_update_date: data.last_update,
                count: n as u64,
                divide_number: 1,
                divide_size: 1,
            };
            let mut w = XmlWriter::new(io::BufWriter::with_capacity(CHUNK, out), &env)?;
            for pos in 0..n {
                if let Some(mut c) = data.latest_row(pos) {
                    renumber(&mut c, pos as u64 + 1);
                    w.write_row(&c)?;
                }
            }
            w.finish()?.flush()
        }
    }
}

/// The `n`-th (0-based) field of a stored line, unquoted.
pub fn field(line: &str, n: usize) -> Option<Cow<'_, str>> {
    let b = line.as_bytes();
    let mut i = 0;
    let mut k = 0;
    loop {
        let quoted = b.get(i) == Some(&b'"');
        let (start, end, next) = if quoted {
            let mut j = i + 1;
            let mut escaped = false;
            loop {
                match b.get(j) {
                    Some(b'"') if b.get(j + 1) == Some(&b'"') => {
                        escaped = true;
                        j += 2;
                    }
                    Some(b'"') | None => break,
                    Some(_) => j += 1,
                }
            }
            let end = j;
            let next = line[end.min(b.len())..].find(',').map(|x| end + x + 1);
            if k == n {
                let s = line.get(i + 1..end)?;
                return Some(if escaped {
                    Cow::Owned(s.replace("\"\"", "\""))
                } else {
                    Cow::Borrowed(s)
                });
            }
            (i, end, next)
        } else {
            let end = line[i..].find(',').map_or(line.len(), |x| i + x);
            (i, end, (end < line.len()).then_some(end + 1))
        };
        if k == n {
            return line.get(start..end).map(Cow::Borrowed);
        }
        match next {
            Some(nx) => i = nx,
            None => return None,
        }
        k += 1;
    }
}

// ---- streamed downloads -----------------------------------------------------------------

/// A `Write` that sends 64 KiB chunks to a response body (from a blocking thread).
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, io::Error>>,
    buf: Vec<u8>,
}

const CHUNK: usize = 64 * 1024;

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(CHUNK + 1024),
        ));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "download cancelled"))
    }
}

/// The receiving end as a body stream.
struct ChannelStream(tokio::sync::mpsc::Receiver<Result<Bytes, io::Error>>);

impl futures_core::Stream for ChannelStream {
    type Item = Result<Bytes, io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// A download streamed from a blocking producer: `produce` writes the file; a write error
/// ends the body early (the client sees a truncated transfer, never a wrong file).
pub fn stream_download(
    file_name: &str,
    content_type: &'static str,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()> + Send + 'static,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK + 1024),
        };
        let res = produce(&mut w).and_then(|()| w.flush());
        if let Err(e) = res
            && e.kind() != io::ErrorKind::BrokenPipe
        {
            tracing::error!(error = %e, "download failed");
            let _ = tx.blocking_send(Err(e));
        }
    });
    let mut res = Body::from_stream(ChannelStream(rx)).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    res
}

/// 503 with `Retry-After` while loading, for plain-text clients.
pub fn unavailable_text(status: &CorpStatus) -> Response {
    let (msg, retry) = match status {
        CorpStatus::Loading => (
            "法人番号データを読み込み中です。しばらくしてから再度お試しください。 / The corporate-number data is loading; try again shortly.",
            true,
        ),
        _ => (
            "法人番号データがありません（mamori corp import で取り込んでください）。 / No corporate-number data (import it with `mamori corp import`).",
            false,
        ),
    };
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
        msg,
    )
        .into_response();
    if retry {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    }
    res
}

/// Parses `YYYY-MM-DD` strictly.
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    s.parse().ok()
}

/// `YYYYMMDD` of a date.
pub fn date_key(d: Date) -> u32 {
    yyyymmdd(Some(d))
}

/// The number of a stored line, when it parses.
pub fn line_number(line: &str) -> Option<CorpNumber> {
    field(line, 1).and_then(|n| CorpNumber::parse(&n).ok())
}

/// The 47 prefectures by JIS X 0401 code (1-based).
pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fields_of_a_line() {
        let l = r#"1,3000012010001,01,0,2015-10-05,,"衆議院","",101,"a""b,c",x"#;
        assert_eq!(field(l, 0).unwrap(), "1");
        assert_eq!(field(l, 1).unwrap(), "3000012010001");
        assert_eq!(field(l, 5).unwrap(), "");
        assert_eq!(field(l, 6).unwrap(), "衆議院");
        assert_eq!(field(l, 7).unwrap(), "");
        assert_eq!(field(l, 8).unwrap(), "101");
        assert_eq!(field(l, 9).unwrap(), "a\"b,c");
        assert_eq!(field(l, 10).unwrap(), "x");
        assert_eq!(field(l, 11), None);
    }

    fn key(name: &str) -> AnswerKey {
        AnswerKey::name_search(Format::Csv, name, false, 1, &Filter::default(), 1)
    }

    #[test]
    fn the_answer_cache_stays_within_its_bytes_and_gives_used_entries_a_second_chance() {
        let c = AnswerCache::new(64 * 1024);
        let body = Bytes::from(vec![b'x'; 3000]);
        c.put(key("a"), body.clone());
        for i in 0..200 {
            // "a" is asked for all along: it survives every sweep of the hand.
            assert!(c.get(&key("a")).is_some(), "after {i}");
            c.put(key(&format!("k{i}")), body.clone());
            let s = c.stats();
            assert!(s.bytes <= s.limit, "{s:?}");
        }
        let s = c.stats();
        assert!(s.entries >= 15 && s.entries < 22, "{s:?}");
        assert!(c.get(&key("k0")).is_none() && c.get(&key("k199")).is_some());
        assert_eq!(c.get(&key("k199")).unwrap(), body);
        // Too large for the limit: not kept; no other filter's answer for a near key.
        c.put(key("big"), Bytes::from(vec![b'y'; 5000]));
        assert!(c.get(&key("big")).is_none());
        let f = Filter {
            prefecture: Some(13),
            ..Filter::default()
        };
        let k13 = AnswerKey::name_search(Format::Csv, "a", false, 1, &f, 1);
        assert!(c.get(&k13).is_none());
        let sjis = AnswerKey::name_search(Format::CsvSjis, "a", false, 1, &Filter::default(), 1);
        assert!(c.get(&sjis).is_none());
        // The order of the kinds asked does not matter.
        let f1 = Filter {
            kinds: vec![Kind::State, Kind::Other],
            ..Filter::default()
        };
        let f2 = Filter {
            kinds: vec![Kind::Other, Kind::State, Kind::Other],
            ..Filter::default()
        };
        assert_eq!(
            AnswerKey::name_search(Format::Csv, "a", false, 1, &f1, 1),
            AnswerKey::name_search(Format::Csv, "a", false, 1, &f2, 1)
        );
        c.set_limit(0);
        assert_eq!(c.stats().entries, 0);
        assert_eq!(c.stats().bytes, 0);
        c.put(key("a"), body);
        assert!(c.get(&key("a")).is_none());
    }

    #[test]
    fn bodies_are_written_in_one_pass_and_shift_jis_is_the_unicode_body_encoded() {
        let e = Envelope {
            last_update_date: Date::constant(2026, 6, 3),
            count: 2,
            divide_number: 1,
            divide_size: 1,
        };
        let lines = [
            "7,3000012010001,01,0,\"髙橋物産\"",
            "8,4000012010001,01,0,\"ｱ\"",
        ];
        let b = write_lines(Format::Csv, &e, &lines, 11).unwrap();
        let text = std::str::from_utf8(&b).unwrap();
        assert!(
            text.starts_with("2026-06-03,2,1,1\r\n11,3000012010001,01,0,\"髙橋物産\"\r\n12,"),
            "{text}"
        );
        let s = write_lines(Format::CsvSjis, &e, &lines, 11).unwrap();
        let mut per_line = Vec::new();
        mamori_corp::csv::encode_shift_jis(text, &mut per_line);
        assert_eq!(s, per_line);
        let mut d = String::new();
        push_decimal(&mut d, 0);
        push_decimal(&mut d, 1_234_567);
        assert_eq!(d, "01234567");
    }

    #[test]
    fn english_folding() {
        assert_eq!(fold_english("ＡＢＣ　Co., Ltd."), "abc co., ltd.");
    }

    #[test]
    fn dates() {
        assert!(parse_date("2026-06-01").is_some());
        assert!(parse_date("20260601").is_none());
        assert!(parse_date("2026-02-30").is_none());
        assert_eq!(date_of(20260601), Some(jiff::civil::date(2026, 6, 1)));
    }
}
