//! `mamori corp import|search|show|check`: the local copy of the NTA's 法人番号 data.
//!
//! The copy lives in `<data dir>/corp/`: `registry.csv` (every row, history included, in
//! the NTA layout, UTF-8), `state.json` (what was imported, when) and `index.bin` (the name
//! index with where each corporation's rows are in `registry.csv`, stamped with that file's
//! size and modification time). An import reads every file first and replaces the copy
//! atomically at the end, so an interrupted or failed import leaves the previous copy as it
//! was; running it again is the resume. A search reads `index.bin` and only its hits' rows;
//! when the index is missing or stale (another `registry.csv`), it is rebuilt and saved.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use mamori_corp::{
    CorpNumber, Corporation, Diagnostic, DiffSummary, Index, Kind, Mode, Query, Registry, Sort,
    StoredIndex, TextEncoding, fold_name, parse_line, read_stored, write_stored,
};
use serde_json::json;

use crate::args::CorpCmd;
use crate::{Ctx, EXIT_FINDINGS, datadir, output};

pub(crate) fn corp_dir(ctx: &Ctx) -> PathBuf {
    datadir::data_dir(ctx.data_dir.as_deref()).join("corp")
}

fn registry_path(dir: &Path) -> PathBuf {
    dir.join("registry.csv")
}

pub(crate) fn run(ctx: &Ctx, cmd: CorpCmd) -> anyhow::Result<u8> {
    let dir = corp_dir(ctx);
    match cmd {
        CorpCmd::Import {
            files,
            full,
            quiet,
            json,
        } => import(&dir, &files, full, quiet, json),
        CorpCmd::Search {
            name,
            mode,
            kana,
            pref,
            city,
            kind,
            closed,
            past,
            from,
            to,
            sort,
            page,
            per_page,
            json,
        } => {
            let mode = match mode.as_str() {
                "prefix" => Mode::Prefix,
                "partial" => Mode::Partial,
                "exact" => Mode::Exact,
                m => bail!("--mode {m}: expected prefix, partial or exact"),
            };
            let sort = match sort.as_str() {
                "relevance" => Sort::Relevance,
                "gojuon" => Sort::Gojuon,
                "region" => Sort::Region,
                "assigned" => Sort::Assigned,
                "number" => Sort::Number,
                s => bail!("--sort {s}: expected relevance, gojuon, region, assigned or number"),
            };
            let kinds = kind
                .iter()
                .map(|k| {
                    Kind::from_code(k.trim()).with_context(|| {
                        format!(
                            "--kind {k}: not a 法人種別 code ({})",
                            Kind::ALL
                                .iter()
                                .map(|k| k.code())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let date = |d: &Option<String>, flag: &str| -> anyhow::Result<Option<u32>> {
                d.as_deref()
                    .map(|d| {
                        let d: jiff::civil::Date = d
                            .parse()
                            .with_context(|| format!("{flag} {d}: use YYYY-MM-DD"))?;
                        Ok(u32::try_from(
                            i32::from(d.year()) * 10000
                                + i32::from(d.month()) * 100
                                + i32::from(d.day()),
                        )
                        .unwrap_or(0))
                    })
                    .transpose()
            };
            if page == 0 || per_page == 0 || per_page > 1000 {
                bail!("--page starts at 1; --per-page is 1–1000");
            }
            let q = Query {
                name,
                furigana: kana,
                mode,
                prefecture: pref,
                city,
                kinds,
                include_closed: closed,
                include_past: past,
                assigned_from: date(&from, "--from")?,
                assigned_to: date(&to, "--to")?,
                sort,
                offset: (page - 1) * per_page,
                limit: per_page,
            };
            let stored = open_index(&dir, false)?;
            let r = stored.index.search(&q);
            let rows = hit_rows(&dir, &stored, &r.hits)?;
            if json {
                output::json(&json!({
                    "total": r.total,
                    "page": page,
                    "per_page": per_page,
                    "corporations": rows.iter().map(|(c, past)| {
                        let mut v = corp_json(c);
                        v["matched_past_name"] = json!(past);
                        v
                    }).collect::<Vec<_>>(),
                }))?;
            } else {
                let mut s = format!("{} corporation(s)\n", r.total);
                for (c, past) in &rows {
                    let _ = writeln!(
                        s,
                        "{}  {}{}  {}{}{}  [{}]{}",
                        c.number,
                        c.name,
                        if c.furigana.is_empty() {
                            String::new()
                        } else {
                            format!("（{}）", c.furigana)
                        },
                        c.prefecture_name,
                        c.city_name,
                        c.street_number,
                        c.kind.map_or("-", |k| k.name_ja()),
                        match (c.is_closed(), past) {
                            (true, _) => "  閉鎖",
                            (false, true) => "  (旧商号で一致)",
                            _ => "",
                        }
                    );
                }
                output::stdout(s.as_bytes())?;
            }
            Ok(0)
        }
        CorpCmd::Show {
            numbers,
            history,
            json,
        } => {
            let mut lookup = RowLookup::open(&dir)?;
            let mut out = Vec::new();
            let mut missing = 0;
            for raw in &numbers {
                let n = parse_number(raw).map_err(|e| anyhow::anyhow!("{raw}: {e}"))?;
                let all = lookup.history(&n)?;
                let rows: Vec<Corporation> = if history {
                    all
                } else {
                    latest_of(all).into_iter().collect()
                };
                if rows.is_empty() {
                    missing += 1;
                    eprintln!("{n}: not in the local copy");
                }
                out.push((n, rows));
            }
            if json {
                output::json(&json!({
                    "corporations": out.iter().map(|(n, rows)| json!({
                        "number": n.as_str(),
                        "rows": rows.iter().map(corp_json).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                }))?;
            } else {
                let mut s = String::new();
                for (n, rows) in &out {
                    for c in rows {
                        let _ = writeln!(
                            s,
                            "{n}  {}  {}{}{}  処理区分 {}  更新 {}{}",
                            c.name,
                            c.prefecture_name,
                            c.city_name,
                            c.street_number,
                            c.process,
                            c.update_date.map(|d| d.to_string()).unwrap_or_default(),
                            if c.is_latest() { "  (最新)" } else { "" }
                        );
                    }
                }
                output::stdout(s.as_bytes())?;
            }
            Ok(if missing > 0 { EXIT_FINDINGS } else { 0 })
        }
        CorpCmd::Export {
            out,
            format,
            from,
            to,
            date,
        } => export(
            &dir,
            &out,
            &format,
            from.as_deref(),
            to.as_deref(),
            date.as_deref(),
        ),
        CorpCmd::Check {
            file,
            name_column,
            number_column,
            out,
            json,
        } => check(
            &dir,
            &file,
            &name_column,
            number_column.as_deref(),
            out.as_deref(),
            json,
        ),
    }
}

fn corp_json(c: &Corporation) -> serde_json::Value {
    json!({
        "number": c.number.as_str(),
        "process": c.process.code(),
        "name": c.name,
        "furigana": c.furigana,
        "kind": c.kind.map(|k| k.code()),
        "prefecture_code": c.prefecture_code.map(|p| format!("{p:02}")),
        "city_code": c.city_code.map(|p| format!("{p:03}")),
        "address": format!("{}{}{}", c.prefecture_name, c.city_name, c.street_number),
        "address_outside": c.address_outside,
        "post_code": c.post_code,
        "assignment_date": c.assignment_date.map(|d| d.to_string()),
        "update_date": c.update_date.map(|d| d.to_string()),
        "change_date": c.change_date.map(|d| d.to_string()),
        "close_date": c.close_date.map(|d| d.to_string()),
        "close_cause": c.close_cause.map(|k| k.code()),
        "successor": c.successor.map(|n| n.as_str().to_owned()),
        "latest": c.is_latest(),
        "en_name": c.en_name,
    })
}

/// A 法人番号 as people write it: full-width digits, hyphens and spaces allowed.
fn parse_number(raw: &str) -> Result<CorpNumber, String> {
    let digits: String = raw
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .collect();
    let other = raw
        .chars()
        .any(|c| !(c.is_ascii_digit() || ('０'..='９').contains(&c) || "-－‐ 　".contains(c)));
    if other || digits.len() != 13 {
        return Err("not a 13-digit corporate number".into());
    }
    CorpNumber::parse(&digits).map_err(|e| e.to_string())
}

fn index_path(dir: &Path) -> PathBuf {
    dir.join("index.bin")
}

/// Names the state of `registry.csv` an index belongs to: its size and modification time.
fn registry_stamp(dir: &Path) -> anyhow::Result<String> {
    let path = registry_path(dir);
    let m = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "no local copy of the 法人番号 data yet: import the NTA's 全件 file first \
             (`mamori corp import 00_zenkoku_all_YYYYMMDD.zip`)"
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let modified = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok(mamori_corp::registry_stamp(m.len(), modified))
}

/// Builds the name index of `reg` (the copy just written to `dir`) and saves it. A failure
/// to save is reported, not fatal: the index is rebuilt on the next search.
fn save_index(dir: &Path, reg: &Registry, quiet: bool) -> anyhow::Result<StoredIndex> {
    if !quiet {
        eprintln!("indexing {} corporation names…", reg.len());
    }
    let index = Index::build(reg);
    let offsets = reg.corporation_offsets();
    let stamp = registry_stamp(dir)?;
    if let Err(e) = output::write_atomic_with(&index_path(dir), |w| {
        write_stored(w, &index, &offsets, &stamp).map(|_| ())
    }) {
        eprintln!("warning: the search index was not saved ({e:#}); it is rebuilt on each search");
    }
    Ok(StoredIndex { index, offsets })
}

/// The saved name index if it belongs to the current `registry.csv`, else a new one (saved).
fn open_index(dir: &Path, quiet: bool) -> anyhow::Result<StoredIndex> {
    let stamp = registry_stamp(dir)?;
    let path = index_path(dir);
    match File::open(&path) {
        Ok(f) => match read_stored(BufReader::with_capacity(1 << 20, f), &stamp) {
            Ok(s) => return Ok(s),
            Err(e) => {
                if !quiet {
                    eprintln!("{}: {e}", path.display());
                }
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    let reg = load(dir)?;
    save_index(dir, &reg, quiet)
}

/// The name index of `reg` (just loaded from `dir`): the saved one if current, else built.
fn index_for(dir: &Path, reg: &Registry) -> anyhow::Result<Index> {
    let stamp = registry_stamp(dir)?;
    if let Ok(f) = File::open(index_path(dir))
        && let Ok(s) = read_stored(BufReader::with_capacity(1 << 20, f), &stamp)
        && s.offsets.len() == reg.len() + 1
    {
        return Ok(s.index);
    }
    Ok(save_index(dir, reg, true)?.index)
}

/// The rows stored in `range` of `registry.csv` (one corporation's, oldest first).
fn rows_at(
    f: &mut File,
    path: &Path,
    range: std::ops::Range<u64>,
) -> anyhow::Result<Vec<Corporation>> {
    use std::io::{Seek, SeekFrom};
    let changed = || {
        anyhow::anyhow!(
            "{} changed while reading it (an import ran?): try again",
            path.display()
        )
    };
    let len = usize::try_from(range.end.saturating_sub(range.start)).map_err(|_| changed())?;
    let mut buf = vec![0u8; len];
    f.seek(SeekFrom::Start(range.start))?;
    f.read_exact(&mut buf).map_err(|_| changed())?;
    let text = std::str::from_utf8(&buf).map_err(|_| changed())?;
    text.split_terminator("\r\n")
        .map(|l| parse_line(l).ok_or_else(changed))
        .collect()
}

/// The row flagged 最新, else the last one (as the registry picks it).
fn latest_of(rows: Vec<Corporation>) -> Option<Corporation> {
    let i = rows
        .iter()
        .rposition(Corporation::is_latest)
        .or(rows.len().checked_sub(1))?;
    rows.into_iter().nth(i)
}

/// The current row of each hit, read from `registry.csv` at the offsets the index holds.
fn hit_rows(
    dir: &Path,
    stored: &StoredIndex,
    hits: &[mamori_corp::Hit],
) -> anyhow::Result<Vec<(Corporation, bool)>> {
    let path = registry_path(dir);
    let mut f = File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::with_capacity(hits.len());
    for h in hits {
        let range = stored
            .rows_range(h.corp)
            .with_context(|| format!("{} changed while searching: search again", path.display()))?;
        out.extend(latest_of(rows_at(&mut f, &path, range)?).map(|c| (c, h.past)));
    }
    Ok(out)
}

/// Rows by number: straight from `registry.csv` when the saved index's offsets belong to it
/// (a binary search over the corporations, which the file holds in number order), else from
/// the whole copy loaded.
enum RowLookup {
    Offsets {
        file: File,
        path: PathBuf,
        offsets: Vec<u64>,
    },
    Loaded(Registry),
}

impl RowLookup {
    fn open(dir: &Path) -> anyhow::Result<RowLookup> {
        let stamp = registry_stamp(dir)?;
        if let Ok(f) = File::open(index_path(dir))
            && let Ok(offsets) = mamori_corp::read_offsets(BufReader::new(f), &stamp)
        {
            let path = registry_path(dir);
            let file =
                File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
            return Ok(RowLookup::Offsets {
                file,
                path,
                offsets,
            });
        }
        Ok(RowLookup::Loaded(load(dir)?))
    }

    /// Every row of corporation `n`, oldest first (empty when unknown).
    fn history(&mut self, n: &CorpNumber) -> anyhow::Result<Vec<Corporation>> {
        let (file, path, offsets) = match self {
            RowLookup::Loaded(reg) => return Ok(reg.history(n)),
            RowLookup::Offsets {
                file,
                path,
                offsets,
            } => (file, path, offsets),
        };
        let (mut lo, mut hi) = (0usize, offsets.len().saturating_sub(1));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let rows = rows_at(file, path, offsets[mid]..offsets[mid + 1])?;
            let Some(first) = rows.first() else {
                bail!("{}: no row at position {mid}", path.display());
            };
            match first.number.base().cmp(&n.base()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(rows),
            }
        }
        Ok(Vec::new())
    }
}

/// Loads the local copy.
fn load(dir: &Path) -> anyhow::Result<Registry> {
    let path = registry_path(dir);
    let f = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "no local copy of the 法人番号 data yet: import the NTA's 全件 file first \
             (`mamori corp import 00_zenkoku_all_YYYYMMDD.zip`)"
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let (reg, diags) = Registry::read(BufReader::with_capacity(1 << 20, f))
        .with_context(|| format!("cannot read {}", path.display()))?;
    if let Some(d) = diags.first() {
        bail!(
            "{}: {} damaged row(s), first at line {}: {} — import again",
            path.display(),
            diags.len(),
            d.line,
            d.message
        );
    }
    let mut reg = reg;
    match std::fs::read_to_string(deleted_path(dir)) {
        Ok(text) => reg.set_deleted(
            text.lines()
                .filter_map(|l| {
                    let (d, line) = l.split_once('\t')?;
                    Some((d.parse().ok()?, line.into()))
                })
                .collect(),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).context("cannot read the recorded deletions"),
    }
    Ok(reg)
}

fn export(
    dir: &Path,
    out: &Path,
    format: &str,
    from: Option<&str>,
    to: Option<&str>,
    date: Option<&str>,
) -> anyhow::Result<u8> {
    let day = |d: &str, flag: &str| -> anyhow::Result<jiff::civil::Date> {
        d.parse()
            .with_context(|| format!("{flag} {d}: use YYYY-MM-DD"))
    };
    let reg = load(dir)?;
    let encoding = match format {
        "csv" | "xml" => TextEncoding::Utf8,
        "sjis" => TextEncoding::ShiftJis,
        f => bail!("--format {f}: expected csv, sjis or xml"),
    };
    let diff = match (from, to) {
        (Some(f), Some(t)) => {
            let (f, t) = (day(f, "--from")?, day(t, "--to")?);
            if f > t {
                bail!("--from {f} is after --to {t}");
            }
            Some(reg.changes(f, t))
        }
        _ => None,
    };
    let mut bytes = Vec::new();
    if format == "xml" {
        let last = match date {
            Some(d) => day(d, "--date")?,
            None => crate::audit_log::today(),
        };
        let count = diff.as_ref().map_or(reg.len(), Vec::len);
        let envelope = mamori_corp::Envelope {
            last_update_date: last,
            count: count as u64,
            divide_number: 1,
            divide_size: 1,
        };
        let mut w = mamori_corp::XmlWriter::new(&mut bytes, &envelope)?;
        let mut failure = None;
        match &diff {
            Some(rows) => {
                for r in rows {
                    w.write_row(r)?;
                }
            }
            None => reg.for_each_current(|c| {
                if failure.is_none() {
                    failure = w.write_row(&c).err();
                }
            }),
        }
        if let Some(e) = failure {
            return Err(e.into());
        }
        w.finish()?;
    } else {
        match &diff {
            Some(rows) => {
                let mut w = mamori_corp::CsvWriter::new(&mut bytes, encoding);
                for r in rows {
                    w.write_row(r)?;
                }
                w.into_inner()?;
            }
            None => {
                reg.write_full(&mut bytes, encoding, false)?;
            }
        }
    }
    output::write_atomic(out, &bytes)?;
    println!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(0)
}

/// Counts bytes for the progress bar.
struct Counting<R> {
    inner: R,
    bar: Option<indicatif::ProgressBar>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(b) = &self.bar {
            b.inc(n as u64);
        }
        Ok(n)
    }
}

fn bar(quiet: bool, len: u64, name: &str) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} {bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} [{elapsed}]",
    ) {
        pb.set_style(style);
    }
    pb.set_message(name.to_owned());
    pb.enable_steady_tick(Duration::from_millis(200));
    Some(pb)
}

/// What one file holds: the rows of a CSV or XML, possibly inside a zip.
enum Format {
    Csv,
    Xml,
}

/// Opens a file (or the first CSV/XML member of a zip) and hands its reader to `f`.
fn with_reader<T>(
    path: &Path,
    quiet: bool,
    f: impl FnOnce(&mut dyn Read, Format) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let shown = path.display().to_string();
    let file = File::open(path).with_context(|| format!("cannot read {shown}"))?;
    let ext = |p: &str| {
        Path::new(p)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
    };
    match ext(&shown).as_deref() {
        Some("zip") => {
            let mut zip = zip::ZipArchive::new(BufReader::new(file))
                .with_context(|| format!("{shown}: not a readable zip"))?;
            // By index, so that a name and `by_index` always refer to the same member.
            let names: Vec<String> = (0..zip.len())
                .map(|i| match zip.name_for_index(i) {
                    Some(Ok(n)) => n.into_owned(),
                    _ => String::new(),
                })
                .collect();
            let Some((i, fmt)) =
                names
                    .iter()
                    .enumerate()
                    .find_map(|(i, n)| match ext(n).as_deref() {
                        Some("csv") => Some((i, Format::Csv)),
                        Some("xml") => Some((i, Format::Xml)),
                        _ => None,
                    })
            else {
                bail!("{shown}: the zip holds no .csv or .xml file");
            };
            let member = zip
                .by_index(i)
                .with_context(|| format!("{shown}: cannot read {}", names[i]))?;
            let len = member.size();
            let mut r = Counting {
                inner: member,
                bar: bar(quiet, len, &names[i]),
            };
            let out = f(&mut r, fmt);
            if let Some(b) = r.bar {
                b.finish_and_clear();
            }
            out
        }
        e => {
            let fmt = if e == Some("xml") {
                Format::Xml
            } else {
                Format::Csv
            };
            let len = file.metadata().map(|m| m.len()).unwrap_or(0);
            let mut r = Counting {
                inner: BufReader::with_capacity(1 << 20, file),
                bar: bar(quiet, len, &shown),
            };
            let out = f(&mut r, fmt);
            if let Some(b) = r.bar {
                b.finish_and_clear();
            }
            out
        }
    }
}

fn read_rows(r: &mut dyn Read, fmt: Format) -> anyhow::Result<(Vec<Corporation>, Vec<Diagnostic>)> {
    Ok(match fmt {
        Format::Csv => {
            let f = mamori_corp::read_csv(r)?;
            (f.rows, f.diagnostics)
        }
        Format::Xml => {
            let f = mamori_corp::read_xml(BufReader::new(r)).map_err(|e| anyhow::anyhow!("{e}"))?;
            (f.rows, f.diagnostics)
        }
    })
}

/// The date of a difference file: the latest 更新年月日 of its rows, else the eight digits
/// of its name (`diff_20260601.csv`).
fn file_date(path: &Path, rows: &[Corporation]) -> Option<jiff::civil::Date> {
    rows.iter().filter_map(|r| r.update_date).max().or_else(|| {
        let name = path.file_name()?.to_str()?;
        let digits: String = name.chars().filter(char::is_ascii_digit).collect();
        let d = digits.get(digits.len().checked_sub(8)?..)?;
        jiff::civil::Date::strptime("%Y%m%d", d).ok()
    })
}

fn deleted_path(dir: &Path) -> PathBuf {
    dir.join("deleted.tsv")
}

fn report_diags(file: &str, diags: &[Diagnostic], json: bool) {
    if json {
        return;
    }
    for d in diags.iter().take(20) {
        eprintln!("{file}:{d}");
    }
    if diags.len() > 20 {
        eprintln!("{file}: … {} more row problem(s)", diags.len() - 20);
    }
}

fn import(
    dir: &Path,
    files: &[PathBuf],
    full: bool,
    quiet: bool,
    json: bool,
) -> anyhow::Result<u8> {
    let is_full = |i: usize, p: &Path| {
        (i == 0 && full)
            || p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains("_all_"))
    };
    if files.iter().enumerate().skip(1).any(|(i, p)| is_full(i, p)) {
        bail!("a 全件 (_all_) file must come first: it replaces everything before it");
    }
    let mut reg = match files.first() {
        Some(p) if is_full(0, p) => None,
        _ => Some(load(dir)?),
    };
    let mut report = Vec::new();
    let mut problems = 0usize;
    for (i, path) in files.iter().enumerate() {
        let shown = path.display().to_string();
        if is_full(i, path) {
            let (r, diags) = with_reader(path, quiet, |r, fmt| match fmt {
                Format::Csv => Ok(Registry::read(r)?),
                Format::Xml => {
                    let (rows, diags) = read_rows(r, fmt)?;
                    Ok((Registry::from_rows(rows), diags))
                }
            })?;
            report_diags(&shown, &diags, json);
            problems += diags.len();
            report.push(json!({
                "file": shown, "kind": "full", "corporations": r.len(), "rows": r.row_count(),
                "bad_rows": diags.len(),
            }));
            reg = Some(r);
        } else {
            let Some(r) = reg.as_mut() else {
                bail!("no registry to apply {shown} to");
            };
            let (rows, diags) = with_reader(path, quiet, read_rows)?;
            report_diags(&shown, &diags, json);
            problems += diags.len();
            let s: DiffSummary = r.apply_diff(&rows, file_date(path, &rows));
            report.push(
                json!({ "file": shown, "kind": "diff", "summary": s, "bad_rows": diags.len() }),
            );
        }
    }
    let Some(reg) = reg else {
        bail!("nothing to import");
    };
    datadir::ensure_private_dir(dir)?;
    let mut bytes = Vec::with_capacity(reg.row_count() * 300);
    reg.write_csv(&mut bytes, TextEncoding::Utf8, false)?;
    output::write_atomic(&registry_path(dir), &bytes)?;
    drop(bytes);
    save_index(dir, &reg, quiet || json)?;
    let mut deleted = String::new();
    for (d, line) in reg.deleted() {
        let _ = writeln!(deleted, "{d}\t{line}");
    }
    output::write_atomic(&deleted_path(dir), deleted.as_bytes())?;
    let state = json!({
        "imported_at": crate::audit_log::now_rfc3339(),
        "corporations": reg.len(),
        "rows": reg.row_count(),
        "files": report,
    });
    output::write_atomic(
        &dir.join("state.json"),
        serde_json::to_string_pretty(&state)?.as_bytes(),
    )?;
    if let Some(data) = dir.parent() {
        crate::audit_log::append(
            data,
            "corp.import",
            "corp",
            &format!(
                "{} file(s): {}; {} corporations, {} rows, {} bad row(s) skipped",
                files.len(),
                files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                reg.len(),
                reg.row_count(),
                problems
            ),
        )?;
    }
    if json {
        output::json(&state)?;
    } else {
        println!(
            "local copy: {} corporation(s), {} row(s); {} bad row(s) skipped",
            reg.len(),
            reg.row_count(),
            problems
        );
    }
    Ok(if problems > 0 { EXIT_FINDINGS } else { 0 })
}

/// One checked row of a published list.
#[derive(serde::Serialize)]
struct Checked {
    line: usize,
    name: String,
    given: String,
    status: &'static str,
    message: String,
    proposed: Option<String>,
    registered_name: Option<String>,
}

/// Reads a table with a header row: xlsx (first sheet) or CSV (UTF-8 or Shift_JIS).
fn read_table(path: &Path) -> anyhow::Result<Vec<Vec<String>>> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {shown}"))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("xlsx" | "xlsm")) {
        use calamine::Reader;
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes))
            .with_context(|| format!("{shown}: not a readable xlsx"))?;
        let Some(Ok(range)) = wb.worksheet_range_at(0) else {
            bail!("{shown}: no worksheet");
        };
        return Ok(range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                            format!("{f:.0}")
                        }
                        c => c.to_string(),
                    })
                    .collect()
            })
            .collect());
    }
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned(),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let r = r.with_context(|| format!("{shown}:{}: not CSV", i + 1))?;
        rows.push(r.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

/// A column by header text or by letter (A, B, … AA).
fn column(header: &[String], want: &str, flag: &str, file: &str) -> anyhow::Result<usize> {
    if let Some(i) = header.iter().position(|h| h.trim() == want.trim()) {
        return Ok(i);
    }
    let w = want.trim();
    if !w.is_empty() && w.len() <= 3 && w.chars().all(|c| c.is_ascii_alphabetic()) {
        let n = w
            .to_ascii_uppercase()
            .bytes()
            .fold(0usize, |n, b| n * 26 + usize::from(b - b'A' + 1));
        return Ok(n - 1);
    }
    bail!(
        "{flag} {want}: {file} has no such column (headers: {})",
        header.join(", ")
    )
}

fn check(
    dir: &Path,
    file: &Path,
    name_col: &str,
    number_col: Option<&str>,
    out: Option<&Path>,
    json: bool,
) -> anyhow::Result<u8> {
    let shown = file.display().to_string();
    let table = read_table(file)?;
    let Some((header, body)) = table.split_first() else {
        bail!("{shown}: empty");
    };
    let name_i = column(header, name_col, "--name-column", &shown)?;
    let number_i = number_col
        .map(|c| column(header, c, "--number-column", &shown))
        .transpose()?;
    let reg = load(dir)?;
    let ix = index_for(dir, &reg)?;
    let mut results = Vec::new();
    for (i, row) in body.iter().enumerate() {
        let cell = |c: usize| row.get(c).map(|s| s.trim().to_owned()).unwrap_or_default();
        let name = cell(name_i);
        let given = number_i.map(cell).unwrap_or_default();
        if name.is_empty() && given.is_empty() {
            continue;
        }
        let mut c = Checked {
            line: i + 2,
            name: name.clone(),
            given: given.clone(),
            status: "ok",
            message: String::new(),
            proposed: None,
            registered_name: None,
        };
        if given.is_empty() {
            c.status = "missing";
            let hits = ix.search(&Query {
                name: name.clone(),
                mode: Mode::Exact,
                limit: 3,
                ..Query::default()
            });
            match hits.total {
                1 => {
                    if let Some((n, _)) = hits
                        .hits
                        .first()
                        .and_then(|h| reg.corporation_rows(h.corp as usize))
                    {
                        c.message = "法人番号がありません（候補を提示）".into();
                        c.registered_name = reg.latest(&n).map(|l| l.name);
                        c.proposed = Some(n.as_str().to_owned());
                    }
                }
                0 => c.message = "法人番号がありません（該当する法人なし）".into(),
                n => c.message = format!("法人番号がありません（同名の法人が {n} 件）"),
            }
        } else {
            match parse_number(&given) {
                Err(e) if e.contains("check digit") => {
                    c.status = "check_digit";
                    c.message = format!("チェックデジットが一致しません: {e}");
                }
                Err(_) => {
                    c.status = "malformed";
                    c.message = "13桁の法人番号ではありません".into();
                }
                Ok(n) => match reg.latest(&n) {
                    None => {
                        c.status = "unknown";
                        c.message = "公表データにない法人番号です".into();
                    }
                    Some(l) => {
                        c.registered_name = Some(l.name.clone());
                        let same = fold_name(&l.name).core == fold_name(&name).core;
                        let past = !same
                            && reg
                                .history(&n)
                                .iter()
                                .any(|h| fold_name(&h.name).core == fold_name(&name).core);
                        if l.is_closed() {
                            c.status = "closed";
                            c.message = format!(
                                "登記記録が閉鎖されています（{}）",
                                l.close_cause.map_or("", |k| k.name_ja())
                            );
                        } else if past {
                            c.status = "old_name";
                            c.message = format!("旧商号です（現在: {}）", l.name);
                        } else if !same && !name.is_empty() {
                            c.status = "name_mismatch";
                            c.message = format!("名称が一致しません（登録: {}）", l.name);
                        }
                    }
                },
            }
        }
        results.push(c);
    }
    let problems = results.iter().filter(|c| c.status != "ok").count();
    if let Some(out) = out {
        write_annotated(out, header, body, &results)?;
    }
    if json {
        output::json(
            &json!({ "file": shown, "rows": results.len(), "problems": problems, "results": results }),
        )?;
    } else {
        let mut s = String::new();
        for c in results.iter().filter(|c| c.status != "ok") {
            let _ = writeln!(
                s,
                "{shown}:{}: {} — {}{}",
                c.line,
                c.name,
                c.message,
                c.proposed
                    .as_deref()
                    .map(|p| format!(" → {p}"))
                    .unwrap_or_default()
            );
        }
        let _ = writeln!(s, "{} row(s) checked, {problems} problem(s)", results.len());
        output::stdout(s.as_bytes())?;
    }
    Ok(if problems > 0 { EXIT_FINDINGS } else { 0 })
}

fn write_annotated(
    out: &Path,
    header: &[String],
    body: &[Vec<String>],
    results: &[Checked],
) -> anyhow::Result<()> {
    let extra = ["判定", "メッセージ", "法人番号（候補）", "登録名称"];
    let by_line = |line: usize| results.iter().find(|c| c.line == line);
    let row_of = |i: usize, r: &Vec<String>| -> Vec<String> {
        let mut v = r.clone();
        v.resize(header.len(), String::new());
        match by_line(i + 2) {
            Some(c) => v.extend([
                c.status.to_owned(),
                c.message.clone(),
                c.proposed.clone().unwrap_or_default(),
                c.registered_name.clone().unwrap_or_default(),
            ]),
            None => v.extend(std::iter::repeat_n(String::new(), 4)),
        }
        v
    };
    let mut head = header.to_vec();
    head.extend(extra.iter().map(|s| (*s).to_owned()));
    let bytes = match out.extension().and_then(|e| e.to_str()) {
        Some("csv") => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&head)?;
            for (i, r) in body.iter().enumerate() {
                w.write_record(row_of(i, r))?;
            }
            let mut b = b"\xEF\xBB\xBF".to_vec();
            b.extend(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?);
            b
        }
        Some("xlsx") => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            let warn = rust_xlsxwriter::Format::new().set_background_color(0xFFE0E0);
            for (c, h) in head.iter().enumerate() {
                ws.write_string_with_format(0, u16::try_from(c)?, h, &bold)?;
            }
            for (i, r) in body.iter().enumerate() {
                let bad = by_line(i + 2).is_some_and(|c| c.status != "ok");
                for (c, v) in row_of(i, r).iter().enumerate() {
                    let (row, col) = (u32::try_from(i + 1)?, u16::try_from(c)?);
                    if bad {
                        ws.write_string_with_format(row, col, v, &warn)?;
                    } else {
                        ws.write_string(row, col, v)?;
                    }
                }
            }
            ws.set_freeze_panes(1, 0)?;
            wb.save_to_buffer()?
        }
        _ => bail!("--out {}: name a .xlsx or .csv file", out.display()),
    };
    output::write_atomic(out, &bytes)
}
