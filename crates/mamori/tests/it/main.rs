//! End-to-end tests of the `mamori` binary: exit codes, messages, files written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

mod assess;
mod corp;
mod scan;
mod wlan;

fn mamori(args: &[&str]) -> Output {
    mamori_in(&root(), args)
}

fn mamori_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(args)
        .current_dir(dir)
        .env_remove("MAMORI_LANG")
        .env_remove("MAMORI_CATALOG_DIR")
        .env_remove("MAMORI_DATA_DIR")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn catalog_check_passes_on_builtin_catalogs() {
    let o = mamori(&["catalog", "check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("ok: sbd 2011.1 — 24 items, 6 conditions"),
        "{}",
        stdout(&o)
    );
    for line in [
        "ok: ppc-safety R7.3-draft — 9 items,",
        "ok: wlan-lgwan R7.3-draft — 13 items,",
        "ok: wlan-mynumber R7.3-draft — 26 items,",
    ] {
        assert!(stdout(&o).contains(line), "{line}: {}", stdout(&o));
    }
}

#[test]
fn catalog_check_fails_precisely_on_a_broken_overlay() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    std::fs::write(
        &file,
        "schema = 1\n[catalog]\nid = \"sbd\"\nmode = \"extend\"\n\n[[item]]\nid = \"AT-1-1\"\ngroup = \"AT-1\"\ntitle = { ja = \"通信経路の分離\", en = \"Separation\" }\ncondition = \"A or Q\"\nsource = { doc = \"nisc-sbd\", table = \"t\", item = \"AT-1-1\" }\nlevels.low = { text = { ja = \"文。\", en = \"Text.\" } }\nlevels.middle = { same_as = \"high\" }\n",
    )
    .unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    let o = mamori(&["--catalog-dir", dir_arg, "catalog", "check"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let f = file.display();
    assert!(err.contains(&format!("{f}:10:13: item[AT-1-1].condition: `Q` is not a judgment condition of catalog `sbd` (defined: A, B, C, D, E, F)")), "{err}");
    assert!(
        err.contains(&format!("{f}:7:6: item[AT-1-1].levels.high: missing")),
        "{err}"
    );
    assert!(err.contains(&format!("{f}:13:17: item[AT-1-1].levels.middle.same_as: must name a lower level than `middle`, not `high`")), "{err}");
    assert!(err.contains("catalog check failed: 3 problem(s)"), "{err}");
    // Other commands refuse to run on invalid catalogs, with the same message.
    let o = mamori(&["--catalog-dir", dir_arg, "sbd", "questions"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("item[AT-1-1].condition"));
}

#[test]
fn catalog_list_and_show() {
    let o = mamori(&["catalog", "list"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    // 24 sbd + 9 ppc-safety + 13 wlan-lgwan + 26 wlan-mynumber items.
    assert_eq!(out.lines().filter(|l| l.starts_with("  ")).count(), 72);
    assert!(
        out.contains("AT-1-1   AT  A or F   通信経路の分離"),
        "{out}"
    );

    let o = mamori(&["catalog", "show", "AC-1-1"]);
    let out = stdout(&o);
    assert!(out.starts_with("AC-1-1 主体認証\n"), "{out}");
    assert!(out.contains("  condition: D\n"));
    assert!(out.contains("[低位] —"), "low level is absent: {out}");

    let o = mamori(&["--lang", "en", "catalog", "show", "A"]);
    assert!(
        stdout(&o).starts_with("A External access [Environment and means of use]"),
        "{}",
        stdout(&o)
    );

    let o = mamori(&["catalog", "show", "ZZ-9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no item, condition or catalog with ID `ZZ-9`"));
}

#[test]
fn sbd_questions_lists_six_conditions() {
    let o = mamori(&["sbd", "questions", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["A", "B", "C", "D", "E", "F"]);
    assert_eq!(v["conditions"][0]["viewpoint"], "environment");
    let o = mamori(&["sbd", "questions"]);
    assert!(stdout(&o).starts_with("A. 外部アクセスの有無  [利用環境・手段]"));
}

#[test]
fn sbd_recommend_json_contract() {
    let o = mamori(&["sbd", "recommend", "--yes", "A,F", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let reqs = v["requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), 24);
    assert_eq!(reqs[0]["id"], "AT-1-1");
    assert_eq!(reqs[0]["recommended_level"], "middle");
    let level = |id: &str| {
        reqs.iter().find(|r| r["id"] == id).unwrap()["recommended_level"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(level("AT-2-2"), "high");
    assert_eq!(level("AU-1-1"), "low");
    assert_eq!(level("AC-1-1"), "omit");
    assert_eq!(level("AT-2-1"), "low");
    assert_eq!(v["answers"]["A"], true);
    assert_eq!(v["answers"]["B"], false);
    for r in reqs {
        assert!(
            ["omit", "low", "middle", "high"].contains(&r["recommended_level"].as_str().unwrap())
        );
    }
}

#[test]
fn sbd_recommend_rejects_unknown_condition() {
    let o = mamori(&["sbd", "recommend", "--yes", "A,Z"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("--yes: `Z` is not a judgment condition (expected some of A, B, C, D, E, F)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sbd_spec_markdown_to_stdout_matches_golden() {
    let o = mamori(&[
        "sbd",
        "spec",
        "examples/gyosei-joho-teikyo.toml",
        "--format",
        "md",
        "--date",
        "2026-11-23",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let golden =
        std::fs::read(root().join("examples/output/gyosei-joho-teikyo.spec.ja.md")).unwrap();
    assert!(
        o.stdout == golden,
        "CLI output differs from examples/output/gyosei-joho-teikyo.spec.ja.md"
    );
}

#[test]
fn sbd_spec_writes_docx_and_xlsx_files() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["docx", "xlsx"] {
        let out = dir.path().join(format!("spec.{ext}"));
        let o = mamori(&[
            "sbd",
            "spec",
            "examples/gyosei-joho-teikyo.toml",
            "-o",
            out.to_str().unwrap(),
            "--date",
            "2026-11-23",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"PK"), "{ext} is a zip package");
        assert!(stderr(&o).contains("24 requirements, 7 overrides"));
    }
    let o = mamori(&[
        "sbd",
        "spec",
        "examples/gyosei-joho-teikyo.toml",
        "--format",
        "docx",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs an output file"));
}

#[test]
fn malformed_profile_gets_line_and_field_and_keeps_existing_output() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.toml");
    std::fs::write(
        &profile,
        "[system]\nname = \"S\"\n\n[answers]\nA = { answer = \"perhaps\", reason = \"r\" }\n",
    )
    .unwrap();
    let out = dir.path().join("spec.md");
    std::fs::write(&out, "previous version").unwrap();
    let o = mamori(&[
        "sbd",
        "spec",
        profile.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{}:5:16: answers.A.answer: expected yes or no",
            profile.display()
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous version");

    // Missing answers are named one by one.
    std::fs::write(&profile, "[system]\nname = \"S\"\n").unwrap();
    let o = mamori(&["sbd", "spec", profile.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for id in ["A", "B", "C", "D", "E", "F"] {
        assert!(err.contains(&format!("answers.{id}: missing")), "{err}");
    }

    // Not TOML at all.
    std::fs::write(&profile, "\u{0}\u{1}garbage = = =").unwrap();
    let o = mamori(&["sbd", "spec", profile.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("{}:1:", profile.display())),
        "{}",
        stderr(&o)
    );
}
