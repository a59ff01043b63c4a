//! `mamori wlan audit`: reconcile WLAN authentication logs with the registers.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use mamori_wlan::audit::{Auditor, Config, FileReport, Registers, Report, Severity};
use mamori_wlan::time::LocalTime;
use mamori_wlan::{Format, register};
use sha2::{Digest, Sha256};

use crate::EXIT_FINDINGS;
use crate::args::WlanAuditArgs;

/// Counts and hashes the bytes read through it (the file as stored, before decompression).
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn is_gz(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// The first lines of a file (decompressed), to recognise its format.
fn first_lines(path: &Path) -> anyhow::Result<Vec<String>> {
    let f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let r: Box<dyn Read> = if is_gz(path) {
        Box::new(flate2::read::MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    };
    let mut out = Vec::new();
    for line in BufReader::new(r.take(256 * 1024)).split(b'\n').take(40) {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        out.push(String::from_utf8_lossy(&line).trim_end().to_owned());
    }
    Ok(out)
}

/// `[FORMAT:]PATH`; a directory stands for the files in it (rotations: `radius.log`,
/// `radius.log.1`, `radius.log.2.gz`, … read oldest first).
/// One `--log`: the format when named, the source's own time zone when given
/// (`cisco@UTC:PATH`), the label and its files.
struct LogSpec {
    format: Option<Format>,
    tz: Option<jiff::tz::TimeZone>,
    label: String,
    files: Vec<PathBuf>,
}

fn expand(spec: &str) -> anyhow::Result<LogSpec> {
    // `FORMAT[@ZONE]:PATH`; anything else is a path (which may itself contain `:`).
    let known = || {
        Format::ALL
            .iter()
            .map(|f| f.key())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (format, tz, path) = match spec.split_once(':') {
        Some((head, path)) => {
            let (f, zone) = head
                .split_once('@')
                .map_or((head, None), |(f, z)| (f, Some(z)));
            match Format::parse(f) {
                Some(format) => {
                    let tz = zone
                        .map(|z| {
                            jiff::tz::TimeZone::get(z)
                                .with_context(|| format!("--log {spec}: unknown time zone {z:?}"))
                        })
                        .transpose()?;
                    (Some(format), tz, path)
                }
                None if !head.contains(['/', '\\', '.']) => {
                    bail!("--log {spec}: unknown format {f:?} (known: {})", known())
                }
                None => (None, None, spec),
            }
        }
        None => (None, None, spec),
    };
    let p = PathBuf::from(path);
    let meta = std::fs::metadata(&p).with_context(|| format!("--log {path}: cannot read"))?;
    let mut files = if meta.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&p)
            .with_context(|| format!("cannot list {path}"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        // Rotations: a higher number is older; the unnumbered file is the newest.
        v.sort_by_key(|f| {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            rotation_order(&name)
        });
        v
    } else {
        vec![p]
    };
    if files.is_empty() {
        bail!("--log {path}: no files");
    }
    files.dedup();
    Ok(LogSpec {
        format,
        tz,
        label: path.to_owned(),
        files,
    })
}

/// Oldest first: numbered rotations (`radius.log.2.gz` before `radius.log.1`), then dated
/// ones (logrotate `dateext`: `radius.log-20261108.gz`, by date), then the live file.
fn rotation_order(name: &str) -> (u8, i64, String) {
    let stem = name.trim_end_matches(".gz");
    if let Some(n) = stem.rsplit('.').next().and_then(|x| x.parse::<i64>().ok())
        && n < 10_000
    {
        return (0, -n, name.to_owned());
    }
    let date = stem
        .rsplit(['-', '_', '.'])
        .next()
        .filter(|d| d.len() >= 8 && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse::<i64>().ok());
    match date {
        Some(d) => (1, d, name.to_owned()),
        None => (2, 0, name.to_owned()),
    }
}

/// A date (`2026-11-01`: its local midnight; for `--to`, the end of that day) or RFC 3339.
fn period_bound(s: &str, tz: &jiff::tz::TimeZone, end: bool) -> anyhow::Result<jiff::Timestamp> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    let d: jiff::civil::Date = s
        .parse()
        .with_context(|| format!("{s:?} is neither a date (YYYY-MM-DD) nor an RFC 3339 time"))?;
    let d = if end { d.tomorrow()? } else { d };
    Ok(d.to_zoned(tz.clone())?.timestamp())
}

fn duration(s: &str, what: &str) -> anyhow::Result<jiff::SignedDuration> {
    s.parse::<jiff::SignedDuration>()
        .with_context(|| format!("{what} {s:?}: use e.g. 90m, 2h, 1h30m"))
}

pub(crate) fn audit(args: WlanAuditArgs) -> anyhow::Result<u8> {
    let tz = jiff::tz::TimeZone::get(&args.tz).with_context(|| format!("--tz {}", args.tz))?;
    let from = args
        .from
        .as_deref()
        .map(|s| period_bound(s, &tz, false))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|s| period_bound(s, &tz, true))
        .transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        bail!("--from must be before --to");
    }
    let year = from
        .or(to)
        .map(|t| t.to_zoned(tz.clone()).year())
        .unwrap_or_else(|| {
            crate::audit_log::now_rfc3339()
                .get(..4)
                .and_then(|y| y.parse().ok())
                .unwrap_or(2026)
        });
    let read = |p: &Path| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()));
    let name = |p: &Path| p.display().to_string();
    let mut reg = Registers {
        terminals: register::terminals(&name(&args.terminals), &read(&args.terminals)?)?,
        ..Registers::default()
    };
    if let Some(p) = &args.staff {
        reg.staff = register::staff(&name(p), &read(p)?)?;
    }
    if let Some(p) = &args.admins {
        reg.admins = register::admins(&name(p), &read(p)?)?;
    }
    if let Some(p) = &args.devices {
        reg.devices = register::devices(&name(p), &read(p)?)?;
    }
    let config = Config {
        from,
        to,
        failure_threshold: args.failures,
        failure_window: duration(&args.failure_window, "--failure-window")?,
        max_gap: duration(&args.max_gap, "--max-gap")?,
        ..Config::default()
    };
    let table_map = match &args.table_map {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            Some(
                mamori_wlan::parse::table::TableMap::from_toml(&name(p), &text)
                    .map_err(anyhow::Error::msg)?,
            )
        }
        None => None,
    };
    let mut auditor = Auditor::new(config, reg);

    let sources = args
        .logs
        .iter()
        .map(|s| expand(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let total: u64 = sources
        .iter()
        .flat_map(|spec| &spec.files)
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new(total);
        pb.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    });
    for LogSpec {
        format,
        tz: source_tz,
        label,
        files,
    } in sources
    {
        let format = match format {
            Some(f) => f,
            None => {
                let lines = first_lines(&files[0])?;
                let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
                Format::detect(&refs).with_context(|| {
                    format!(
                        "{}: format not recognised; name it: --log FORMAT:{label} ({})",
                        files[0].display(),
                        Format::ALL
                            .iter()
                            .map(|f| f.key())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?
            }
        };
        let src = auditor.source(&label, format);
        let zone = source_tz.unwrap_or_else(|| tz.clone());
        // Syslog stamps without a year are read in the year nearest the period's middle.
        let middle = match (from, to) {
            (Some(f), Some(t)) => Some(f + f.duration_until(t) / 2),
            (f, t) => f.or(t),
        };
        let clock = LocalTime::new(zone, year).with_reference(middle);
        let mut parser: Box<dyn mamori_wlan::Parser> = match (&table_map, format) {
            (Some(map), Format::Table) => Box::new(mamori_wlan::parse::table::Table::with_map(
                clock,
                map.clone(),
            )),
            _ => format.parser(clock),
        };
        for path in files {
            let shown = path.display().to_string();
            if let Some(pb) = &bar {
                pb.set_message(shown.clone());
            }
            let file = File::open(&path).with_context(|| format!("cannot open {shown}"))?;
            let mut hashing = Hashing {
                inner: file,
                hash: Sha256::new(),
                bytes: 0,
            };
            let lines = {
                let reader: Box<dyn BufRead> = if is_gz(&path) {
                    Box::new(BufReader::with_capacity(
                        256 * 1024,
                        flate2::read::MultiGzDecoder::new(&mut hashing),
                    ))
                } else {
                    Box::new(BufReader::with_capacity(256 * 1024, &mut hashing))
                };
                let mut last = 0u64;
                mamori_wlan::read_log(&mut auditor, src, &shown, parser.as_mut(), reader, |n| {
                    last += n;
                    if last >= 1 << 20 {
                        if let Some(pb) = &bar {
                            pb.inc(last);
                        }
                        last = 0;
                    }
                })
                .with_context(|| format!("cannot read {shown}"))?
            };
            // Whatever the decompressor did not need still belongs to the file's hash.
            std::io::copy(&mut hashing, &mut std::io::sink())?;
            auditor.file_done(
                src,
                FileReport {
                    path: shown,
                    sha256: hashing
                        .hash
                        .finalize()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect(),
                    bytes: hashing.bytes,
                    lines,
                },
            );
        }
    }
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    let report = auditor.finish();
    if let Some(path) = &args.report {
        let date = match &args.date {
            Some(d) => d
                .parse()
                .with_context(|| format!("--date {d}: use YYYY-MM-DD"))?,
            None => crate::audit_log::now_rfc3339()
                .get(..10)
                .and_then(|d| d.parse().ok())
                .context("cannot read today's date")?,
        };
        let bytes = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::to_vec_pretty(&report)?,
            Some("xlsx") => mamori_export::wlan_report_xlsx(&report, &tz, date)?,
            Some("docx") => mamori_export::wlan_report_docx(&report, &tz, date)?,
            _ => bail!(
                "--report {}: name a .xlsx, .docx or .json file",
                path.display()
            ),
        };
        crate::output::write_atomic(path, &bytes)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_human(&report, &tz);
    }
    Ok(match report.highest() {
        Some(Severity::High) => EXIT_FINDINGS,
        _ => 0,
    })
}

fn print_human(r: &Report, tz: &jiff::tz::TimeZone) {
    let local = |t: jiff::Timestamp| {
        t.to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    println!("無線LANアクセスログ確認結果 / WLAN access-log review");
    if let (Some(f), Some(t)) = (r.summary.period_from, r.summary.period_to) {
        println!(
            "period: {} – {} ({})",
            local(f),
            local(t),
            tz.iana_name().unwrap_or("local")
        );
    }
    for s in &r.sources {
        println!(
            "source {} ({}): {} records, {} malformed, {} outside the period",
            s.name,
            s.format.key(),
            s.records,
            s.malformed,
            s.outside_period
        );
        for f in &s.files {
            println!("  {}  sha256 {}", f.path, f.sha256);
        }
        for m in &s.malformed_examples {
            println!("  malformed: {m}");
        }
    }
    println!(
        "terminals: {} registered, {} active, {} seen",
        r.summary.terminals_registered, r.summary.terminals_active, r.summary.terminals_seen
    );
    if r.findings.is_empty() {
        println!("no findings");
    }
    for f in &r.findings {
        let sev = serde_json::to_value(f.severity)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let subject = serde_json::to_string(&f.subject).unwrap_or_default();
        let when = match (f.first_seen, f.last_seen) {
            (Some(a), Some(b)) if a == b => format!(" at {}", local(a)),
            (Some(a), Some(b)) => format!(" {} – {}", local(a), local(b)),
            _ => String::new(),
        };
        println!(
            "[{sev}] {} {subject}: {} (×{}){when}",
            f.kind.key(),
            f.detail,
            f.count
        );
        for e in &f.evidence {
            println!("    {}:{}", e.path, e.line);
        }
        if f.evidence_total > f.evidence.len() as u64 {
            println!("    … {} references in all", f.evidence_total);
        }
    }
    println!(
        "conclusion: {}",
        if r.summary.conclusion_ok {
            "only registered terminals with EAP-TLS and designated administrators (no high findings)"
        } else {
            "NOT proven: see the high findings above"
        }
    );
}

#[cfg(test)]
mod tests {
    use super::rotation_order;

    #[test]
    fn rotations_sort_oldest_first() {
        let mut v = vec![
            "radius.log",
            "radius.log.1",
            "radius.log.2.gz",
            "postauth.log-20261108.gz",
            "postauth.log-20261107.gz",
            "radius.log.10.gz",
        ];
        v.sort_by_key(|n| rotation_order(n));
        assert_eq!(
            v,
            [
                "radius.log.10.gz",
                "radius.log.2.gz",
                "radius.log.1",
                "postauth.log-20261107.gz",
                "postauth.log-20261108.gz",
                "radius.log",
            ]
        );
    }
}
