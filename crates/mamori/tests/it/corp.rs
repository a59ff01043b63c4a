//! `mamori corp`: import generated NTA data (全件 + 差分, zip), search, show, check a list.

use std::io::Write;
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

fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    let o = run(data, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn import_search_show_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let gen_dir = dir.path().join("nta");
    xtask::corp_data::write_corp_data(
        &gen_dir,
        &xtask::corp_data::Options {
            count: 3000,
            seed: 7,
            xml: false,
            ..Default::default()
        },
    )
    .unwrap();
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(gen_dir.join("expected.json")).unwrap()).unwrap();
    let data = dir.path().join("data");
    let d = data.as_path();
    let full = std::fs::read_dir(&gen_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_str().unwrap();
            n.contains("_all_") && n.ends_with(".csv") && !n.ends_with("_sjis.csv")
        })
        .unwrap();
    // The 全件 file as the NTA ships it: inside a zip.
    let zip_path = gen_dir.join("00_zenkoku_all_test.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        z.start_file::<_, ()>(
            full.file_name().unwrap().to_str().unwrap(),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(&std::fs::read(&full).unwrap()).unwrap();
        z.finish().unwrap();
    }
    let mut diffs: Vec<String> = std::fs::read_dir(&gen_dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.contains("diff_"))
        .collect();
    diffs.sort();
    let mut args = vec!["corp", "import", zip_path.to_str().unwrap()];
    args.extend(diffs.iter().map(String::as_str));
    args.push("--json");
    let v = json(d, &args);
    assert_eq!(v["files"][0]["corporations"], 3000);
    assert!(v["files"].as_array().unwrap().len() > 1);
    // Applying the same differences again changes nothing.
    // (Before that: the 全件 alone, written again, is the input byte for byte.)
    let d0 = dir.path().join("data0");
    let sjis = full.with_file_name(
        full.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .replace(".csv", "_sjis.csv"),
    );
    json(
        d0.as_path(),
        &["corp", "import", sjis.to_str().unwrap(), "--json"],
    );
    for (format, original) in [("csv", &full), ("sjis", &sjis)] {
        let out = dir.path().join(format!("again-{format}.csv"));
        let o = run(
            d0.as_path(),
            &[
                "corp",
                "export",
                "--out",
                out.to_str().unwrap(),
                "--format",
                format,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            std::fs::read(&out).unwrap() == std::fs::read(original).unwrap(),
            "{format}: the regenerated 全件 differs from {}",
            original.display()
        );
    }
    let mut again = vec!["corp", "import"];
    again.extend(diffs.iter().map(String::as_str));
    again.push("--json");
    let v2 = json(d, &again);
    for f in v2["files"].as_array().unwrap() {
        let s = &f["summary"];
        assert_eq!(
            (
                s["created"].as_u64(),
                s["updated"].as_u64(),
                s["deleted"].as_u64()
            ),
            (Some(0), Some(0), Some(0)),
            "{f}"
        );
    }
    assert_eq!(v2["corporations"], v["corporations"]);
    // The generator's own account of the state after the differences.
    assert_eq!(v["corporations"], expected["after_diffs"]["corporations"]);

    // Show by number, with the check digit checked on the way in.
    // A corporation created by the first difference file.
    let number = expected["diffs"][0]["examples"]["01"]
        .as_str()
        .unwrap()
        .to_owned();
    {
        let v = json(d, &["corp", "show", &number, "--json"]);
        // Read through the saved index's offsets or from the whole copy: the same answer.
        let ix = d.join("corp").join("index.bin");
        let aside = d.join("corp").join("index.bin.aside");
        let first = expected["diffs"][0]["examples"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect::<Vec<_>>();
        let mut several = vec!["corp", "show", "--history", "--json"];
        several.extend(first.iter().map(String::as_str));
        let with_index = run(d, &several);
        std::fs::rename(&ix, &aside).unwrap();
        let without = run(d, &several);
        assert_eq!(json(d, &["corp", "show", &number, "--json"]), v);
        std::fs::rename(&aside, &ix).unwrap();
        assert_eq!(stdout(&with_index), stdout(&without));
        assert_eq!(with_index.status.code(), without.status.code());
        assert!(stdout(&with_index).matches("\"number\"").count() >= first.len());
        let name = v["corporations"][0]["rows"][0]["name"]
            .as_str()
            .unwrap()
            .to_owned();
        // …and find it again by name.
        let found = json(d, &["corp", "search", &name, "--mode", "exact", "--json"]);
        assert!(
            found["corporations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["number"] == number.as_str()),
            "{name}: {found}"
        );
    }
    let mut bad = number.clone().into_bytes();
    if let Some(b) = bad.first_mut() {
        *b = if *b == b'9' { b'1' } else { *b + 1 };
    }
    let o = run(d, &["corp", "show", std::str::from_utf8(&bad).unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("check digit"), "{}", stderr(&o));

    // Search: totals and paging agree.
    let all = json(d, &["corp", "search", "", "--per-page", "7", "--json"]);
    let total = all["total"].as_u64().unwrap();
    assert!(total > 2000, "{total}");
    assert_eq!(all["corporations"].as_array().unwrap().len(), 7);
    // The import saved the name index; a damaged one is rebuilt with the same answers.
    let ix_path = d.join("corp").join("index.bin");
    let saved = std::fs::read(&ix_path).unwrap();
    assert!(saved.starts_with(b"MAMORI-CORP-INDEX"));
    std::fs::write(&ix_path, &saved[..saved.len() / 2]).unwrap();
    let o = run(d, &["corp", "search", "", "--per-page", "7", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("damaged"), "{}", stderr(&o));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap(),
        all
    );
    let rebuilt = std::fs::read(&ix_path).unwrap();
    let first_diff = rebuilt.iter().zip(&saved).position(|(a, b)| a != b);
    assert!(
        rebuilt == saved,
        "rebuilt index differs: {} vs {} bytes, first difference at {first_diff:?}",
        rebuilt.len(),
        saved.len()
    );
    let e = run(d, &["corp", "search", "x", "--mode", "fuzzy"]);
    assert!(stderr(&e).contains("expected prefix, partial or exact"));

    // Check a published list.
    let list = dir.path().join("list.csv");
    std::fs::write(
        &list,
        format!(
            "名称,法人番号\n確認用,{}\n存在しない会社,\n形式違い,12345\n",
            std::str::from_utf8(&bad).unwrap()
        ),
    )
    .unwrap();
    let out = dir.path().join("checked.xlsx");
    let o = run(
        d,
        &[
            "corp",
            "check",
            list.to_str().unwrap(),
            "--name-column",
            "名称",
            "--number-column",
            "法人番号",
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let statuses: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["check_digit", "missing", "malformed"]);
    assert!(out.exists());
    let e = run(
        d,
        &[
            "corp",
            "check",
            list.to_str().unwrap(),
            "--name-column",
            "社名",
        ],
    );
    assert!(
        stderr(&e).contains("has no such column (headers: 名称, 法人番号)"),
        "{}",
        stderr(&e)
    );
}
