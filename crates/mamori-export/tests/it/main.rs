//! Rendering tests: golden files for Markdown and JSON, real-application checks for docx/xlsx.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod assess;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use mamori_catalog::{CatalogSet, Lang};
use mamori_export::{SpecFormat, render_spec};
use mamori_sbd::{DecisionTable, Profile, decide};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn worked_example() -> DecisionTable {
    let path = root().join("examples/gyosei-joho-teikyo.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let profile = Profile::from_toml("examples/gyosei-joho-teikyo.toml", &text).unwrap();
    let set = CatalogSet::builtin().unwrap();
    decide(set.get("sbd").unwrap(), &profile).unwrap()
}

fn date() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 23)
}

/// Compares with a committed golden file; `UPDATE_GOLDEN=1` rewrites it (never in CI).
fn golden(name: &str, actual: &[u8]) {
    let path = root().join("examples/output").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() && std::env::var_os("CI").is_none() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let exp = String::from_utf8_lossy(&expected);
        let act = String::from_utf8_lossy(actual);
        let first = exp.lines().zip(act.lines()).position(|(a, b)| a != b);
        panic!(
            "{} differs from the rendering (first differing line {:?}):\n--- golden\n{}\n+++ actual\n{}\n(UPDATE_GOLDEN=1 rewrites it after review)",
            path.display(),
            first.map(|i| i + 1),
            first.and_then(|i| exp.lines().nth(i)).unwrap_or("<end>"),
            first.and_then(|i| act.lines().nth(i)).unwrap_or("<end>"),
        );
    }
}

#[test]
fn markdown_golden_ja_and_en() {
    let t = worked_example();
    golden(
        "gyosei-joho-teikyo.spec.ja.md",
        &render_spec(&t, SpecFormat::Markdown, Lang::Ja, date()).unwrap(),
    );
    golden(
        "gyosei-joho-teikyo.spec.en.md",
        &render_spec(&t, SpecFormat::Markdown, Lang::En, date()).unwrap(),
    );
}

#[test]
fn json_golden() {
    let t = worked_example();
    let bytes = render_spec(&t, SpecFormat::Json, Lang::Ja, date()).unwrap();
    golden("gyosei-joho-teikyo.spec.ja.json", &bytes);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let reqs: Vec<&serde_json::Value> = v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["requirements"].as_array().unwrap())
        .collect();
    assert_eq!(reqs.len(), 24);
    assert_eq!(reqs[0]["id"], "AT-1-1");
    assert_eq!(reqs[0]["recommended_level"], "middle");
    assert_eq!(reqs[0]["chosen_level"], "low");
    assert_eq!(v["open_placeholders"][0]["requirement"], "AU-1-1");
    assert_eq!(v["date_wareki"], "2026-11-23（令和8年11月23日）");
}

#[test]
fn markdown_marks_and_lists_open_placeholders_and_uses_fills() {
    let mut t = worked_example();
    let md = String::from_utf8(render_spec(&t, SpecFormat::Markdown, Lang::Ja, date()).unwrap())
        .unwrap();
    assert!(md.contains("**［要記入：記録の保存期間］**"), "{md}");
    assert!(md.contains("- AU-1-1 証跡の蓄積・管理: ［要記入：記録の保存期間］"));
    // Omitted requirements are not in the text but are in the decision table with the reason.
    assert!(!md.contains("#### AT-2-2"));
    assert!(md.contains(
        "| AT-2-2 | マルウェア対策の管理 | A or B | A=○, B=× → ○ | 高位 | **省略**（変更） |"
    ));
    // A filled placeholder is printed as its value and no longer listed.
    let row = t.rows.iter_mut().find(|r| r.id == "AU-1-1").unwrap();
    row.fills.insert("記録の保存期間".into(), "5年間".into());
    let md = String::from_utf8(render_spec(&t, SpecFormat::Markdown, Lang::Ja, date()).unwrap())
        .unwrap();
    assert!(md.contains("5年間保存すること。"), "{md}");
    assert!(md.contains("記入が必要な箇所はない。"));
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// LibreOffice is installed by `.ci/run`. Outside CI a machine without it skips with a notice;
/// in CI (CI=true) its absence fails the test.
fn soffice() -> Option<&'static str> {
    for bin in ["soffice", "libreoffice"] {
        if Command::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(bin);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "LibreOffice (soffice) is required in CI: .ci/run installs it"
    );
    eprintln!("note: LibreOffice not installed; skipping the conversion check");
    None
}

#[test]
fn docx_is_a_real_word_document_that_libreoffice_converts() {
    let t = worked_example();
    let bytes = render_spec(&t, SpecFormat::Docx, Lang::Ja, date()).unwrap();
    let doc = zip_entry(&bytes, "word/document.xml");
    assert!(doc.contains("AT-1-1 通信経路の分離【低位】"));
    assert!(
        doc.contains(r#"<w:pStyle w:val="Heading1" />"#)
            || doc.contains(r#"<w:pStyle w:val="Heading1"/>"#),
        "headings are styled"
    );
    assert!(doc.contains("<w:tbl>"), "has tables");
    assert!(doc.contains("要記入：記録の保存期間"));
    assert!(
        doc.contains(r#"w:highlight w:val="yellow""#),
        "placeholders highlighted"
    );
    let styles = zip_entry(&bytes, "word/styles.xml");
    assert!(styles.contains("heading 1"));

    let Some((dir, text)) = docx_to_pdf(&bytes, "spec") else {
        return;
    };
    let pdf = dir.path().join("spec.pdf");
    if let Some(text) = text {
        assert!(text.contains("AT-1-1"), "PDF text lacks requirement IDs");
        assert!(
            text.contains("通信経路の分離"),
            "PDF text lacks Japanese requirement names"
        );
    }
    let keep = root().join("target/test-artifacts");
    if std::fs::create_dir_all(&keep).is_ok() {
        let _ = std::fs::copy(&pdf, keep.join("gyosei-joho-teikyo.spec.pdf"));
    }
}

/// Converts a .docx with LibreOffice into `<dir>/<stem>.pdf` (asserting it is a PDF) and, when
/// poppler's pdftotext is there (`.ci/run` installs it), returns its text. `None` without
/// LibreOffice outside CI.
fn docx_to_pdf(bytes: &[u8], stem: &str) -> Option<(tempfile::TempDir, Option<String>)> {
    let bin = soffice()?;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(format!("{stem}.docx"));
    std::fs::write(&input, bytes).unwrap();
    let profile_dir = dir.path().join("lo-profile");
    let out = Command::new(bin)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile_dir.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&input)
        .output()
        .unwrap();
    let pdf = dir.path().join(format!("{stem}.pdf"));
    assert!(
        pdf.exists(),
        "LibreOffice did not convert the docx: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read(&pdf).unwrap().starts_with(b"%PDF"),
        "not a PDF"
    );
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    Some((dir, text))
}

/// The WLAN review report of the incident fixture (mamori-wlan's multi-source test data).
fn wlan_incident_report() -> mamori_wlan::audit::Report {
    use mamori_wlan::audit::{Auditor, Config, Registers};
    use mamori_wlan::{Format, register, time::LocalTime};
    let dir = root().join("crates/mamori-wlan/tests/fixtures/incident");
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    let reg = Registers {
        terminals: register::terminals("terminals.csv", &read("terminals.csv")).unwrap(),
        staff: register::staff("staff.csv", &read("staff.csv")).unwrap(),
        admins: register::admins("admins.csv", &read("admins.csv")).unwrap(),
        devices: register::devices("devices.csv", &read("devices.csv")).unwrap(),
    };
    let mut a = Auditor::new(
        Config {
            from: Some("2026-11-23T08:00:00+09:00".parse().unwrap()),
            to: Some("2026-11-23T20:00:00+09:00".parse().unwrap()),
            ..Config::default()
        },
        reg,
    );
    for (name, format) in [
        ("radius01-postauth.jsonl", Format::Linelog),
        ("wlc01-syslog.log", Format::Cisco),
    ] {
        let src = a.source(name, format);
        let mut p = format.parser(LocalTime::tokyo(2026));
        mamori_wlan::read_log(&mut a, src, name, p.as_mut(), read(name).as_slice(), |_| {})
            .unwrap();
    }
    a.finish()
}

#[test]
fn the_wlan_report_docx_converts_and_reads_back() {
    let r = wlan_incident_report();
    let tz = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
    let bytes = mamori_export::wlan_report_docx(&r, &tz, date()).unwrap();
    let xml = zip_entry(&bytes, "word/document.xml");
    assert!(xml.contains("無線LANアクセスログ確認結果"));
    let Some((_dir, text)) = docx_to_pdf(&bytes, "wlan") else {
        return;
    };
    if let Some(text) = text {
        // pdftotext puts spaces between scripts (`無線 LAN アクセスログ`) and breaks lines.
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for needle in [
            "無線LANアクセスログ確認結果",
            "未登録端末の接続",
            "総括責任者",
            "MACAA-BB-CC-DD-EE",
        ] {
            assert!(flat.contains(needle), "PDF text lacks {needle}: {text}");
        }
    }
}

#[test]
fn xlsx_checklist_reads_back_with_filters_and_frozen_header() {
    use calamine::{Reader, Xlsx};
    let t = worked_example();
    let bytes = render_spec(&t, SpecFormat::Xlsx, Lang::Ja, date()).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["チェックリスト", "判断条件", "記入が必要な箇所"]
    );
    let range = wb.worksheet_range("チェックリスト").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 25);
    assert_eq!(
        rows[0],
        [
            "ID",
            "対策区分",
            "対策要件",
            "判断条件",
            "判断",
            "推奨レベル",
            "採用レベル",
            "変更理由",
            "仕様記載内容"
        ]
    );
    assert_eq!(
        rows[1][..7],
        [
            "AT-1-1",
            "AT 侵害対策",
            "通信経路の分離",
            "A or F",
            "A=○, F=× → ○",
            "中位",
            "低位"
        ]
    );
    assert!(!rows[1][7].is_empty(), "override justification");
    let au = rows.iter().find(|r| r[0] == "AU-1-1").unwrap();
    assert!(au[8].contains("[記録の保存期間]"));
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<autoFilter ref="A1:I25"/>"#),
        "filter on the header"
    );
    assert!(sheet.contains(r#"state="frozen""#), "frozen header");
    let placeholders = wb.worksheet_range("記入が必要な箇所").unwrap();
    assert_eq!(placeholders.rows().nth(1).unwrap()[0].to_string(), "AU-1-1");
}
