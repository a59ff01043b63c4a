//! `mamori scan`: parallel walk, per-format scanning, masked reports.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use mamori_mynumber::{
    Confidence, FileScan, FileScanner, Keywords, Kind, Limits, NotScanned, Scanner, redact,
};
use serde::Serialize;

use crate::args::{MinConfidence, ScanArgs};
use crate::pdf_worker::ChildPdf;
use crate::{Ctx, EXIT_FINDINGS, datadir, output};

mod actions;
mod report;
mod state;

/// One file's outcome, as reported.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileResult {
    /// The path with any individual number in it masked.
    pub path: String,
    #[serde(skip)]
    pub real_path: PathBuf,
    pub size: u64,
    /// Modification time, seconds since the Unix epoch.
    pub mtime: i64,
    /// Whether this result was reused from the scan state instead of reading the file.
    pub reused: bool,
    #[serde(flatten)]
    pub scan: FileScan,
    pub distinct_individual: usize,
    pub distinct_corporate: usize,
    /// Set when a retention rule says the file should have been deleted.
    pub past_retention: Option<String>,
    /// The file's owner (user name), where the platform tells.
    pub owner: Option<String>,
}

/// A path the walk could not read.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WalkProblem {
    pub path: String,
    pub reason: String,
}

enum Msg {
    File(Box<FileResult>),
    Problem(WalkProblem),
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    pub files_scanned: u64,
    pub files_reused: u64,
    pub bytes_read: u64,
    pub seconds: f64,
    pub files_with_individual_numbers: u64,
    pub files_with_corporate_numbers: u64,
    pub distinct_individual_numbers: usize,
    pub distinct_corporate_numbers: usize,
    pub findings: BTreeMap<String, usize>,
    pub not_scanned: usize,
    pub past_retention: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScanOutput {
    pub roots: Vec<String>,
    pub files: Vec<FileResult>,
    pub problems: Vec<WalkProblem>,
    pub summary: Summary,
}

impl ScanOutput {
    /// Every path not scanned (walk problems, then files and archive members) with the reason.
    pub(crate) fn not_scanned(&self) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = self
            .problems
            .iter()
            .map(|p| (p.path.clone(), p.reason.clone()))
            .collect();
        for f in &self.files {
            for n in &f.scan.not_scanned {
                let p = if n.member.is_empty() {
                    f.path.clone()
                } else {
                    format!("{}!{}", f.path, n.member)
                };
                rows.push((p, n.reason.clone()));
            }
        }
        rows
    }
}

pub(crate) fn parse_size(s: &str) -> anyhow::Result<u64> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&t[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .with_context(|| format!("--max-size: `{s}` is not a size (e.g. 100M)"))?;
    n.checked_mul(mult).context("--max-size: too large")
}

/// `GLOB=YEARS` retention rules.
pub(crate) struct Retention {
    rules: Vec<(globset::GlobMatcher, String, u32)>,
}

impl Retention {
    pub fn parse(specs: &[String]) -> anyhow::Result<Retention> {
        let mut rules = Vec::new();
        for spec in specs {
            let (glob, years) = spec
                .rsplit_once('=')
                .with_context(|| format!("--retention: `{spec}` is not GLOB=YEARS"))?;
            let years: u32 = years.trim().parse().with_context(|| {
                format!("--retention: `{years}` in `{spec}` is not a number of years")
            })?;
            let m = globset::Glob::new(glob.trim())
                .with_context(|| format!("--retention: bad glob `{glob}`"))?
                .compile_matcher();
            rules.push((m, glob.trim().to_owned(), years));
        }
        Ok(Retention { rules })
    }

    /// The first rule the file is past, as `GLOB=YEARS`.
    fn past(&self, path: &Path, mtime: i64, now: i64) -> Option<String> {
        self.rules.iter().find_map(|(m, glob, years)| {
            let age = now - mtime;
            (m.is_match(path)
                && age > i64::from(*years) * 365 * 86_400 + i64::from(*years / 4) * 86_400)
                .then(|| format!("{glob}={years}"))
        })
    }
}

fn min_conf(m: MinConfidence) -> Confidence {
    match m {
        MinConfidence::Low => Confidence::Low,
        MinConfidence::Medium => Confidence::Medium,
        MinConfidence::High => Confidence::High,
    }
}

fn mtime_secs(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The clock, read at the edge.
#[allow(clippy::disallowed_methods)]
fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

pub(crate) fn run(ctx: &Ctx, args: ScanArgs) -> anyhow::Result<u8> {
    if let Some(action) = args.action {
        return actions::run(ctx, action);
    }
    if args.paths.is_empty() {
        bail!("give at least one file or folder to scan (e.g. `mamori scan //fileserver/share`)");
    }
    for p in &args.paths {
        if std::fs::symlink_metadata(p).is_err() {
            bail!(
                "{}: no such file or folder",
                redact(&p.display().to_string())
            );
        }
    }
    let max_size = parse_size(&args.max_size)?;
    // A panic message can quote the text being parsed: report panics without their payload.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("mamori: internal error{at} (details withheld: they may quote scanned content)");
    }));
    let retention = Retention::parse(&args.retention)?;
    let data_dir = datadir::data_dir(ctx.data_dir.as_deref());
    let key = datadir::scan_key(&data_dir)?;
    let scanner = Scanner::new(key.clone(), &Keywords::default());
    let pdf = ChildPdf {
        exe: std::env::current_exe().context("cannot locate the mamori executable")?,
        timeout: Duration::from_secs(60),
    };
    let fs = FileScanner {
        scanner: &scanner,
        limits: Limits {
            max_file_size: max_size,
            ..Limits::default()
        },
        pdf: Some(&pdf),
    };
    let state_path = (!args.no_state).then(|| {
        args.state
            .clone()
            .unwrap_or_else(|| data_dir.join("scan-state.sqlite"))
    });
    let mut state = match &state_path {
        Some(p) => Some(state::State::open(p, &data_dir, key.clone())?),
        None => None,
    };
    let prior = match (&state, args.full) {
        (Some(s), false) => s.load()?,
        _ => Default::default(),
    };
    let now = now_secs();
    let started = Instant::now();
    let progress = progress_bar(args.quiet || args.json);
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));

    let (tx, rx) = mpsc::channel::<Msg>();
    let mut files: Vec<FileResult> = Vec::new();
    let mut problems: Vec<WalkProblem> = Vec::new();
    let mut bytes_read = 0u64;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let walker = scope.spawn(|| walk(&args, threads, &fs, &prior, tx));
        for msg in rx {
            match msg {
                Msg::File(f) => {
                    if !f.reused {
                        bytes_read += f.scan.bytes;
                    }
                    if let Some(pb) = &progress {
                        pb.set_position(bytes_read);
                        pb.set_message(format!("{} files", files.len() + 1));
                    }
                    files.push(*f);
                }
                Msg::Problem(p) => problems.push(p),
            }
        }
        walker
            .join()
            .map_err(|_| anyhow::anyhow!("the directory walk failed"))??;
        Ok(())
    })?;
    if let Some(pb) = &progress {
        pb.finish_and_clear();
    }

    if let Some(s) = state.as_mut() {
        s.save(&files, args.full)?;
    }

    let threshold = min_conf(args.min_confidence);
    for f in &mut files {
        f.scan
            .findings
            .retain(|x| x.finding.confidence >= threshold);
        f.distinct_individual = f.scan.distinct(Kind::Individual);
        f.distinct_corporate = f.scan.distinct(Kind::Corporate);
        f.past_retention = retention.past(&f.real_path, f.mtime, now);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    let summary = summarise(&files, &problems, bytes_read, started.elapsed());
    let out = ScanOutput {
        roots: args
            .paths
            .iter()
            .map(|p| redact(&p.display().to_string()))
            .collect(),
        files,
        problems,
        summary,
    };

    if let Some(path) = &args.jsonl {
        let bytes = jsonl(&out)?;
        if path == Path::new("-") {
            output::stdout(&bytes)?;
        } else {
            output::write_atomic(path, &bytes)?;
        }
    }
    if let Some(path) = &args.report {
        let bytes = report::xlsx(&out, ctx.lang)?;
        output::write_atomic(path, &bytes)?;
    }
    if args.json {
        output::json(&out)?;
    } else if args.jsonl.as_deref() != Some(Path::new("-")) {
        output::stdout(human(&out).as_bytes())?;
    }
    let found = out.summary.files_with_individual_numbers > 0;
    Ok(if found { EXIT_FINDINGS } else { 0 })
}

fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {binary_bytes} read, {binary_bytes_per_sec}, {msg} [{elapsed}]",
    ) {
        pb.set_style(style);
    }
    pb.enable_steady_tick(Duration::from_millis(200));
    Some(pb)
}

fn walk(
    args: &ScanArgs,
    threads: usize,
    fs: &FileScanner<'_>,
    prior: &state::Prior,
    tx: mpsc::Sender<Msg>,
) -> anyhow::Result<()> {
    let mut builder = ignore::WalkBuilder::new(&args.paths[0]);
    for p in &args.paths[1..] {
        builder.add(p);
    }
    let mut overrides = ignore::overrides::OverrideBuilder::new("/");
    for g in &args.exclude {
        overrides
            .add(&format!("!{g}"))
            .with_context(|| format!("--exclude: bad glob `{g}`"))?;
    }
    let overrides = overrides.build().context("--exclude")?;
    builder
        .standard_filters(false)
        .hidden(false)
        .follow_links(args.follow_symlinks)
        .threads(threads)
        .overrides(overrides);
    let excludes = {
        let mut b = globset::GlobSetBuilder::new();
        for g in &args.exclude {
            b.add(globset::Glob::new(g)?);
        }
        b.build()?
    };
    builder.build_parallel().run(|| {
        let tx = tx.clone();
        let excludes = &excludes;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => path.display().to_string(),
                        _ => String::new(),
                    };
                    let _ = tx.send(Msg::Problem(WalkProblem {
                        path: redact(&path),
                        reason: redact(&walk_reason(&err)),
                    }));
                    return ignore::WalkState::Continue;
                }
            };
            let path = entry.path();
            // Kernel and device file systems hold no documents and can block a reader
            // (/proc/kmsg): skipped when met during a walk, scanned only when named as a root.
            if entry.depth() > 0
                && [
                    PathBuf::from("/proc"),
                    PathBuf::from("/sys"),
                    PathBuf::from("/dev"),
                ]
                .iter()
                .any(|p| path == p)
            {
                return ignore::WalkState::Skip;
            }
            if excludes.is_match(path) {
                return if entry.file_type().is_some_and(|t| t.is_dir()) {
                    ignore::WalkState::Skip
                } else {
                    ignore::WalkState::Continue
                };
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            // A parser bug must cost one file, not the scan: contain panics per file.
            let msg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                scan_one(fs, prior, path)
            }))
            .unwrap_or_else(|_| {
                Msg::Problem(WalkProblem {
                    path: redact(&path.display().to_string()),
                    reason: "internal error while parsing this file".to_owned(),
                })
            });
            if tx.send(msg).is_err() {
                return ignore::WalkState::Quit;
            }
            ignore::WalkState::Continue
        })
    });
    Ok(())
}

fn walk_reason(err: &ignore::Error) -> String {
    let s = err.to_string();
    if s.to_lowercase().contains("permission denied") {
        "permission denied".to_owned()
    } else {
        s
    }
}

fn scan_one(fs: &FileScanner<'_>, prior: &state::Prior, path: &Path) -> Msg {
    let shown = redact(&path.display().to_string());
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return Msg::Problem(WalkProblem {
                path: shown,
                reason: e.to_string(),
            });
        }
    };
    let size = meta.len();
    let mtime = mtime_secs(&meta);
    let key = path.display().to_string();
    if let Some(scan) = prior.unchanged(&key, size, mtime) {
        return Msg::File(Box::new(FileResult {
            path: shown,
            real_path: path.to_owned(),
            size,
            mtime,
            reused: true,
            scan,
            distinct_individual: 0,
            distinct_corporate: 0,
            past_retention: None,
            owner: owner_of(&meta),
        }));
    }
    let scan = match std::fs::File::open(path) {
        Ok(mut f) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut hashing = state::HashingReader::new(&mut f);
            let mut scan = fs.scan(&name, &mut hashing, size);
            // Content hash of what was read, for the state's rename/touch detection.
            scan.content_hash = Some(hashing.finish_hex());
            scan
        }
        Err(e) => {
            let mut scan = FileScan::default();
            scan.not_scanned.push(NotScanned {
                member: String::new(),
                reason: if e.kind() == std::io::ErrorKind::PermissionDenied {
                    "permission denied".to_owned()
                } else {
                    e.to_string()
                },
            });
            scan
        }
    };
    Msg::File(Box::new(FileResult {
        path: shown,
        real_path: path.to_owned(),
        size,
        mtime,
        reused: false,
        scan,
        distinct_individual: 0,
        distinct_corporate: 0,
        past_retention: None,
        owner: owner_of(&meta),
    }))
}

/// The owner's user name (Unix: from /etc/passwd, else the numeric uid).
#[cfg(unix)]
fn owner_of(meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = meta.uid();
    static PASSWD: std::sync::OnceLock<Vec<(u32, String)>> = std::sync::OnceLock::new();
    let users = PASSWD.get_or_init(|| {
        std::fs::read_to_string("/etc/passwd")
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                let uid = f.nth(1)?.parse().ok()?;
                Some((uid, name.to_owned()))
            })
            .collect()
    });
    Some(
        users
            .iter()
            .find(|(u, _)| *u == uid)
            .map_or_else(|| uid.to_string(), |(_, n)| n.clone()),
    )
}

#[cfg(not(unix))]
fn owner_of(_meta: &std::fs::Metadata) -> Option<String> {
    None
}

fn summarise(
    files: &[FileResult],
    problems: &[WalkProblem],
    bytes: u64,
    took: Duration,
) -> Summary {
    let mut findings = BTreeMap::new();
    let mut ind = std::collections::HashSet::new();
    let mut corp = std::collections::HashSet::new();
    for f in files {
        for x in &f.scan.findings {
            let k = format!(
                "{}_{}",
                x.finding.kind.key(),
                confidence_key(x.finding.confidence)
            );
            *findings.entry(k).or_default() += 1;
            match x.finding.kind {
                Kind::Individual => ind.insert(x.finding.hash.prefix_u64()),
                Kind::Corporate => corp.insert(x.finding.hash.prefix_u64()),
            };
        }
    }
    Summary {
        files_scanned: files.iter().filter(|f| !f.reused).count() as u64,
        files_reused: files.iter().filter(|f| f.reused).count() as u64,
        bytes_read: bytes,
        seconds: (took.as_secs_f64() * 1000.0).round() / 1000.0,
        files_with_individual_numbers: files.iter().filter(|f| f.distinct_individual > 0).count()
            as u64,
        files_with_corporate_numbers: files.iter().filter(|f| f.distinct_corporate > 0).count()
            as u64,
        distinct_individual_numbers: ind.len(),
        distinct_corporate_numbers: corp.len(),
        findings,
        not_scanned: problems.len()
            + files
                .iter()
                .map(|f| f.scan.not_scanned.len())
                .sum::<usize>(),
        past_retention: files.iter().filter(|f| f.past_retention.is_some()).count(),
    }
}

pub(crate) fn confidence_key(c: Confidence) -> &'static str {
    match c {
        Confidence::Low => "low",
        Confidence::Medium => "medium",
        Confidence::High => "high",
    }
}

fn jsonl(out: &ScanOutput) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    for f in &out.files {
        for x in &f.scan.findings {
            #[derive(Serialize)]
            struct Line<'a> {
                path: &'a str,
                #[serde(skip_serializing_if = "str::is_empty")]
                member: &'a str,
                #[serde(flatten)]
                finding: &'a mamori_mynumber::Finding,
            }
            serde_json::to_writer(
                &mut buf,
                &Line {
                    path: &f.path,
                    member: &x.member,
                    finding: &x.finding,
                },
            )?;
            buf.push(b'\n');
        }
    }
    Ok(buf)
}

fn human(out: &ScanOutput) -> String {
    let mut s = String::new();
    for f in &out.files {
        if f.scan.findings.is_empty() && f.past_retention.is_none() {
            continue;
        }
        let _ = writeln!(
            s,
            "{}: 個人番号 {} 件 (distinct {}), 法人番号 {} 件{}",
            f.path,
            f.scan
                .findings
                .iter()
                .filter(|x| x.finding.kind == Kind::Individual)
                .count(),
            f.distinct_individual,
            f.scan
                .findings
                .iter()
                .filter(|x| x.finding.kind == Kind::Corporate)
                .count(),
            f.past_retention
                .as_ref()
                .map(|r| format!(" — past retention ({r})"))
                .unwrap_or_default()
        );
        for x in &f.scan.findings {
            let member = if x.member.is_empty() {
                String::new()
            } else {
                format!("{}: ", x.member)
            };
            let _ = writeln!(
                s,
                "  {member}{}  {}  {} {} ({:?})",
                x.finding.location,
                x.finding.masked,
                x.finding.kind.key(),
                confidence_key(x.finding.confidence),
                x.finding.evidence
            );
        }
    }
    let not_scanned = out.not_scanned();
    if !not_scanned.is_empty() {
        let _ = writeln!(s, "\nnot scanned:");
        for (p, r) in &not_scanned {
            let _ = writeln!(s, "  {p}: {r}");
        }
    }
    let m = &out.summary;
    let _ = writeln!(
        s,
        "\n{} files scanned ({} unchanged since the last scan), {} bytes in {:.1} s; {} files with My Numbers ({} distinct), {} with corporate numbers; {} not scanned; {} past retention",
        m.files_scanned,
        m.files_reused,
        m.bytes_read,
        m.seconds,
        m.files_with_individual_numbers,
        m.distinct_individual_numbers,
        m.files_with_corporate_numbers,
        m.not_scanned,
        m.past_retention
    );
    s
}
