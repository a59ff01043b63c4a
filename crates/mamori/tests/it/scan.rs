//! `mamori scan` on the synthetic corpus of every format: recall, false positives, reasons for
//! files not scanned, incremental rescans, and that no full number ever leaves mamori.

use std::collections::BTreeSet;
use std::path::Path;

use super::{mamori_in, stderr, stdout};

/// Every 12-digit run (ASCII or full-width digits, optionally 4-4-4 with `-`/space) with a
/// valid check digit, bounded by characters that are not letters or digits. Written
/// independently of the scanner, to audit its outputs.
pub fn full_numbers_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let digit = |c: char| {
        c.to_digit(10).or_else(|| {
            ('０'..='９')
                .contains(&c)
                .then(|| u32::from(c) - u32::from('０'))
        })
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let mut ds = Vec::new();
        while i < chars.len() {
            if let Some(d) = digit(chars[i]) {
                ds.push(d);
                i += 1;
            } else if matches!(chars[i], '-' | ' ' | '－')
                && i + 1 < chars.len()
                && digit(chars[i + 1]).is_some()
                && ds.len() % 4 == 0
                && ds.len() < 12
            {
                i += 1;
            } else {
                break;
            }
        }
        let before_ok = start == 0 || !chars[start - 1].is_alphanumeric();
        let after_ok = i >= chars.len() || !chars[i].is_alphanumeric();
        if ds.len() == 12 && before_ok && after_ok {
            let s: u32 = ds[..11]
                .iter()
                .zip([6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
                .map(|(d, w)| d * w)
                .sum();
            let check = if s % 11 <= 1 { 0 } else { 11 - s % 11 };
            if check == ds[11] {
                found.push(chars[start..i].iter().collect());
            }
        }
    }
    found
}

/// `mamori --data-dir DATA scan TARGET --json --no-state EXTRA...`, parsed.
fn scan_json(data: &Path, target: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "--data-dir",
        data.to_str().unwrap(),
        "scan",
        target.to_str().unwrap(),
        "--json",
        "--no-state",
    ];
    args.extend_from_slice(extra);
    let o = mamori_in(Path::new("."), &args);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)))
}

#[test]
fn the_auditor_itself_finds_numbers() {
    assert_eq!(full_numbers_in("x 621498320257 y"), ["621498320257"]);
    assert_eq!(full_numbers_in("\"6214-9832-0257\""), ["6214-9832-0257"]);
    assert!(full_numbers_in("********0257 hash 621498320258 a621498320257").is_empty());
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Key {
    file: String,
    member: String,
    location: String,
    kind: String,
    confidence: String,
    last4: String,
}

fn location_string(v: &serde_json::Value) -> String {
    match v["at"].as_str().unwrap_or("") {
        "line" => format!("{}:{}", v["line"], v["column"]),
        "cell" => format!(
            "{}!{}",
            v["sheet"].as_str().unwrap(),
            v["cell"].as_str().unwrap()
        ),
        "part" => format!("{}#p{}", v["part"].as_str().unwrap(), v["paragraph"]),
        "page" => format!("page {}", v["page"]),
        other => panic!("unknown location {other}"),
    }
}

#[test]
fn corpus_recall_false_positives_and_no_leaks() {
    let corpus = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let manifest = xtask::corpus::write_corpus(corpus.path()).unwrap();
    std::fs::remove_file(corpus.path().join("expected.json")).unwrap();
    let dir = corpus.path().to_str().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let report = data.path().join("report.xlsx");
    let jsonl = data.path().join("findings.jsonl");
    let o = mamori_in(
        Path::new("."),
        &[
            "--data-dir",
            data_dir,
            "scan",
            dir,
            "--json",
            "--report",
            report.to_str().unwrap(),
            "--jsonl",
            jsonl.to_str().unwrap(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "findings → exit 1; stderr: {}",
        stderr(&o)
    );
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    let mut got = BTreeSet::new();
    for f in out["files"].as_array().unwrap() {
        let rel = f["path"]
            .as_str()
            .unwrap()
            .strip_prefix(dir)
            .unwrap()
            .trim_start_matches('/')
            .to_owned();
        for x in f["findings"].as_array().unwrap() {
            got.insert(Key {
                file: rel.clone(),
                member: x["member"].as_str().unwrap().to_owned(),
                location: location_string(&x["location"]),
                kind: x["kind"].as_str().unwrap().to_owned(),
                confidence: x["confidence"].as_str().unwrap().to_owned(),
                last4: x["masked"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .rev()
                    .take(4)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect(),
            });
        }
    }
    let expected: BTreeSet<Key> = manifest
        .findings
        .iter()
        .map(|e| Key {
            file: e.file.clone(),
            member: e.member.clone(),
            location: e.location.clone(),
            kind: e.kind.to_owned(),
            confidence: e.confidence.to_owned(),
            last4: e.last4.clone(),
        })
        .collect();
    let missed: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed (recall):\n{missed:#?}\nfalse positives:\n{extra:#?}"
    );
    assert_eq!(expected.len(), 58);

    // Per format: every format contributed findings.
    for file in [
        "notes_utf8.txt",
        "notes_sjis.txt",
        "notes_eucjp.txt",
        "notes_utf16.txt",
        "staff_sjis.csv",
        "book.xlsx",
        "letter.docx",
        "slides.pptx",
        "roster.ods",
        "form.pdf",
        "nested/archive.zip",
    ] {
        assert!(got.iter().any(|k| k.file == file), "no findings in {file}");
    }

    // Files not scanned, with their reasons; the scan went on.
    let mut reasons = Vec::new();
    for f in out["files"].as_array().unwrap() {
        let rel = f["path"]
            .as_str()
            .unwrap()
            .strip_prefix(dir)
            .unwrap()
            .trim_start_matches('/')
            .to_owned();
        for n in f["not_scanned"].as_array().unwrap() {
            reasons.push((
                rel.clone(),
                n["member"].as_str().unwrap().to_owned(),
                n["reason"].as_str().unwrap().to_owned(),
            ));
        }
    }
    for skip in &manifest.not_scanned {
        assert!(
            reasons.iter().any(|(f, m, r)| *f == skip.file
                && *m == skip.member
                && r.contains(&skip.reason_contains)),
            "{skip:?} not reported; reasons: {reasons:#?}"
        );
    }
    assert_eq!(reasons.len(), manifest.not_scanned.len(), "{reasons:#?}");
    assert_eq!(out["summary"]["files_with_individual_numbers"], 11);

    // No full number in any output: stdout, stderr, JSONL, the xlsx report's text, the state
    // file and the audit log.
    let mut outputs = vec![
        ("stdout", stdout(&o)),
        ("stderr", stderr(&o)),
        ("jsonl", std::fs::read_to_string(&jsonl).unwrap()),
    ];
    outputs.push(("report.xlsx", xlsx_text(&report)));
    outputs.push((
        "scan-state.sqlite",
        String::from_utf8_lossy(&std::fs::read(data.path().join("scan-state.sqlite")).unwrap())
            .into_owned(),
    ));
    for wal in ["scan-state.sqlite-wal"] {
        if let Ok(b) = std::fs::read(data.path().join(wal)) {
            outputs.push(("wal", String::from_utf8_lossy(&b).into_owned()));
        }
    }
    let human = mamori_in(
        Path::new("."),
        &["--data-dir", data_dir, "scan", dir, "--full"],
    );
    outputs.push(("human", stdout(&human)));
    for (name, text) in &outputs {
        let leaked = full_numbers_in(text);
        assert!(
            leaked.is_empty(),
            "{name} contains full numbers: {leaked:?}"
        );
    }
    // The JSONL has one finding per line.
    assert_eq!(std::fs::read_to_string(&jsonl).unwrap().lines().count(), 58);
}

fn xlsx_text(path: &Path) -> String {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let mut s = String::new();
    for name in wb.sheet_names() {
        let r = wb.worksheet_range(&name).unwrap();
        for row in r.rows() {
            for c in row {
                s.push_str(&c.to_string());
                s.push('\t');
            }
            s.push('\n');
        }
    }
    assert!(s.contains("********"), "the report lists masked numbers");
    s
}

#[test]
fn incremental_rescan_reads_only_what_changed() {
    let corpus = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    xtask::corpus::write_corpus(corpus.path()).unwrap();
    let dir = corpus.path().to_str().unwrap();
    let d = data.path().to_str().unwrap();
    let summary = |args: &[&str]| -> serde_json::Value {
        let mut a = vec!["--data-dir", d, "scan", dir, "--json"];
        a.extend_from_slice(args);
        let o = mamori_in(Path::new("."), &a);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["summary"].clone()
    };
    let first = summary(&[]);
    assert_eq!(first["files_reused"], 0);
    // Files that could not be scanned (the five hostile ones) are tried again every time;
    // everything else is reused.
    let retried = 5;
    let second = summary(&[]);
    assert_eq!(second["files_scanned"], retried, "{second}");
    assert_eq!(
        second["files_reused"].as_u64().unwrap(),
        first["files_scanned"].as_u64().unwrap() - retried
    );
    assert_eq!(
        second["distinct_individual_numbers"],
        first["distinct_individual_numbers"]
    );
    // Change one file: only it is read again.
    let changed = corpus.path().join("notes_utf8.txt");
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text.push_str("追記\n");
    std::fs::write(&changed, text).unwrap();
    let third = summary(&[]);
    assert_eq!(third["files_scanned"], retried + 1, "{third}");
    // Touch without change (same size and content, new mtime): the content hash says unchanged.
    let f = corpus.path().join("book.xlsx");
    let bytes = std::fs::read(&f).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(&f, bytes).unwrap();
    let fourth = summary(&[]);
    assert_eq!(fourth["files_scanned"], retried, "{fourth}");
    // --full reads everything.
    let fifth = summary(&["--full"]);
    assert_eq!(fifth["files_reused"], 0);
}

#[test]
fn quarantine_and_masked_copies_are_audited() {
    let share = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let q = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    std::fs::create_dir_all(share.path().join("課/2019")).unwrap();
    // A file named after a person's number: the name must not leak either.
    let csv = share.path().join("課/2019/621498320257_名簿.csv");
    std::fs::write(
        &csv,
        "氏名,個人番号\n山田,621498320257\n佐藤,6214-9832-0257\n",
    )
    .unwrap();

    // Masked copy: the numbers replaced by their masked forms.
    let masked = share.path().join("名簿_masked.csv");
    // Scanning (with state) the file named after a number: no trace in any output.
    let o = mamori_in(
        Path::new("."),
        &["--data-dir", d, "scan", share.path().to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        full_numbers_in(&stdout(&o)).is_empty() && full_numbers_in(&stderr(&o)).is_empty(),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("********0257_名簿.csv"),
        "{}",
        stdout(&o)
    );
    for f in ["scan-state.sqlite", "scan-state.sqlite-wal"] {
        if let Ok(b) = std::fs::read(data.path().join(f)) {
            let text = String::from_utf8_lossy(&b).into_owned();
            assert!(
                !text.contains("621498320257"),
                "{f} holds the path in the clear"
            );
        }
    }
    let o = mamori_in(
        Path::new("."),
        &[
            "--data-dir",
            d,
            "scan",
            "mask",
            csv.to_str().unwrap(),
            "-o",
            masked.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&masked).unwrap();
    assert_eq!(
        text,
        "\u{feff}氏名,個人番号\n山田,********0257\n佐藤,********0257\n"
    );

    // Quarantine keeps the relative path and writes a manifest.
    let qdir = q.path().join("quarantine");
    let o = mamori_in(
        Path::new("."),
        &[
            "--data-dir",
            d,
            "scan",
            "quarantine",
            csv.to_str().unwrap(),
            "--to",
            qdir.to_str().unwrap(),
            "--base",
            share.path().to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!csv.exists());
    assert!(qdir.join("課/2019/621498320257_名簿.csv").exists());
    let manifest = std::fs::read_to_string(qdir.join("manifest.jsonl")).unwrap();
    assert!(
        manifest.contains("課/2019/********0257_名簿.csv"),
        "{manifest}"
    );
    assert!(full_numbers_in(&manifest).is_empty(), "{manifest}");

    // Both actions are in the audit log, and the chain verifies.
    let o = mamori_in(Path::new("."), &["--data-dir", d, "audit", "list"]);
    let log = stdout(&o);
    assert!(
        log.contains("scan.mask") && log.contains("scan.quarantine"),
        "{log}"
    );
    let o = mamori_in(Path::new("."), &["--data-dir", d, "audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("audit log intact: 2 entries"));

    // Tampering with the log is detected and located.
    let log_path = data.path().join("audit.jsonl");
    let text = std::fs::read_to_string(&log_path)
        .unwrap()
        .replacen("scan.mask", "scan.mosk", 1);
    std::fs::write(&log_path, text).unwrap();
    let o = mamori_in(Path::new("."), &["--data-dir", d, "audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("BROKEN at entry 1"), "{}", stdout(&o));
}

#[test]
fn mynumber_check_prints_masked_forms_only() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(["mynumber", "check"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("621498320257\n６２１４－９８３２－０２５８\n5835678256246\n".as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert_eq!(
        out,
        "line 1: ********0257 個人番号 valid\nline 2: ********0258 個人番号 invalid: check digit does not match\nline 3: *********6246 法人番号 valid\n"
    );
    assert!(full_numbers_in(&out).is_empty());
}

#[test]
#[allow(clippy::disallowed_methods)] // the file's age is set from the real clock
fn retention_rules_list_files_past_their_period() {
    let share = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(share.path().join("源泉徴収票/2015")).unwrap();
    let old = share.path().join("源泉徴収票/2015/一覧.csv");
    std::fs::write(&old, "氏名,個人番号\n山田,621498320257\n").unwrap();
    let new = share.path().join("源泉徴収票/最新.csv");
    std::fs::write(&new, "氏名,個人番号\n佐藤,123456789018\n").unwrap();
    // Eight years old.
    let eight_years = std::time::Duration::from_secs(8 * 366 * 86_400);
    let f = std::fs::File::options().write(true).open(&old).unwrap();
    f.set_modified(std::time::SystemTime::now() - eight_years)
        .unwrap();
    let v = scan_json(
        data.path(),
        share.path(),
        &["--retention", "**/源泉徴収票/**=7"],
    );
    let past: Vec<(String, serde_json::Value)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
                f["past_retention"].clone(),
            )
        })
        .collect();
    assert_eq!(
        past,
        [
            (
                "一覧.csv".to_owned(),
                serde_json::json!("**/源泉徴収票/**=7")
            ),
            ("最新.csv".to_owned(), serde_json::Value::Null)
        ]
    );
    assert_eq!(v["summary"]["past_retention"], 1);
    // A bad rule is an error naming it.
    let o = mamori_in(
        Path::new("."),
        &[
            "scan",
            share.path().to_str().unwrap(),
            "--no-state",
            "--retention",
            "**/x=seven",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--retention: `seven` in `**/x=seven` is not a number of years"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn masked_xlsx_copy_holds_no_full_number() {
    let corpus = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    xtask::corpus::write_corpus(corpus.path()).unwrap();
    let out = corpus.path().join("book_masked.xlsx");
    let o = mamori_in(
        Path::new("."),
        &[
            "--data-dir",
            data.path().to_str().unwrap(),
            "scan",
            "mask",
            corpus.path().join("book.xlsx").to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = xlsx_text(&out);
    assert!(full_numbers_in(&text).is_empty(), "{text}");
    // The sheets and the other values are kept.
    assert!(
        text.contains("山田 太郎") && text.contains("本人の個人番号"),
        "{text}"
    );
    // Scanning the masked copy finds no individual number.
    let v = scan_json(data.path(), &out, &[]);
    assert_eq!(v["summary"]["files_with_individual_numbers"], 0, "{v}");
}

/// Excel 97-2003 workbooks: the corpus workbook converted by LibreOffice (installed by
/// `.ci/run`; outside CI a machine without it skips with a notice).
#[test]
fn xls_workbooks_are_read() {
    let Some(bin) = ["soffice", "libreoffice"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "LibreOffice is required in CI"
        );
        eprintln!("note: LibreOffice not installed; skipping the .xls check");
        return;
    };
    let corpus = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let manifest = xtask::corpus::write_corpus(corpus.path()).unwrap();
    let out_dir = corpus.path().join("xls");
    let profile = corpus.path().join("lo-profile");
    let o = std::process::Command::new(bin)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "xls",
            "--outdir",
        ])
        .arg(&out_dir)
        .arg(corpus.path().join("book.xlsx"))
        .output()
        .unwrap();
    let xls = out_dir.join("book.xls");
    assert!(
        xls.exists(),
        "conversion failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = scan_json(data.path(), &xls, &[]);
    let mut got: Vec<(String, String, String)> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                location_string(&x["location"]),
                x["confidence"].as_str().unwrap().to_owned(),
                x["masked"].as_str().unwrap()[x["masked"].as_str().unwrap().len() - 4..].to_owned(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, String)> = manifest
        .findings
        .iter()
        .filter(|e| e.file == "book.xlsx")
        .map(|e| (e.location.clone(), e.confidence.to_owned(), e.last4.clone()))
        .collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn names_inside_archives_never_leak_a_number() {
    let share = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let zip = xtask::corpus::zip_bytes(&[
        (
            "621498320257_山田.csv",
            "個人番号\n465281266333\n".as_bytes(),
        ),
        ("docs/&#x36;.txt", b"x"),
    ])
    .unwrap();
    std::fs::write(share.path().join("a.zip"), zip).unwrap();
    let o = mamori_in(
        Path::new("."),
        &[
            "--data-dir",
            data.path().to_str().unwrap(),
            "scan",
            share.path().to_str().unwrap(),
            "--json",
        ],
    );
    let out = stdout(&o);
    assert!(out.contains("********0257_山田.csv"), "{out}");
    assert!(full_numbers_in(&out).is_empty(), "{out}");
    for f in ["scan-state.sqlite", "scan-state.sqlite-wal"] {
        if let Ok(b) = std::fs::read(data.path().join(f)) {
            assert!(!String::from_utf8_lossy(&b).contains("621498320257"), "{f}");
        }
    }
}
