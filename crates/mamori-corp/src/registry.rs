//! The local copy of the registry: every row of every corporation, history included, kept
//! compactly as its NTA CSV line (one allocation per row, no per-field strings), grouped by
//! corporation in 法人番号 order, each corporation's rows oldest first.
//!
//! A 全件 file is loaded with [`Registry::from_rows`]; 差分 files are applied in date order
//! with [`Registry::apply_diff`], which runs [`crate::apply()`] for every corporation the
//! file names and leaves the others untouched. Writing the registry back
//! ([`Registry::write_csv`]) produces the rows in the NTA layout, so a registry loaded from a
//! full file and written out reproduces that file.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::apply::{Change, apply};
use crate::csv::{CsvReader, TextEncoding, encode_shift_jis, render_line};
use crate::record::{CorpNumber, Corporation, Diagnostic, Scratch};

/// Where one corporation's rows are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    /// The 13 digits as a number (they sort like the digits).
    key: u64,
    first: u32,
    len: u32,
}

/// What applying one 差分 file did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DiffSummary {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub corrected: u64,
    pub deleted: u64,
    pub unchanged: u64,
}

/// The registry: rows as NTA CSV lines, grouped by corporation.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    lines: Vec<Box<str>>,
    /// The 更新年月日 of each line as `YYYYMMDD` (0 when blank), for difference queries.
    dates: Vec<u32>,
    slots: Vec<Slot>,
    /// 99 削除 rows applied, with the date of the difference file that carried them (their
    /// own columns are blank), so that difference files can be written again.
    deleted: Vec<(u32, Box<str>)>,
}

/// A date as `YYYYMMDD` (0 for none).
pub fn date_key(d: Option<jiff::civil::Date>) -> u32 {
    d.map_or(0, |d| {
        u32::try_from(i32::from(d.year()) * 10000 + i32::from(d.month()) * 100 + i32::from(d.day()))
            .unwrap_or(0)
    })
}

/// The sort key of a corporation: its 12-digit base (the check digit is a function of it), so
/// corporations are in the order the NTA's files list them.
fn key_of(n: &CorpNumber) -> u64 {
    n.base()
}

/// The number for a key.
fn number_of(key: u64) -> Option<CorpNumber> {
    CorpNumber::from_base(key)
}

/// Parses one stored line (always in the NTA layout, UTF-8).
pub fn parse_line(line: &str) -> Option<Corporation> {
    let mut r = CsvReader::from_bytes(line.as_bytes(), TextEncoding::Utf8);
    match r.next_row() {
        Ok(Some(Ok(c))) => Some(c),
        _ => None,
    }
}

fn render(c: &Corporation, scratch: &mut Scratch) -> Box<str> {
    let mut line = String::with_capacity(256);
    render_line(c, scratch, &mut line);
    line.into_boxed_str()
}

impl Registry {
    /// A registry from the rows of a 全件 file (or any rows): rows are grouped by number,
    /// keeping file order within a corporation. 99 削除 rows are not stored.
    pub fn from_rows(rows: impl IntoIterator<Item = Corporation>) -> Registry {
        let mut scratch = Scratch::default();
        let mut keyed: Vec<(u64, u32, Box<str>)> = rows
            .into_iter()
            .filter(|c| c.process != crate::record::Process::Deleted)
            .map(|c| {
                (
                    key_of(&c.number),
                    date_key(c.update_date),
                    render(&c, &mut scratch),
                )
            })
            .collect();
        // Stable: the file's order of one corporation's rows is kept.
        keyed.sort_by_key(|(k, _, _)| *k);
        let mut reg = Registry {
            lines: Vec::with_capacity(keyed.len()),
            dates: Vec::with_capacity(keyed.len()),
            ..Registry::default()
        };
        for (k, date, line) in keyed {
            reg.push(k, date, line);
        }
        reg
    }

    fn push(&mut self, key: u64, date: u32, line: Box<str>) {
        self.dates.push(date);
        let at = u32::try_from(self.lines.len()).unwrap_or(u32::MAX);
        match self.slots.last_mut() {
            Some(s) if s.key == key => s.len += 1,
            _ => self.slots.push(Slot {
                key,
                first: at,
                len: 1,
            }),
        }
        self.lines.push(line);
    }

    /// Reads a registry written by [`Registry::write_csv`] (or any NTA CSV), streaming: rows
    /// are kept as lines as they are read. Rows that cannot be read are skipped and
    /// returned as diagnostics.
    pub fn read(r: impl io::Read) -> io::Result<(Registry, Vec<Diagnostic>)> {
        let mut reader = CsvReader::new(r)?;
        let mut diags = Vec::new();
        let mut failure = None;
        let rows = std::iter::from_fn(|| {
            loop {
                match reader.next_row() {
                    Ok(Some(Ok(c))) => return Some(c),
                    Ok(Some(Err(d))) => diags.extend(d),
                    Ok(None) => return None,
                    Err(e) => {
                        failure = Some(e);
                        return None;
                    }
                }
            }
        });
        let reg = Registry::from_rows(rows);
        match failure {
            Some(e) => Err(e),
            None => Ok((reg, diags)),
        }
    }

    /// Number of corporations.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Number of rows, history included.
    pub fn row_count(&self) -> usize {
        self.lines.len()
    }

    fn slot(&self, n: &CorpNumber) -> Option<&Slot> {
        let key = key_of(n);
        self.slots
            .binary_search_by_key(&key, |s| s.key)
            .ok()
            .map(|i| &self.slots[i])
    }

    fn lines_of(&self, s: &Slot) -> &[Box<str>] {
        let a = s.first as usize;
        let b = a + s.len as usize;
        self.lines.get(a..b).unwrap_or_default()
    }

    /// Every row of a corporation, oldest first (empty when unknown).
    pub fn history(&self, n: &CorpNumber) -> Vec<Corporation> {
        self.slot(n)
            .map(|s| {
                self.lines_of(s)
                    .iter()
                    .filter_map(|l| parse_line(l))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The current row of a corporation: the one flagged 最新, else the last one.
    pub fn latest(&self, n: &CorpNumber) -> Option<Corporation> {
        let s = self.slot(n)?;
        self.latest_of(s)
    }

    fn latest_of(&self, s: &Slot) -> Option<Corporation> {
        let rows: Vec<Corporation> = self
            .lines_of(s)
            .iter()
            .filter_map(|l| parse_line(l))
            .collect();
        let i = rows
            .iter()
            .rposition(Corporation::is_latest)
            .unwrap_or(rows.len().checked_sub(1)?);
        rows.into_iter().nth(i)
    }

    /// The i-th corporation (in number order) with all its rows, oldest first.
    pub fn corporation_rows(&self, i: usize) -> Option<(CorpNumber, &[Box<str>])> {
        let s = self.slots.get(i)?;
        Some((number_of(s.key)?, self.lines_of(s)))
    }

    /// The position of a corporation in number order.
    pub fn position(&self, n: &CorpNumber) -> Option<usize> {
        self.slots.binary_search_by_key(&key_of(n), |s| s.key).ok()
    }

    /// Where each corporation's rows start in the file [`Registry::write_csv`] writes in
    /// UTF-8 without a BOM, plus where the file ends: corporation `i` (a position) is the
    /// byte range `offsets[i]..offsets[i + 1]`.
    pub fn corporation_offsets(&self) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.slots.len() + 1);
        let mut at = 0u64;
        let mut line = 0usize;
        for s in &self.slots {
            out.push(at);
            let end = line + s.len as usize;
            for l in self.lines.get(line..end).unwrap_or_default() {
                at += l.len() as u64 + 2;
            }
            line = end;
        }
        out.push(at);
        out
    }

    /// Every stored line, in number order and history order.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(AsRef::as_ref)
    }

    /// Calls `f(position, row)` for every row, in number order and history order, parsing
    /// all lines with one streaming reader (the fast way to walk the whole registry).
    pub fn for_each_row(&self, mut f: impl FnMut(usize, &Corporation)) {
        let mut reader = CsvReader::with_encoding(
            LinesReader {
                lines: &self.lines,
                next: 0,
                pending: &[],
                crlf: false,
            },
            TextEncoding::Utf8,
        );
        let mut slot = 0usize;
        let mut left = self.slots.first().map_or(0, |s| s.len);
        while let Ok(Some(row)) = reader.next_row() {
            while left == 0 && slot + 1 < self.slots.len() {
                slot += 1;
                left = self.slots[slot].len;
            }
            left = left.saturating_sub(1);
            if let Ok(c) = row {
                f(slot, &c);
            }
        }
    }

    /// Applies the rows of one 差分 file (in file order). Corporations the file does not
    /// name are not touched; applying the same file twice changes nothing the second time.
    ///
    /// `file_date` is the date of the difference file; it is recorded with the 99 削除 rows
    /// (whose own columns are blank) so that [`Registry::changes`] can list them.
    pub fn apply_diff(
        &mut self,
        rows: &[Corporation],
        file_date: Option<jiff::civil::Date>,
    ) -> DiffSummary {
        let mut summary = DiffSummary {
            rows: rows.len() as u64,
            ..DiffSummary::default()
        };
        // The file's rows per corporation, in file order.
        let mut by_number: BTreeMap<u64, Vec<Corporation>> = BTreeMap::new();
        for r in rows {
            by_number
                .entry(key_of(&r.number))
                .or_default()
                .push(r.clone());
        }
        let mut scratch = Scratch::default();
        // New line lists for the corporations that changed (empty = deleted).
        let mut changed: BTreeMap<u64, Vec<(u32, Box<str>)>> = BTreeMap::new();
        for (key, incoming) in &by_number {
            let history: Vec<Corporation> = match self
                .slots
                .binary_search_by_key(key, |s| s.key)
                .ok()
                .map(|i| self.slots[i])
            {
                Some(s) => self
                    .lines_of(&s)
                    .iter()
                    .filter_map(|l| parse_line(l))
                    .collect(),
                None => Vec::new(),
            };
            let applied = apply(&history, incoming);
            match applied.change {
                Change::Unchanged => {
                    summary.unchanged += 1;
                    continue;
                }
                Change::Created => summary.created += 1,
                Change::Updated(_) => summary.updated += 1,
                Change::Corrected => summary.corrected += 1,
                Change::Deleted => {
                    summary.deleted += 1;
                    for r in incoming
                        .iter()
                        .filter(|r| r.process == crate::record::Process::Deleted)
                    {
                        self.deleted
                            .push((date_key(file_date), render(r, &mut scratch)));
                    }
                }
            }
            changed.insert(
                *key,
                applied
                    .history
                    .iter()
                    .map(|c| (date_key(c.update_date), render(c, &mut scratch)))
                    .collect(),
            );
        }
        if changed.is_empty() {
            return summary;
        }
        // Merge: old slots in order, with changed corporations replaced, inserted or removed.
        let old_lines = std::mem::take(&mut self.lines);
        let old_dates = std::mem::take(&mut self.dates);
        let old_slots = std::mem::take(&mut self.slots);
        let mut old: Vec<Option<Box<str>>> = old_lines.into_iter().map(Some).collect();
        let mut next = changed.into_iter().peekable();
        for s in old_slots {
            while let Some((k, _)) = next.peek() {
                if *k >= s.key {
                    break;
                }
                if let Some((k, lines)) = next.next() {
                    for (d, l) in lines {
                        self.push(k, d, l);
                    }
                }
            }
            if next.peek().is_some_and(|(k, _)| *k == s.key) {
                if let Some((k, lines)) = next.next() {
                    for (d, l) in lines {
                        self.push(k, d, l);
                    }
                }
                continue;
            }
            let a = s.first as usize;
            for (i, l) in old
                .get_mut(a..a + s.len as usize)
                .unwrap_or_default()
                .iter_mut()
                .enumerate()
            {
                if let Some(l) = l.take() {
                    self.push(s.key, old_dates.get(a + i).copied().unwrap_or(0), l);
                }
            }
        }
        for (k, lines) in next {
            for (d, l) in lines {
                self.push(k, d, l);
            }
        }
        summary
    }

    /// Writes the 全件 file as the NTA publishes it: the current row of every corporation, in
    /// number order, with the 一連番号 counted from 1. A registry loaded from a 全件 file and
    /// not changed since writes that file again, byte for byte.
    pub fn write_full<W: Write>(&self, out: W, encoding: TextEncoding, bom: bool) -> io::Result<W> {
        let mut w = crate::csv::CsvWriter::new(out, encoding);
        if bom {
            w.write_bom()?;
        }
        let mut failure = None;
        self.for_each_current(|c| {
            if failure.is_none()
                && let Err(e) = w.write_row(&c)
            {
                failure = Some(e);
            }
        });
        match failure {
            Some(e) => Err(e),
            None => w.into_inner(),
        }
    }

    /// Calls `f` with the current row of every corporation, in number order, with the
    /// 一連番号 counted from 1 (the rows of a 全件 file).
    pub fn for_each_current(&self, mut f: impl FnMut(Corporation)) {
        let mut n = 0u64;
        let mut emit = |c: Corporation| {
            n += 1;
            let mut c = c;
            c.sequence_number = n;
            c.source.verbatim.retain(|(col, _)| *col != 0);
            f(c);
        };
        let mut current: Option<(usize, Corporation)> = None;
        self.for_each_row(|pos, row| match &mut current {
            Some((p, best)) if *p == pos => {
                if row.is_latest() || !best.is_latest() {
                    *best = row.clone();
                }
            }
            _ => {
                if let Some((_, c)) = current.replace((pos, row.clone())) {
                    emit(c);
                }
            }
        });
        if let Some((_, c)) = current.take() {
            emit(c);
        }
    }

    /// The rows updated in `from..=to` (by 更新年月日) and the 99 削除 rows recorded for
    /// difference files of that period, in date order, then 法人番号 and history order: the
    /// content of the NTA's 差分 files and of the Web-API's `/4/diff`.
    pub fn changes(&self, from: jiff::civil::Date, to: jiff::civil::Date) -> Vec<Corporation> {
        let (a, b) = (date_key(Some(from)), date_key(Some(to)));
        let mut picked: Vec<(u32, u64, usize, &str)> = Vec::new();
        for s in &self.slots {
            for i in s.first as usize..(s.first + s.len) as usize {
                let d = self.dates.get(i).copied().unwrap_or(0);
                if d >= a
                    && d <= b
                    && let Some(l) = self.lines.get(i)
                {
                    picked.push((d, s.key, i, l));
                }
            }
        }
        for (i, (d, l)) in self.deleted.iter().enumerate() {
            if *d >= a && *d <= b {
                picked.push((*d, u64::MAX, i, l));
            }
        }
        picked.sort_by_key(|(d, k, i, _)| (*d, *k, *i));
        picked
            .into_iter()
            .filter_map(|(_, _, _, l)| parse_line(l))
            .collect()
    }

    /// The recorded 99 削除 rows with their file dates (`YYYYMMDD`), to be stored next to
    /// the registry.
    pub fn deleted(&self) -> impl Iterator<Item = (u32, &str)> {
        self.deleted.iter().map(|(d, l)| (*d, l.as_ref()))
    }

    /// Restores recorded 99 削除 rows (as written by [`Registry::deleted`]).
    pub fn set_deleted(&mut self, rows: Vec<(u32, Box<str>)>) {
        self.deleted = rows;
    }

    /// Writes every row in the NTA layout (number order, history order), as the 全件 file
    /// the registry was loaded from.
    pub fn write_csv<W: Write>(
        &self,
        mut out: W,
        encoding: TextEncoding,
        bom: bool,
    ) -> io::Result<W> {
        // The stored lines are already in the NTA layout: only the line end and the
        // encoding are added.
        let mut bytes = Vec::with_capacity(1024);
        match encoding {
            TextEncoding::Utf8 => {
                if bom {
                    out.write_all(b"\xEF\xBB\xBF")?;
                }
                for line in &self.lines {
                    out.write_all(line.as_bytes())?;
                    out.write_all(b"\r\n")?;
                }
            }
            TextEncoding::ShiftJis => {
                for line in &self.lines {
                    bytes.clear();
                    encode_shift_jis(line, &mut bytes);
                    bytes.extend_from_slice(b"\r\n");
                    out.write_all(&bytes)?;
                }
            }
        }
        out.flush()?;
        Ok(out)
    }
}

/// The stored lines as one CRLF-separated byte stream.
struct LinesReader<'a> {
    lines: &'a [Box<str>],
    next: usize,
    pending: &'a [u8],
    crlf: bool,
}

impl io::Read for LinesReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            if !self.pending.is_empty() {
                let k = self.pending.len().min(buf.len() - n);
                buf[n..n + k].copy_from_slice(&self.pending[..k]);
                self.pending = &self.pending[k..];
                n += k;
                continue;
            }
            if self.crlf {
                self.crlf = false;
                self.pending = b"\r\n";
                continue;
            }
            let Some(line) = self.lines.get(self.next) else {
                break;
            };
            self.next += 1;
            self.pending = line.as_bytes();
            self.crlf = true;
        }
        Ok(n)
    }
}
