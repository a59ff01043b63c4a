//! `mamori assess`: a whole assessment from the command line — results, evidence (file, URL,
//! WLAN audit record), tampering detection, workflow with sign-off, copy-forward, reports.

use std::path::Path;
use std::process::Output;

use super::{root, stderr, stdout};

fn run(data: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(args)
        .current_dir(root())
        .env_remove("MAMORI_LANG")
        .env_remove("MAMORI_CATALOG_DIR")
        .env("MAMORI_DATA_DIR", data)
        .output()
        .unwrap()
}

fn ok(data: &Path, args: &[&str]) -> String {
    let o = run(data, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn fails(data: &Path, args: &[&str]) -> String {
    let o = run(data, args);
    assert_ne!(
        o.status.code(),
        Some(0),
        "{args:?} should fail: {}",
        stdout(&o)
    );
    stderr(&o)
}

fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(data, args)).unwrap()
}

#[test]
fn an_assessment_from_draft_to_sign_off_and_its_next_version() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.as_path();
    let v = json(
        d,
        &[
            "assess",
            "new",
            "--catalog",
            "wlan-lgwan",
            "--segment",
            "lgwan",
            "--date",
            "2026-12-01",
            "--title",
            "LGWAN 無線LAN 2026",
            "--json",
        ],
    );
    assert_eq!(v["id"], 1);
    let id = "1";

    // Bad input: clear errors, nothing stored.
    let e = fails(d, &["assess", "set", id, "LG-99", "compliant"]);
    assert!(
        e.contains("catalog `wlan-lgwan` has no requirement `LG-99`"),
        "{e}"
    );
    let e = fails(d, &["assess", "set", id, "LG-01", "ok"]);
    assert!(
        e.contains("`ok` is not a result (expected one of: compliant"),
        "{e}"
    );
    let e = fails(d, &["assess", "set", id, "LG-01", "not_applicable"]);
    assert!(e.contains("needs a justification"), "{e}");
    let e = fails(d, &["assess", "set", "7", "LG-01", "compliant"]);
    assert!(e.contains("no assessment 7"), "{e}");

    // Evidence: a file, checked and stored by hash; empty and wrong-type files refused.
    let pdf = dir.path().join("設定確認.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n% WPA3-Enterprise settings screenshot\n").unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    let fake = dir.path().join("fake.pdf");
    std::fs::write(&fake, b"MZ\x90\x00").unwrap();
    let e = fails(
        d,
        &[
            "assess",
            "evidence",
            "add",
            id,
            "LG-01",
            "--file",
            empty.to_str().unwrap(),
        ],
    );
    assert!(e.contains("the file is empty"), "{e}");
    let e = fails(
        d,
        &[
            "assess",
            "evidence",
            "add",
            id,
            "LG-01",
            "--file",
            fake.to_str().unwrap(),
        ],
    );
    assert!(e.contains("not a .pdf file"), "{e}");
    let ev = json(
        d,
        &[
            "assess",
            "evidence",
            "add",
            id,
            "LG-01",
            "--file",
            pdf.to_str().unwrap(),
            "--date",
            "2025-10-01",
            "--json",
        ],
    );
    let sha = ev["sha256"].as_str().unwrap().to_owned();
    assert_eq!(ev["size"], 47);
    ok(
        d,
        &[
            "assess",
            "evidence",
            "add",
            id,
            "LG-04",
            "--url",
            "https://intra.example.lg.jp/wlan/monitoring",
            "--date",
            "2026-11-20",
        ],
    );
    let e = fails(
        d,
        &[
            "assess",
            "evidence",
            "add",
            id,
            "LG-04",
            "--url",
            "javascript:alert(1)",
        ],
    );
    assert!(e.contains("is not an http(s) URL"), "{e}");

    // A WLAN access-log audit report from `mamori wlan audit` as an analyzer record.
    let report = dir.path().join("wlan-2026-11.json");
    let fx = "crates/mamori-wlan/tests/fixtures/incident";
    let o = run(
        d,
        &[
            "wlan",
            "audit",
            "--terminals",
            &format!("{fx}/terminals.csv"),
            "--staff",
            &format!("{fx}/staff.csv"),
            "--admins",
            &format!("{fx}/admins.csv"),
            "--devices",
            &format!("{fx}/devices.csv"),
            "--log",
            &format!("{fx}/radius01-postauth.jsonl"),
            "--from",
            "2026-11-23T08:00:00+09:00",
            "--to",
            "2026-11-23T20:00:00+09:00",
            "--report",
            report.to_str().unwrap(),
            "--quiet",
        ],
    );
    assert!(report.exists(), "{}", stderr(&o));
    ok(
        d,
        &[
            "assess",
            "evidence",
            "add",
            id,
            "LG-04",
            "--record",
            &format!("wlan-audit={}", report.display()),
            "--date",
            "2026-11-25",
        ],
    );
    let e = fails(
        d,
        &[
            "assess",
            "evidence",
            "add",
            id,
            "LG-04",
            "--record",
            &format!("wlan-audit={}", pdf.display()),
        ],
    );
    assert!(
        e.contains("(no summary and findings)") || e.contains("not a JSON report"),
        "{e}"
    );

    // Results, remediation, status.
    for i in 1..=13 {
        let item = format!("LG-{i:02}");
        let result = match i {
            5 => "not_applicable",
            4 => "partial",
            _ => "compliant",
        };
        ok(
            d,
            &[
                "assess",
                "set",
                id,
                &item,
                result,
                "--comment",
                "IDS は当面不要と判断",
            ],
        );
    }
    ok(
        d,
        &[
            "assess",
            "remediate",
            id,
            "LG-04",
            "--action",
            "ログ分析の自動化",
            "--owner",
            "情報政策課",
            "--due",
            "2027-03-31",
            "--status",
            "in_progress",
        ],
    );
    let st = json(d, &["assess", "status", id, "--json"]);
    assert_eq!(st["overall"], "compliant", "LG-04 is only recommended");
    assert_eq!(st["gaps"].as_array().unwrap().len(), 1);
    assert_eq!(st["gaps"][0]["item"], "LG-04");
    // The PDF from 2025-10-01 is older than 365 days on 2026-12-01.
    assert_eq!(st["stale_evidence"].as_array().unwrap().len(), 1);
    let evid = st["assessment"]["results"]["LG-04"]["evidence"][1]["note"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(evid.starts_with("WLAN access-log audit"), "{evid}");
    assert!(evid.contains("high-severity findings"), "{evid}");

    // Tampering with the stored evidence is detected on the way out.
    let out = dir.path().join("out.pdf");
    ok(
        d,
        &[
            "assess",
            "evidence",
            "get",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&pdf).unwrap());
    let stored = data.join("evidence").join(&sha[..2]).join(&sha);
    let original = std::fs::read(&stored).unwrap();
    std::fs::write(&stored, b"%PDF-1.7\n% something else entirely!!!!!!!!!\n").unwrap();
    let e = fails(
        d,
        &[
            "assess",
            "evidence",
            "get",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(e.contains("has been altered"), "{e}");
    assert_eq!(
        run(d, &["assess", "evidence", "verify"]).status.code(),
        Some(1)
    );
    std::fs::write(&stored, &original).unwrap();
    assert_eq!(
        run(d, &["assess", "evidence", "verify"]).status.code(),
        Some(0)
    );

    // Workflow: review, then sign-off by a security officer only.
    ok(d, &["assess", "status", id, "--to", "in_review"]);
    let e = fails(d, &["assess", "set", id, "LG-01", "partial"]);
    assert!(e.contains("in review"), "{e}");
    ok(
        d,
        &[
            "user", "add", "sato", "--name", "佐藤", "--role", "assessor",
        ],
    );
    ok(
        d,
        &[
            "user",
            "add",
            "tanaka",
            "--name",
            "田中",
            "--role",
            "security-officer",
        ],
    );
    let e = fails(d, &["assess", "status", id, "--to", "signed_off"]);
    assert!(e.contains("--signer USERNAME is required"), "{e}");
    let e = fails(
        d,
        &[
            "assess",
            "status",
            id,
            "--to",
            "signed_off",
            "--signer",
            "sato",
        ],
    );
    assert!(e.contains("may not sign off"), "{e}");
    let st = json(
        d,
        &[
            "assess",
            "status",
            id,
            "--to",
            "signed_off",
            "--signer",
            "tanaka",
            "--json",
        ],
    );
    assert_eq!(st["assessment"]["state"], "signed_off");
    assert_eq!(st["assessment"]["signed_by"], "tanaka (cli)");
    let e = fails(d, &["assess", "set", id, "LG-04", "compliant"]);
    assert!(e.contains("locked"), "{e}");

    // Reports in every format.
    for ext in ["json", "xlsx", "docx", "html"] {
        let p = dir.path().join(format!("report.{ext}"));
        ok(
            d,
            &[
                "assess",
                "report",
                id,
                "--out",
                p.to_str().unwrap(),
                "--date",
                "2026-12-04",
            ],
        );
        assert!(std::fs::metadata(&p).unwrap().len() > 500, "{ext}");
    }
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("令和8年12月1日"), "the 和暦 assessment date");
    let e = fails(
        d,
        &[
            "assess",
            "report",
            id,
            "--out",
            dir.path().join("r.pdf").to_str().unwrap(),
        ],
    );
    assert!(
        e.contains("name a .xlsx, .docx, .html or .json file"),
        "{e}"
    );

    // Copy-forward: version 2, a draft with the evidence references.
    ok(d, &["assess", "new", "--from", id, "--date", "2027-12-01"]);
    let st = json(d, &["assess", "status", "2", "--json"]);
    assert_eq!(st["assessment"]["version_no"], 2);
    assert_eq!(st["assessment"]["previous"], 1);
    assert_eq!(st["assessment"]["state"], "draft");
    assert_eq!(
        st["assessment"]["results"]["LG-01"]["evidence"][0]["file"]["sha256"],
        sha.as_str()
    );
    // On 2027-12-01 the evidence from 2026-11-20 is stale as well.
    assert_eq!(st["stale_evidence"].as_array().unwrap().len(), 3);
    // Only a signed-off version is carried forward, and only once.
    let e = fails(d, &["assess", "new", "--from", "2"]);
    assert!(
        e.contains("only a signed-off assessment can be carried forward"),
        "{e}"
    );
    let e = fails(d, &["assess", "new", "--from", id]);
    assert!(
        e.contains("a newer version has already been started"),
        "{e}"
    );
    let list = ok(d, &["assess", "list"]);
    assert_eq!(list.lines().count(), 2, "{list}");

    // The application audit trail holds every change and is intact.
    let o = run(d, &["audit", "verify", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["application"]["intact"], true, "{v}");
    assert!(v["application"]["entries"].as_u64().unwrap() > 20);
}
