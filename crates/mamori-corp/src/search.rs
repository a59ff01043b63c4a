//! The search index over a [`Registry`]: names folded with [`fold_name`] (so 前株/後株,
//! (株)/㈱, full/half width, hiragana/katakana and 旧字体/新字体 all meet), searched by
//! prefix, exact match or substring, and フリガナ by 五十音 prefix; filtered by prefecture,
//! city, 法人種別, closed or not, past names, and assignment date; sorted by relevance,
//! 五十音順, region or assignment date; paged, with the total count.
//!
//! Layout: one [`Doc`] per searchable name (the current name of every corporation, plus
//! its earlier names for `include_past`), the folded strings in one arena, the documents
//! sorted by folded name (prefix and exact search are binary searches) and by 五十音 key,
//! and an inverted index of the characters, pairs and triples of every folded name
//! (substring search takes the list of a one- or two-character query as it is, and for longer
//! ones intersects the lists of its triples, rarest first, and verifies the survivors).

use std::collections::HashMap;

pub mod stored;

use crate::fold::{fold_name, gojuon_key};
use crate::record::{Corporation, Kind};
use crate::registry::Registry;

/// How a name query matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 前方一致 (the NTA's default).
    #[default]
    Prefix,
    /// 部分一致.
    Partial,
    /// 完全一致 (of the name without its 法人格).
    Exact,
}

/// The order of the results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Exact before prefix before substring, the same 法人格 first, shorter names first.
    #[default]
    Relevance,
    /// 五十音順 by フリガナ; corporations without フリガナ after them, by folded name.
    Gojuon,
    /// Prefecture and city code, then 法人番号.
    Region,
    /// Newest assignment date first.
    Assigned,
    /// 法人番号.
    Number,
}

/// A search. An empty `name` lists everything the filters allow.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub name: String,
    /// Search the フリガナ (五十音 prefix) instead of the name.
    pub furigana: bool,
    pub mode: Mode,
    /// JIS X 0401 prefecture code.
    pub prefecture: Option<u8>,
    /// JIS X 0402 city code (with `prefecture`).
    pub city: Option<u16>,
    /// Allowed 法人種別 (empty = all).
    pub kinds: Vec<Kind>,
    pub include_closed: bool,
    /// Also match earlier names.
    pub include_past: bool,
    /// 法人番号指定年月日 range, `YYYYMMDD`, inclusive.
    pub assigned_from: Option<u32>,
    pub assigned_to: Option<u32>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

/// One result: a corporation (its position in the registry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Hit {
    /// Position of the corporation in the registry ([`Registry::corporation_rows`]).
    pub corp: u32,
    /// The match was on an earlier name.
    pub past: bool,
}

/// A page of results and how many there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
}

const CLOSED: u8 = 1;
const PAST: u8 = 2;
const HIDDEN: u8 = 4;

#[derive(Clone, Copy, Debug, Default)]
struct Doc {
    corp: u32,
    core: (u32, u32),
    kana: (u32, u32),
    kind_word: u8,
    pref: u8,
    city: u16,
    kind: u8,
    flags: u8,
    /// `YYYYMMDD`, 0 when unknown.
    assigned: u32,
    /// Length of the folded name in characters (relevance prefers shorter names).
    len: u16,
    /// Position in 五十音 order: by フリガナ, then names without フリガナ by folded name.
    gojuon: u32,
}

/// The index. Build it with [`Index::build`]; it borrows nothing from the registry.
#[derive(Clone, Debug, Default)]
pub struct Index {
    docs: Vec<Doc>,
    text: String,
    by_kana: Vec<u32>,
    grams: HashMap<u64, (u32, u32)>,
    /// The posting lists: per document containing the gram, [`posting_entry`] (the
    /// document and its prefecture), ascending.
    postings: Vec<u32>,
    /// Per document, what a relevance-ordered pass reads: the flags, the 法人格, the length
    /// (capped at [`HOT_LEN_MAX`]), the 法人種別 and the prefecture, and the corporation:
    /// eight bytes a document (one cache line holds a scattered hit's whole entry) instead
    /// of its [`Doc`] (see [`Index::page_hot`] and [`HotFilter`]).
    hot: Vec<Hot>,
    /// [`Hot::bits`] of every document again, four bytes each, for the passes over a
    /// prefix's run of documents ([`Index::page_hot_range`]): half the memory of
    /// [`Index::hot`] to stream, and the run's entries are read twice.
    hot_bits: Vec<u32>,
    /// The assignment dates the documents span (see [`DateSpan`]).
    dates: DateSpan,
    /// The folded name of every [`FENCE_STEP`]-th document as a [`fence_key`], so that a
    /// name's place in the name order is first found in this small array (mostly in cache)
    /// and then among at most [`FENCE_STEP`] documents, instead of by about 23 probes that
    /// each read a document and then its name (two cache misses).
    fences: Vec<[u8; 16]>,
}

/// The last relevance bucket a page of `end_wanted` hits reaches, given the hits counted
/// per bucket, and how many hits the buckets up to it hold (all of them when the page is
/// not filled).
fn last_bucket(counts: &[u32], end_wanted: usize) -> (usize, usize) {
    let mut reached = 0usize;
    for (b, c) in counts.iter().enumerate() {
        reached += *c as usize;
        if reached >= end_wanted {
            return (b, reached);
        }
    }
    (counts.len().saturating_sub(1), reached)
}

/// The page of `q` among `keyed` (the hits by their order keys): the best
/// `offset + limit`, selected, sorted, from `offset`.
fn page_of<T: Ord>(mut keyed: Vec<T>, q: &Query) -> impl Iterator<Item = T> {
    let end_wanted = q.offset.saturating_add(q.limit.max(1));
    if keyed.len() > end_wanted {
        keyed.select_nth_unstable(end_wanted - 1);
        keyed.truncate(end_wanted);
    }
    keyed.sort_unstable();
    keyed.into_iter().skip(q.offset)
}

/// The page of `q` from relevance keys (corporation in the low 32 bits, unique) that hold
/// at least the page's hits.
fn keyed_page(keyed: Vec<u64>, q: &Query, total: usize) -> Results {
    let hits = page_of(keyed, q)
        .map(|k| Hit {
            corp: k as u32,
            past: false,
        })
        .collect();
    Results { total, hits }
}

/// Documents per entry of [`Index::fences`].
const FENCE_STEP: usize = 64;

/// The first 16 bytes of a folded name, zero-padded. Monotone: `a <= b` implies
/// `fence_key(a) <= fence_key(b)`, and for names of at most 16 bytes, which have no zero
/// byte, it keeps their order and prefixes exactly.
fn fence_key(s: &str) -> [u8; 16] {
    let mut k = [0u8; 16];
    for (k, b) in k.iter_mut().zip(s.as_bytes()) {
        *k = *b;
    }
    k
}

/// The earliest and latest assignment date (`YYYYMMDD`) of the documents and whether any
/// has none: an assignment-date filter that every document passes (`to=` today, `from=`
/// before 2015) is no filter, and the query keeps the fast path of [`HotFilter`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct DateSpan {
    min: u32,
    max: u32,
    unknown: bool,
}

impl DateSpan {
    fn of(docs: &[Doc]) -> DateSpan {
        let known = || docs.iter().map(|d| d.assigned).filter(|a| *a != 0);
        DateSpan {
            min: known().min().unwrap_or(0),
            max: known().max().unwrap_or(0),
            unknown: docs.iter().any(|d| d.assigned == 0),
        }
    }

    /// Whether every document passes the query's assignment-date filter (the same test as
    /// the general path's `keep`).
    fn all_pass(&self, q: &Query) -> bool {
        let from_all = q
            .assigned_from
            .is_none_or(|f| f == 0 || (!self.unknown && f <= self.min));
        let to_all = q.assigned_to.is_none_or(|t| !self.unknown && t >= self.max);
        from_all && to_all
    }
}

/// The longest length a [`Index::hot`] entry holds; longer names read their [`Doc`].
const HOT_LEN_MAX: u16 = 127;

/// From this many results wanted (offset + limit), the page of scattered hits (partial
/// names) is cut by counting instead of a bounded heap (see [`Index::page_hot_bucketed`]);
/// a prefix's run is always counted ([`Index::page_hot_range`]).
const BUCKETED_FROM: usize = 256;

/// The prefecture as a [`Index::hot`] field of six bits: 01–47 as they are, 99 (国外) as
/// 48, 0 (none) as 0, anything else as 63 (which no document has).
fn pref_slot(p: u8) -> u32 {
    match p {
        0..=47 => u32::from(p),
        99 => 48,
        _ => 63,
    }
}

/// Bits of a posting entry that hold the prefecture ([`pref_slot`]).
const POSTING_PREF_BITS: u32 = 6;

/// Documents beyond this many (more than ten times the NTA's registry) are not in the
/// posting lists: a document number and its prefecture share 32 bits.
const POSTING_MAX_DOCS: usize = 1 << (32 - POSTING_PREF_BITS);

/// A posting entry: the document in the high bits, its prefecture in the low six, so that a
/// partial search within a prefecture drops the other prefectures' hits without reading
/// anything per hit, and entries sort (and intersect) as their documents do.
fn posting_entry(doc: u32, pref: u8) -> u32 {
    (doc << POSTING_PREF_BITS) | pref_slot(pref)
}

fn posting_doc(e: u32) -> u32 {
    e >> POSTING_PREF_BITS
}

/// Whether a posting entry passes the query's prefecture filter.
fn posting_in(e: u32, pref: Option<u8>) -> bool {
    pref.is_none_or(|p| e & ((1 << POSTING_PREF_BITS) - 1) == pref_slot(p))
}

/// An [`Index::hot`] entry: what a relevance-ordered pass reads of a document.
#[derive(Clone, Copy, Debug, Default)]
struct Hot {
    /// Bits 0–2 the flags, 3–8 the 法人格 word, 9–15 the length (capped at
    /// [`HOT_LEN_MAX`]), 16–19 the 法人種別 (15 when none), 20–25 the prefecture
    /// ([`pref_slot`]).
    bits: u32,
    /// The corporation (as in [`Doc::corp`]).
    corp: u32,
}

fn hot_of(d: &Doc) -> Hot {
    Hot {
        bits: u32::from(d.flags & 7)
            | (u32::from(d.kind_word & 63) << 3)
            | (u32::from(d.len.min(HOT_LEN_MAX)) << 9)
            | (u32::from(d.kind.min(15)) << 16)
            | (pref_slot(d.pref) << 20),
        corp: d.corp,
    }
}

/// The filters a query applies that [`Index::hot`] answers (closed, past and hidden names,
/// prefecture, 法人種別), so a relevance-ordered pass reads eight bytes per hit instead of
/// its [`Doc`]. `None` from [`HotFilter::of`] when the query has a filter that needs the
/// document (city, past names, assignment dates that leave some document out).
#[derive(Clone, Copy, Debug)]
struct HotFilter {
    /// Flag bits that drop a document.
    hide: u32,
    /// Wanted prefecture ([`pref_slot`] in bits 20–25), or none.
    pref: Option<u32>,
    /// Allowed 法人種別 as bits by kind id; 0 allows all.
    kinds: u16,
}

impl HotFilter {
    fn of(q: &Query, dates: &DateSpan) -> Option<HotFilter> {
        if q.include_past || q.city.is_some() || !dates.all_pass(q) {
            return None;
        }
        let mut hide = u32::from(HIDDEN | PAST);
        if !q.include_closed {
            hide |= u32::from(CLOSED);
        }
        let kinds = q
            .kinds
            .iter()
            .map(|k| 1u16 << (kind_id(Some(*k)) & 15))
            .fold(0, |a, b| a | b);
        Some(HotFilter {
            hide,
            pref: q.prefecture.map(|p| pref_slot(p) << 20),
            kinds,
        })
    }

    #[inline]
    fn keeps(&self, h: u32) -> bool {
        h & self.hide == 0
            && self.pref.is_none_or(|p| h & (63 << 20) == p)
            && (self.kinds == 0 || (self.kinds >> ((h >> 16) & 15)) & 1 == 1)
    }
}

fn gram1(c: char) -> u64 {
    u64::from(c)
}

fn gram2(a: char, b: char) -> u64 {
    (1 << 63) | (u64::from(a) << 21) | u64::from(b)
}

/// A character triple (20 bits of the first character: a collision only widens the
/// candidates, which are verified).
fn gram3(a: char, b: char, c: char) -> u64 {
    (1 << 62) | ((u64::from(a) & 0xF_FFFF) << 42) | (u64::from(b) << 21) | u64::from(c)
}

fn grams_of(s: &str, out: &mut Vec<u64>) {
    out.clear();
    let (mut p1, mut p2) = (None, None);
    for c in s.chars() {
        out.push(gram1(c));
        if let Some(b) = p1 {
            out.push(gram2(b, c));
            if let Some(a) = p2 {
                out.push(gram3(a, b, c));
            }
        }
        p2 = p1;
        p1 = Some(c);
    }
    out.sort_unstable();
    out.dedup();
}

/// Keeps the elements of `a` that are in `b` (both ascending): galloping through `b` when
/// `a` is much shorter, a linear merge otherwise.
fn intersect(a: &mut Vec<u32>, b: &[u32]) {
    if a.len() * 16 < b.len() {
        let mut rest = b;
        a.retain(|x| {
            let i = rest.partition_point(|y| y < x);
            rest = &rest[i..];
            rest.first() == Some(x)
        });
    } else {
        let mut j = 0;
        a.retain(|x| {
            while j < b.len() && b[j] < *x {
                j += 1;
            }
            j < b.len() && b[j] == *x
        });
    }
}

/// The 法人格 words by position in [`crate::fold::KIND_WORDS`] + 1 (0 = none).
fn kind_word_id(w: Option<&str>) -> u8 {
    w.and_then(|w| crate::fold::KIND_WORDS.iter().position(|k| *k == w))
        .map_or(0, |i| u8::try_from(i + 1).unwrap_or(u8::MAX))
}

fn kind_id(k: Option<Kind>) -> u8 {
    k.and_then(|k| Kind::ALL.iter().position(|x| *x == k))
        .map_or(u8::MAX, |i| u8::try_from(i).unwrap_or(u8::MAX))
}

fn yyyymmdd(d: Option<jiff::civil::Date>) -> u32 {
    d.map_or(0, |d| {
        u32::try_from(i32::from(d.year()) * 10000 + i32::from(d.month()) * 100 + i32::from(d.day()))
            .unwrap_or(0)
    })
}

/// The 五十音 key without its tie-break part, for prefix comparison.
fn kana_primary(s: &str) -> String {
    let k = gojuon_key(s);
    match k.find('\u{1}') {
        Some(i) => k[..i].to_owned(),
        None => k,
    }
}

impl Index {
    /// Builds the index over every corporation of the registry.
    pub fn build(reg: &Registry) -> Index {
        let mut ix = Index::default();
        // The rows of one corporation arrive together; its current name is the row flagged
        // 最新 (else the last one); earlier distinct names become past documents.
        let mut current: Option<(usize, Vec<Corporation>)> = None;
        reg.for_each_row(|pos, row| match &mut current {
            Some((p, rows)) if *p == pos => rows.push(row.clone()),
            _ => {
                if let Some((p, rows)) = current.take() {
                    ix.add_corporation(p, &rows);
                }
                current = Some((pos, vec![row.clone()]));
            }
        });
        if let Some((p, rows)) = current.take() {
            ix.add_corporation(p, &rows);
        }
        ix.finish();
        ix
    }

    fn push_text(&mut self, s: &str) -> (u32, u32) {
        let start = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.text.push_str(s);
        (start, u32::try_from(s.len()).unwrap_or(u32::MAX))
    }

    fn add_corporation(&mut self, pos: usize, rows: &[Corporation]) {
        let Some(latest_i) = rows
            .iter()
            .rposition(Corporation::is_latest)
            .or(rows.len().checked_sub(1))
        else {
            return;
        };
        let latest = &rows[latest_i];
        let corp = u32::try_from(pos).unwrap_or(u32::MAX);
        let mut flags = 0;
        if latest.is_closed() {
            flags |= CLOSED;
        }
        if latest.is_hihyoji() {
            flags |= HIDDEN;
        }
        let base = Doc {
            corp,
            core: (0, 0),
            kana: (0, 0),
            kind_word: 0,
            pref: latest.prefecture_code.unwrap_or(0),
            city: latest.city_code.unwrap_or(0),
            kind: kind_id(latest.kind),
            flags,
            len: 0,
            gojuon: 0,
            assigned: yyyymmdd(latest.assignment_date),
        };
        let mut seen: Vec<String> = Vec::new();
        for (i, row) in std::iter::once((latest_i, latest)).chain(
            rows.iter()
                .enumerate()
                .filter(|(i, _)| *i != latest_i)
                .rev(),
        ) {
            let folded = fold_name(&row.name);
            if folded.core.is_empty() || seen.contains(&folded.core) {
                continue;
            }
            let mut doc = base;
            if i != latest_i {
                doc.flags |= PAST;
            }
            doc.core = self.push_text(&folded.core);
            doc.len = u16::try_from(folded.core.chars().count()).unwrap_or(u16::MAX);
            doc.kind_word = kind_word_id(folded.kind_word);
            if !row.furigana.is_empty() {
                doc.kana = self.push_text(&kana_primary(&row.furigana));
            }
            seen.push(folded.core);
            self.docs.push(doc);
        }
    }

    /// A document's length in characters, from [`Index::hot`] unless capped there.
    fn len_of(&self, d: u32) -> u16 {
        match self.hot.get(d as usize) {
            Some(h) => self.hot_len(d, h.bits),
            None => 0,
        }
    }

    fn hot_keeps(&self, f: &HotFilter, d: u32) -> bool {
        self.hot.get(d as usize).is_some_and(|h| f.keeps(h.bits))
    }

    fn core(&self, d: &Doc) -> &str {
        let (a, n) = (d.core.0 as usize, d.core.1 as usize);
        self.text.get(a..a + n).unwrap_or_default()
    }

    fn kana(&self, d: &Doc) -> &str {
        let (a, n) = (d.kana.0 as usize, d.kana.1 as usize);
        self.text.get(a..a + n).unwrap_or_default()
    }

    fn finish(&mut self) {
        let n = u32::try_from(self.docs.len()).unwrap_or(u32::MAX);
        let mut by_core: Vec<u32> = (0..n).collect();
        by_core.sort_unstable_by(|a, b| {
            self.core(&self.docs[*a as usize])
                .cmp(self.core(&self.docs[*b as usize]))
        });
        // Documents are stored in name order: a prefix or exact match is a contiguous run,
        // read sequentially.
        self.docs = by_core.iter().map(|i| self.docs[*i as usize]).collect();
        // The names in the same order, then the readings: verification reads memory in order.
        let mut text = String::with_capacity(self.text.len());
        let mut docs = std::mem::take(&mut self.docs);
        for d in &mut docs {
            let start = u32::try_from(text.len()).unwrap_or(u32::MAX);
            text.push_str(self.core(d));
            d.core.0 = start;
        }
        for d in &mut docs {
            if d.kana.1 > 0 {
                let start = u32::try_from(text.len()).unwrap_or(u32::MAX);
                text.push_str(self.kana(d));
                d.kana.0 = start;
            }
        }
        self.docs = docs;
        self.text = text;
        let mut by_kana: Vec<u32> = (0..n)
            .filter(|i| self.docs[*i as usize].kana.1 > 0)
            .collect();
        by_kana.sort_unstable_by(|a, b| {
            self.kana(&self.docs[*a as usize])
                .cmp(self.kana(&self.docs[*b as usize]))
        });
        // 五十音 ranks: readings first, then names without a reading by folded name.
        let mut rank = 0u32;
        for d in by_kana.iter() {
            self.docs[*d as usize].gojuon = rank;
            rank += 1;
        }
        for d in &mut self.docs {
            if d.kana.1 == 0 {
                d.gojuon = rank;
                rank += 1;
            }
        }
        // Inverted index in two passes: count, then fill (no per-gram vectors).
        let mut counts: HashMap<u64, u32> = HashMap::new();
        let mut buf = Vec::new();
        for d in &self.docs {
            grams_of(self.core(d), &mut buf);
            for g in &buf {
                *counts.entry(*g).or_default() += 1;
            }
        }
        // Lists laid out in gram order, so the same registry gives the same index (and the
        // same stored file) in every process, whatever the hash map's iteration order.
        let mut counts: Vec<(u64, u32)> = counts.into_iter().collect();
        counts.sort_unstable_by_key(|(g, _)| *g);
        let mut start = 0u32;
        let mut ranges: HashMap<u64, (u32, u32)> = HashMap::with_capacity(counts.len());
        for (g, c) in &counts {
            ranges.insert(*g, (start, 0));
            start += c;
        }
        drop(counts);
        let mut postings = vec![0u32; start as usize];
        for (i, d) in self.docs.iter().enumerate().take(POSTING_MAX_DOCS) {
            grams_of(self.core(d), &mut buf);
            for g in &buf {
                if let Some((s, len)) = ranges.get_mut(g) {
                    postings[(*s + *len) as usize] =
                        posting_entry(u32::try_from(i).unwrap_or(u32::MAX), d.pref);
                    *len += 1;
                }
            }
        }
        self.by_kana = by_kana;
        self.grams = ranges;
        self.postings = postings;
        self.hot = self.docs.iter().map(hot_of).collect();
        self.hot_bits = self.hot.iter().map(|h| h.bits).collect();
        self.dates = DateSpan::of(&self.docs);
        self.fences = self.fences_of();
    }

    /// The corporations of the current names, each once, in the order of the documents
    /// (folded-name order): corporations that a prefix or exact query finds together are
    /// neighbours in it, so data laid out in this order is read from one region of memory
    /// for such an answer. Corporations without a searchable name are not listed.
    pub fn corporations_in_name_order(&self) -> impl Iterator<Item = u32> + '_ {
        self.docs
            .iter()
            .filter(|d| d.flags & PAST == 0)
            .map(|d| d.corp)
    }

    /// Number of searchable names (current and past).
    pub fn doc_count(&self) -> usize {
        self.docs.len()
    }

    /// Approximate heap size in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.docs.capacity() * std::mem::size_of::<Doc>()
            + self.text.capacity()
            + (self.by_kana.capacity() + self.postings.capacity()) * 4
            + self.hot.capacity() * std::mem::size_of::<Hot>()
            + self.hot_bits.capacity() * 4
            + self.fences.capacity() * 16
            + self.grams.capacity() * 24
    }

    /// [`Index::fences`] of the documents as they are.
    fn fences_of(&self) -> Vec<[u8; 16]> {
        self.docs
            .iter()
            .step_by(FENCE_STEP)
            .map(|d| fence_key(self.core(d)))
            .collect()
    }

    /// The documents whose folded name is `p` (`exact`) or starts with it: a run of the name
    /// order, found in [`Index::fences`] first.
    fn core_range(&self, p: &str, exact: bool) -> std::ops::Range<u32> {
        let n = self.docs.len();
        let key = fence_key(p);
        // (A zero byte would let a shorter name's padding pass for the query's bytes.)
        let short = p.len() <= 16 && !p.as_bytes().contains(&0);
        // Fences below `key` are documents below `p`; fences above it, documents above it.
        let below = self.fences.partition_point(|f| *f < key);
        let upto = self.fences.partition_point(|f| *f <= key);
        let lo_from = (below.saturating_sub(1) * FENCE_STEP).min(n);
        let lo_to = (upto * FENCE_STEP).clamp(lo_from, n);
        let lo = lo_from
            + self
                .docs
                .get(lo_from..lo_to)
                .unwrap_or_default()
                .partition_point(|d| self.core(d) < p);
        let hi_to = if exact {
            lo_to
        } else if short {
            // A short `p`'s fence key is a prefix of the fence keys of the names it begins.
            let plen = p.len();
            let past = self
                .fences
                .partition_point(|f| *f < key || f.get(..plen) == Some(p.as_bytes()));
            (past * FENCE_STEP).clamp(lo, n)
        } else {
            n
        };
        let hi_from = if exact || !short {
            lo
        } else {
            let past = hi_to / FENCE_STEP;
            (past.saturating_sub(1) * FENCE_STEP).clamp(lo, hi_to)
        };
        let hi = hi_from
            + self
                .docs
                .get(hi_from..hi_to)
                .unwrap_or_default()
                .partition_point(|d| {
                    let c = self.core(d);
                    if exact { c == p } else { c.starts_with(p) }
                });
        let at = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        at(lo)..at(hi)
    }

    fn kana_range(&self, p: &str) -> &[u32] {
        let lo = self
            .by_kana
            .partition_point(|i| self.kana(&self.docs[*i as usize]) < p);
        let hi = lo
            + self.by_kana[lo..]
                .partition_point(|i| self.kana(&self.docs[*i as usize]).starts_with(p));
        &self.by_kana[lo..hi]
    }

    fn posting(&self, g: u64) -> &[u32] {
        match self.grams.get(&g) {
            Some((s, n)) => self
                .postings
                .get(*s as usize..(*s + *n) as usize)
                .unwrap_or_default(),
            None => &[],
        }
    }

    /// The posting entries ([`posting_entry`]) of the documents whose folded name contains
    /// `q`: a posting list as it is when that list is exact (one, two or three characters),
    /// else the intersection, verified.
    fn substring(&self, q: &str) -> std::borrow::Cow<'_, [u32]> {
        let mut grams = Vec::new();
        let chars: Vec<char> = q.chars().collect();
        match chars.len() {
            1 => grams.push(gram1(chars[0])),
            2 => grams.push(gram2(chars[0], chars[1])),
            _ => {
                for w in chars.windows(3) {
                    grams.push(gram3(w[0], w[1], w[2]));
                }
            }
        }
        let mut lists: Vec<&[u32]> = grams.iter().map(|g| self.posting(*g)).collect();
        lists.sort_by_key(|l| l.len());
        let Some((first, rest)) = lists.split_first() else {
            return std::borrow::Cow::Borrowed(&[]);
        };
        // A three-character query's triple list is exact (the triple key keeps 20 bits of the
        // first character, so only characters beyond U+FFFFF could collide).
        let exact_list = chars.len() == 3 && chars[0] as u32 <= 0xF_FFFF;
        if rest.is_empty() && (chars.len() < 3 || exact_list) {
            return std::borrow::Cow::Borrowed(first);
        }
        let mut out: Vec<u32> = first.to_vec();
        for l in rest {
            if out.is_empty() {
                break;
            }
            intersect(&mut out, l);
        }
        if chars.len() > 2 && !exact_list {
            out.retain(|e| self.core(&self.docs[posting_doc(*e) as usize]).contains(q));
        }
        std::borrow::Cow::Owned(out)
    }

    /// Runs a query.
    pub fn search(&self, q: &Query) -> Results {
        self.search_with(q, HotFilter::of(q, &self.dates))
    }

    /// [`Index::search`] without the fast paths: every hit is read from its document and
    /// ordered by the general key. For tests that compare both paths.
    #[doc(hidden)]
    pub fn search_general(&self, q: &Query) -> Results {
        self.search_with(q, None)
    }

    /// Runs a query; `hot` is the query's [`HotFilter`], `None` for the general path.
    fn search_with(&self, q: &Query, hot: Option<HotFilter>) -> Results {
        let folded = fold_name(&q.name);
        // A query that is nothing but a 法人格 (株式会社, (株), ㈱ …) names that 法人格.
        let only_kind = crate::fold::KIND_WORDS
            .iter()
            .find(|w| **w == folded.full)
            .copied()
            .or_else(|| {
                crate::fold::KIND_ABBREVIATIONS
                    .iter()
                    .find(|(a, _)| *a == folded.full)
                    .map(|(_, w)| *w)
            });
        let want_kind = kind_word_id(folded.kind_word.or(only_kind));
        let kinds: Vec<u8> = q.kinds.iter().map(|k| kind_id(Some(*k))).collect();
        let keep = |d: &Doc| {
            d.flags & HIDDEN == 0
                && (q.include_closed || d.flags & CLOSED == 0)
                && (q.include_past || d.flags & PAST == 0)
                && q.prefecture.is_none_or(|p| d.pref == p)
                && q.city.is_none_or(|c| d.city == c)
                && (kinds.is_empty() || kinds.contains(&d.kind))
                && q.assigned_from.is_none_or(|f| d.assigned >= f)
                && q.assigned_to
                    .is_none_or(|t| d.assigned != 0 && d.assigned <= t)
        };
        // (doc, relevance class: 0 exact, 1 prefix, 2 substring)
        let candidates: Vec<(u32, u8)> = if q.furigana {
            let p = kana_primary(&q.name);
            if p.is_empty() {
                (0..u32::try_from(self.docs.len()).unwrap_or(0))
                    .map(|d| (d, 2))
                    .collect()
            } else {
                self.kana_range(&p).iter().map(|d| (*d, 1)).collect()
            }
        } else if only_kind.is_some() {
            // Only a 法人格 was typed (株式会社, (株) …): every name with that 法人格.
            (0..u32::try_from(self.docs.len()).unwrap_or(0))
                .filter(|d| self.docs[*d as usize].kind_word == want_kind)
                .map(|d| (d, 1))
                .collect()
        } else if folded.core.is_empty() {
            (0..u32::try_from(self.docs.len()).unwrap_or(0))
                .map(|d| (d, 2))
                .collect()
        } else {
            match q.mode {
                Mode::Exact => self
                    .core_range(&folded.core, true)
                    .map(|d| (d, 0))
                    .collect(),
                Mode::Prefix => {
                    // A prefix match of the same length is the whole name.
                    let qlen = u16::try_from(folded.core.chars().count()).unwrap_or(u16::MAX);
                    let range = self.core_range(&folded.core, false);
                    if q.sort == Sort::Relevance
                        && qlen < HOT_LEN_MAX
                        && let Some(f) = hot
                    {
                        return self.page_hot_range(q, &f, want_kind, range, qlen);
                    }
                    let hits = range.map(|d| (d, u8::from(self.len_of(d) != qlen)));
                    return self.page(q, hot, want_kind, hits, None, &keep);
                }
                Mode::Partial if q.sort != Sort::Relevance => {
                    let list = self.substring(&folded.core);
                    let hits = list
                        .iter()
                        .filter(|e| posting_in(**e, q.prefecture))
                        .map(|&e| (posting_doc(e), 2));
                    return self.page(q, hot, want_kind, hits, None, &keep);
                }
                Mode::Partial if !q.include_past => {
                    // Exact and prefix matches rank first and form one run in name order: when
                    // they fill the page, the other matches are only counted.
                    // The documents first, then their hot entries in a tight loop: each is
                    // a cache miss, and without the posting scan in between the processor
                    // overlaps them.
                    let list = self.substring(&folded.core);
                    let docs: Vec<u32> = list
                        .iter()
                        .filter(|e| posting_in(**e, q.prefecture))
                        .map(|e| posting_doc(*e))
                        .collect();
                    let all = docs.iter().copied();
                    let qlen = u16::try_from(folded.core.chars().count()).unwrap_or(u16::MAX);
                    let front: Vec<(u32, u8)> = self
                        .core_range(&folded.core, false)
                        .map(|d| (d, u8::from(self.len_of(d) != qlen)))
                        .collect();
                    let need = q.offset.saturating_add(q.limit.max(1));
                    let front_kept = match hot {
                        Some(f) => front.iter().filter(|(d, _)| self.hot_keeps(&f, *d)).count(),
                        None => front
                            .iter()
                            .filter(|(d, _)| keep(&self.docs[*d as usize]))
                            .count(),
                    };
                    if front_kept >= need {
                        let total = if let Some(f) = hot {
                            all.filter(|d| self.hot_keeps(&f, *d)).count()
                        } else {
                            all.filter(|d| keep(&self.docs[*d as usize])).count()
                        };
                        return self.page(q, hot, want_kind, front, Some(total), &keep);
                    }
                    // Documents are in name order, so the prefix matches are exactly the
                    // documents of that run: no string comparison per hit.
                    let (lo, hi) = match (front.first(), front.last()) {
                        (Some((a, _)), Some((b, _))) => (*a, *b),
                        _ => (1, 0),
                    };
                    let hits = all.map(|d| {
                        let class = if d < lo || d > hi {
                            2
                        } else {
                            u8::from(self.len_of(d) != qlen)
                        };
                        (d, class)
                    });
                    return self.page(q, hot, want_kind, hits, None, &keep);
                }
                Mode::Partial => self
                    .substring(&folded.core)
                    .iter()
                    .filter(|e| posting_in(**e, q.prefecture))
                    .map(|&e| {
                        let d = posting_doc(e);
                        let c = self.core(&self.docs[d as usize]);
                        let class = if c == folded.core {
                            0
                        } else if c.starts_with(&folded.core) {
                            1
                        } else {
                            2
                        };
                        (d, class)
                    })
                    .collect(),
            }
        };
        self.page(q, hot, want_kind, candidates, None, &keep)
    }

    /// Orders the kept candidates and cuts the requested page. `total` is the number of hits
    /// when the candidates are only the first of them (default: the kept candidates).
    fn page<I>(
        &self,
        q: &Query,
        hot: Option<HotFilter>,
        want_kind: u8,
        candidates: I,
        total: Option<usize>,
        keep: &dyn Fn(&Doc) -> bool,
    ) -> Results
    where
        I: IntoIterator<Item = (u32, u8)>,
        I::IntoIter: Clone,
    {
        if q.sort == Sort::Relevance
            && let Some(f) = hot
        {
            return self.page_hot(q, &f, want_kind, candidates, total);
        }
        // Every candidate gets one number that orders it: (order fields, corporation).
        let key = |d: &Doc, class: u8| -> u64 {
            let corp = u64::from(d.corp);
            match q.sort {
                Sort::Relevance => {
                    let mismatch = u64::from(want_kind != 0 && d.kind_word != want_kind);
                    (u64::from(class) << 62)
                        | (mismatch << 61)
                        | (u64::from(d.flags & PAST != 0) << 60)
                        | (u64::from(d.len) << 32)
                        | corp
                }
                Sort::Gojuon => (u64::from(d.gojuon) << 32) | corp,
                Sort::Region => (((u64::from(d.pref) << 16) | u64::from(d.city)) << 32) | corp,
                Sort::Assigned => (u64::from(u32::MAX - d.assigned) << 32) | corp,
                Sort::Number => corp,
            }
        };
        let end_wanted = q.offset.saturating_add(q.limit.max(1));
        if !q.include_past {
            // One pass: count what is kept and hold only the best `offset + limit` in a
            // bounded max-heap (no vector of every hit, no selection over it).
            let mut heap: std::collections::BinaryHeap<(u64, u32)> =
                std::collections::BinaryHeap::with_capacity(end_wanted.min(4096));
            let mut kept = 0usize;
            for (d, class) in candidates {
                let doc = &self.docs[d as usize];
                if !keep(doc) {
                    continue;
                }
                kept += 1;
                let k = key(doc, class);
                if heap.len() < end_wanted {
                    heap.push((k, d));
                } else if heap.peek().is_some_and(|top| (k, d) < *top) {
                    heap.pop();
                    heap.push((k, d));
                }
            }
            let hits = heap
                .into_sorted_vec()
                .into_iter()
                .skip(q.offset)
                .map(|(_, d)| {
                    let doc = &self.docs[d as usize];
                    Hit {
                        corp: doc.corp,
                        past: doc.flags & PAST != 0,
                    }
                })
                .collect();
            return Results {
                total: total.unwrap_or(kept),
                hits,
            };
        }
        let mut keyed: Vec<(u64, u32)> = candidates
            .into_iter()
            .filter_map(|(d, class)| {
                let doc = &self.docs[d as usize];
                keep(doc).then(|| (key(doc, class), d))
            })
            .collect();
        {
            // One hit per corporation: its best-ranked name.
            keyed.sort_unstable_by_key(|(k, d)| (self.docs[*d as usize].corp, *k));
            keyed.dedup_by_key(|(_, d)| self.docs[*d as usize].corp);
        }
        let total = total.unwrap_or(keyed.len());
        let hits = page_of(keyed, q)
            .map(|(_, d)| {
                let doc = &self.docs[d as usize];
                Hit {
                    corp: doc.corp,
                    past: doc.flags & PAST != 0,
                }
            })
            .collect();
        Results { total, hits }
    }

    /// [`Index::page`] for the commonest queries (relevance order, filters that
    /// [`HotFilter`] answers): one pass that reads eight bytes per hit from [`Index::hot`]
    /// (the filter fields and the corporation, one cache line) and touches the [`Doc`] only
    /// for a name longer than [`HOT_LEN_MAX`]. Same order as the general path.
    fn page_hot<I>(
        &self,
        q: &Query,
        f: &HotFilter,
        want_kind: u8,
        candidates: I,
        total: Option<usize>,
    ) -> Results
    where
        I: IntoIterator<Item = (u32, u8)>,
        I::IntoIter: Clone,
    {
        let end_wanted = q.offset.saturating_add(q.limit.max(1));
        if end_wanted >= BUCKETED_FROM {
            return self.page_hot_bucketed(q, f, want_kind, candidates.into_iter(), total);
        }
        let mut heap: std::collections::BinaryHeap<u64> =
            std::collections::BinaryHeap::with_capacity(end_wanted.min(4096));
        let mut kept = 0usize;
        for (d, class) in candidates {
            let Some(&Hot { bits: h, corp }) = self.hot.get(d as usize) else {
                continue;
            };
            if !f.keeps(h) {
                continue;
            }
            kept += 1;
            let kind_word = ((h >> 3) & 63) as u8;
            let mismatch = u64::from(want_kind != 0 && kind_word != want_kind);
            // Past names are never kept here: the key is unique by its corporation.
            let k = (u64::from(class) << 62)
                | (mismatch << 61)
                | (u64::from(self.hot_len(d, h)) << 32)
                | u64::from(corp);
            if heap.len() < end_wanted {
                heap.push(k);
            } else if heap.peek().is_some_and(|top| k < *top) {
                heap.pop();
                heap.push(k);
            }
        }
        let hits = heap
            .into_sorted_vec()
            .into_iter()
            .skip(q.offset)
            .map(|k| Hit {
                corp: k as u32,
                past: false,
            })
            .collect();
        Results {
            total: total.unwrap_or(kept),
            hits,
        }
    }

    /// The length of document `d` whose [`Index::hot`] bits are `h`.
    fn hot_len(&self, d: u32, h: u32) -> u16 {
        let len = ((h >> 9) & 127) as u16;
        if len == HOT_LEN_MAX {
            self.docs.get(d as usize).map_or(len, |doc| doc.len)
        } else {
            len
        }
    }

    /// [`Index::page_hot_bucketed`] for a prefix: the documents `range` (a run of the name
    /// order) whose names are `qlen` characters long are the exact matches, the others
    /// prefix matches (`qlen` below [`HOT_LEN_MAX`]). Both passes read the run's
    /// [`Index::hot_bits`] as one slice, and the counting pass has no branch that
    /// depends on the data: a filter such as `kind=03` keeps about every other hit, which
    /// a branch guesses wrong half the time (in process at full scale, a `kind=03` prefix
    /// search went from 169 to 120 µs).
    fn page_hot_range(
        &self,
        q: &Query,
        f: &HotFilter,
        want_kind: u8,
        range: std::ops::Range<u32>,
        qlen: u16,
    ) -> Results {
        const BUCKETS: usize = 3 << 8;
        let end_wanted = q.offset.saturating_add(q.limit.max(1));
        let (start, end) = (range.start as usize, range.end as usize);
        let bits = self.hot_bits.get(start..end).unwrap_or_default();
        let qlen = u32::from(qlen);
        let want = u32::from(want_kind);
        // Ordered like the key: class, then 法人格 mismatch, then length (capped).
        let bucket = |h: u32| -> usize {
            let len = (h >> 9) & 127;
            let class = u32::from(len != qlen);
            let mismatch = u32::from(want != 0) & u32::from((h >> 3) & 63 != want);
            ((class << 8) | (mismatch << 7) | len) as usize
        };
        let keeps = |h: u32| -> u32 {
            u32::from(h & f.hide == 0)
                & u32::from(f.pref.is_none_or(|p| h & (63 << 20) == p))
                & (u32::from(f.kinds == 0) | (u32::from(f.kinds) >> ((h >> 16) & 15)) & 1)
        };
        let mut counts = [0u32; BUCKETS];
        let mut kept = 0usize;
        for &h in bits {
            let k = keeps(h);
            if let Some(n) = counts.get_mut(bucket(h)) {
                *n += k;
            }
            kept += k as usize;
        }
        let (last, reached) = last_bucket(&counts, end_wanted);
        let mut keyed: Vec<u64> = Vec::with_capacity(reached.min(kept));
        for (d, &h) in (start..).zip(bits) {
            let b = bucket(h);
            if b > last || keeps(h) == 0 {
                continue;
            }
            let len = if b & 127 == usize::from(HOT_LEN_MAX) {
                self.docs.get(d).map_or(HOT_LEN_MAX, |doc| doc.len)
            } else {
                (b & 127) as u16
            };
            let corp = self.hot.get(d).map_or(0, |e| e.corp);
            // Class, 法人格 mismatch, length, corporation (unique: no past names here).
            keyed.push(((b as u64 >> 7) << 61) | (u64::from(len) << 32) | u64::from(corp));
        }
        keyed_page(keyed, q, kept)
    }

    /// [`Index::page_hot`] for a long page (the Web-API's divide of 2,000): the relevance
    /// key's leading part (class, 法人格, length up to [`HOT_LEN_MAX`]) has few values, so a
    /// first pass over the candidates only counts the kept hits per value (no writes: a
    /// prefix's run of documents streams through, a partial name's scattered hits are cache
    /// misses that overlap), and a second pass, over what the first left in cache, keys only
    /// the hits of the values the page reaches, which are then selected and sorted —
    /// instead of thousands of heap insertions.
    fn page_hot_bucketed(
        &self,
        q: &Query,
        f: &HotFilter,
        want_kind: u8,
        candidates: impl Iterator<Item = (u32, u8)> + Clone,
        total: Option<usize>,
    ) -> Results {
        const BUCKETS: usize = 3 << 8;
        let end_wanted = q.offset.saturating_add(q.limit.max(1));
        // Ordered like the key: class, then 法人格 mismatch, then length (capped).
        let bucket = |h: u32, class: u8| -> usize {
            let kind_word = ((h >> 3) & 63) as u8;
            let mismatch = usize::from(want_kind != 0 && kind_word != want_kind);
            (usize::from(class.min(2)) << 8) | (mismatch << 7) | ((h >> 9) & 127) as usize
        };
        let mut counts = [0u32; BUCKETS];
        let mut kept = 0usize;
        for (d, class) in candidates.clone() {
            let Some(&Hot { bits: h, .. }) = self.hot.get(d as usize) else {
                continue;
            };
            if f.keeps(h) {
                counts[bucket(h, class)] += 1;
                kept += 1;
            }
        }
        let (last, reached) = last_bucket(&counts, end_wanted);
        let mut keyed: Vec<u64> = Vec::with_capacity(reached.min(kept));
        for (d, class) in candidates {
            let Some(&Hot { bits: h, corp }) = self.hot.get(d as usize) else {
                continue;
            };
            if !f.keeps(h) {
                continue;
            }
            let b = bucket(h, class);
            if b > last {
                continue;
            }
            let len = if b & 127 == usize::from(HOT_LEN_MAX) {
                self.docs.get(d as usize).map_or(HOT_LEN_MAX, |doc| doc.len)
            } else {
                (b & 127) as u16
            };
            // Class, 法人格 mismatch, length, corporation (unique: no past names here).
            keyed.push(
                ((b as u64 >> 8) << 62)
                    | (((b as u64 >> 7) & 1) << 61)
                    | (u64::from(len) << 32)
                    | u64::from(corp),
            );
        }
        keyed_page(keyed, q, total.unwrap_or(kept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(assigned: u32) -> Doc {
        Doc {
            assigned,
            ..Doc::default()
        }
    }

    fn dates(from: Option<u32>, to: Option<u32>) -> Query {
        Query {
            assigned_from: from,
            assigned_to: to,
            ..Query::default()
        }
    }

    #[test]
    fn a_date_filter_is_no_filter_only_when_every_document_passes_it() {
        let known = DateSpan::of(&[doc(20_151_005), doc(20_230_401)]);
        assert_eq!(
            known,
            DateSpan {
                min: 20_151_005,
                max: 20_230_401,
                unknown: false
            }
        );
        assert!(known.all_pass(&dates(None, None)));
        assert!(known.all_pass(&dates(Some(20_151_005), Some(20_230_401))));
        assert!(known.all_pass(&dates(Some(0), Some(99_991_231))));
        assert!(!known.all_pass(&dates(Some(20_151_006), None)));
        assert!(!known.all_pass(&dates(None, Some(20_230_331))));
        // A document without a date passes `from=0` only, never a `to`.
        let unknown = DateSpan::of(&[doc(0), doc(20_151_005)]);
        assert!(unknown.unknown);
        assert!(unknown.all_pass(&dates(Some(0), None)));
        assert!(!unknown.all_pass(&dates(Some(20_000_101), None)));
        assert!(!unknown.all_pass(&dates(None, Some(99_991_231))));
    }
}
