//! `mamori wlan audit` on the incident fixture: the JSON contract, exit codes, rotated and
//! compressed logs, and a register error naming file, line and column.

use std::io::Write;

use super::{mamori, root, stderr, stdout};

const F: &str = "crates/mamori-wlan/tests/fixtures/incident";

fn registers() -> Vec<String> {
    ["terminals", "staff", "admins", "devices"]
        .iter()
        .flat_map(|r| [format!("--{r}"), format!("{F}/{r}.csv")])
        .collect()
}

#[test]
fn the_incident_exits_1_with_the_json_contract() {
    let mut args = registers();
    args.extend(
        [
            "--log",
            &format!("{F}/radius01-postauth.jsonl"),
            "--log",
            &format!("cisco:{F}/wlc01-syslog.log"),
            "--from",
            "2026-11-23T08:00:00+09:00",
            "--to",
            "2026-11-23T20:00:00+09:00",
            "--json",
        ]
        .map(String::from),
    );
    let mut full = vec!["wlan", "audit"];
    full.extend(args.iter().map(String::as_str));
    let o = mamori(&full);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "unknown_terminal",
            "non_eap_tls",
            "unauthorized_admin",
            "log_gap"
        ]
    );
    let f = &v["findings"][0];
    assert_eq!(f["severity"], "high");
    assert_eq!(f["subject"]["mac"], "AA-BB-CC-DD-EE-01");
    assert_eq!(f["count"], 2);
    assert_eq!(
        f["evidence"][1]["path"],
        format!("{F}/wlc01-syslog.log").as_str()
    );
    assert_eq!(f["evidence"][1]["line"], 13);
    assert_eq!(v["sources"][0]["format"], "linelog");
    assert_eq!(v["sources"][1]["malformed"], 1);
    assert_eq!(
        v["sources"][0]["files"][0]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(v["summary"]["conclusion_ok"], false);
}

#[test]
fn rotated_and_gzipped_logs_are_one_source_and_a_clean_period_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("radius");
    std::fs::create_dir(&logs).unwrap();
    let text = std::fs::read_to_string(root().join(F).join("radius01-postauth.jsonl")).unwrap();
    // Keep only the two registered PCs' EAP-TLS accepts: a clean day.
    let clean: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("\"EAP-Type\": \"TLS\"") && !l.contains("LAPTOP"))
        .collect();
    let (older, newer) = clean.split_at(clean.len() / 2);
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(logs.join("postauth.log.1.gz")).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all((older.join("\n") + "\n").as_bytes()).unwrap();
    gz.finish().unwrap();
    std::fs::write(logs.join("postauth.log"), newer.join("\n") + "\n").unwrap();
    let logs_arg = format!("linelog:{}", logs.display());
    let mut full = vec!["wlan", "audit"];
    let regs = registers();
    full.extend(regs.iter().map(String::as_str));
    full.extend([
        "--log",
        logs_arg.as_str(),
        "--from",
        "2026-11-23T08:00:00+09:00",
        "--to",
        "2026-11-23T20:00:00+09:00",
        "--json",
    ]);
    let o = mamori(&full);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{v}");
    let files = v["sources"][0]["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    // The rotated (older) file is read first.
    assert!(
        files[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("postauth.log.1.gz")
    );
    assert_eq!(v["sources"][0]["records"], 48);
    assert_eq!(v["summary"]["conclusion_ok"], true);
}

#[test]
fn a_bad_register_row_is_an_error_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("terminals.csv");
    std::fs::write(&t, "asset_id,mac\nPC-1,00-11-22-33-44-55\nPC-2,not-a-mac\n").unwrap();
    let o = mamori(&[
        "wlan",
        "audit",
        "--terminals",
        t.to_str().unwrap(),
        "--log",
        &format!("{F}/wlc01-syslog.log"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!(
            "{}:3: mac: \"not-a-mac\" is not a MAC address",
            t.display()
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_report_is_written_as_xlsx_and_docx() {
    use calamine::{Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    for ext in ["xlsx", "docx"] {
        let out = dir.path().join(format!("report.{ext}"));
        let mut full = vec!["wlan", "audit"];
        let regs = registers();
        full.extend(regs.iter().map(String::as_str));
        let radius = format!("{F}/radius01-postauth.jsonl");
        let cisco = format!("{F}/wlc01-syslog.log");
        full.extend([
            "--log",
            radius.as_str(),
            "--log",
            cisco.as_str(),
            "--from",
            "2026-11-23T08:00:00+09:00",
            "--to",
            "2026-11-23T20:00:00+09:00",
            "--date",
            "2026-11-24",
            "--report",
            out.to_str().unwrap(),
        ]);
        let o = mamori(&full);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let bytes = std::fs::read(&out).unwrap();
        if ext == "xlsx" {
            let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
            assert_eq!(wb.sheet_names(), ["概要", "指摘事項", "端末"]);
            let summary = wb.worksheet_range("概要").unwrap();
            let text: Vec<String> = summary.cells().map(|(_, _, d)| d.to_string()).collect();
            assert!(
                text.iter().any(|t| t == "2026-11-24（令和8年11月24日）"),
                "{text:?}"
            );
            assert!(text.iter().any(|t| t.starts_with("重大な指摘あり")));
            assert!(text.iter().any(|t| t == "総括責任者"));
            let findings = wb.worksheet_range("指摘事項").unwrap();
            let kinds: Vec<String> = findings.rows().skip(1).map(|r| r[1].to_string()).collect();
            assert_eq!(
                kinds,
                [
                    "未登録端末の接続",
                    "EAP-TLS以外の方式による認証",
                    "指定外の管理者ログイン",
                    "ログの欠落（収集できていない時間帯）"
                ]
            );
            let gap = findings.rows().nth(4).unwrap();
            assert_eq!(gap[4].to_string(), "2026-11-23 10:06 – 2026-11-23 16:05");
        } else {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
                .unwrap();
            for needle in [
                "無線LANアクセスログ確認結果",
                "未登録端末の接続",
                "MAC AA-BB-CC-DD-EE-01",
                "総括責任者",
                "令和8年11月24日",
            ] {
                assert!(xml.contains(needle), "{needle}");
            }
        }
    }
}

#[test]
fn a_source_can_have_its_own_time_zone() {
    // The controller's syslog read as if its stamps were Tokyo time: every record moves
    // nine hours later, so the period (in Tokyo time) loses the morning joins.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("wlc.log");
    std::fs::write(
        &log,
        "Nov 23 09:30:00 wlc01 %AAA-5-AAA_AUTH_ADMIN_USER: aaa.c:1 Authentication succeeded for admin user 'cisco' on 10.0.9.77\n",
    )
    .unwrap();
    let t = format!("{F}/terminals.csv");
    let admins = format!("{F}/admins.csv");
    let run = |spec: String| {
        let o = mamori(&[
            "wlan",
            "audit",
            "--admins",
            &admins,
            "--terminals",
            &t,
            "--log",
            &spec,
            "--from",
            "2026-11-23T12:00:00+09:00",
            "--to",
            "2026-11-23T20:00:00+09:00",
            "--max-gap",
            "24h",
            "--json",
        ]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
        (o.status.code(), v["sources"][0]["records"].clone())
    };
    // 09:30 Tokyo is before the period; 09:30 UTC is 18:30 Tokyo, inside it.
    assert_eq!(
        run(format!("cisco:{}", log.display())),
        (Some(0), serde_json::json!(0))
    );
    assert_eq!(
        run(format!("cisco@UTC:{}", log.display())),
        (Some(1), serde_json::json!(1))
    );
    let o = mamori(&[
        "wlan",
        "audit",
        "--terminals",
        &t,
        "--log",
        &format!("cisco@Mars/Base:{}", log.display()),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown time zone"), "{}", stderr(&o));
}

#[test]
fn xlsx_registers_and_an_unknown_export_with_a_column_map() {
    let dir = tempfile::tempdir().unwrap();
    // The terminal register as Excel, Japanese headers.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["資産番号", "MACアドレス", "状態"].iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (r, row) in [
        ["PC-0101", "00-11-22-33-44-55", "稼働"],
        ["PC-0102", "00:11:22:33:44:66", "稼働"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            ws.write(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    let terminals = dir.path().join("端末台帳.xlsx");
    wb.save(&terminals).unwrap();
    // An appliance export mamori does not know, and the map that names its columns.
    let export = dir.path().join("auth.csv");
    std::fs::write(
        &export,
        "受信日時,ログインID,端末MAC,判定\n2026/11/23 10:00:01,host/PC0101,00-11-22-33-44-55,OK\n2026/11/23 10:05:00,host/X,AA-BB-CC-00-00-01,OK\n",
    )
    .unwrap();
    let map = dir.path().join("eps.toml");
    std::fs::write(
        &map,
        "time = \"受信日時\"\nmac = \"端末MAC\"\nuser = \"ログインID\"\nresult = \"判定\"\naccept = [\"OK\"]\nreject = [\"NG\"]\n",
    )
    .unwrap();
    let spec = format!("table:{}", export.display());
    let o = mamori(&[
        "wlan",
        "audit",
        "--terminals",
        terminals.to_str().unwrap(),
        "--log",
        &spec,
        "--table-map",
        map.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["sources"][0]["records"], 2);
    assert_eq!(v["findings"][0]["kind"], "unknown_terminal");
    assert_eq!(v["findings"][0]["subject"]["mac"], "AA-BB-CC-00-00-01");
    assert_eq!(v["summary"]["terminals_seen"], 1);
}
