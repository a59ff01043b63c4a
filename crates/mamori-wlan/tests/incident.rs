//! A small multi-source incident: an unregistered laptop, a PEAP accept, an administrator
//! sign-in by the wrong account and a six-hour gap in the controller's log. The audit finds
//! exactly those, with evidence pointing at the lines behind them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use mamori_wlan::audit::{Auditor, Config, FindingKind, Registers, Severity};
use mamori_wlan::time::LocalTime;
use mamori_wlan::{Format, register};

fn fixture(name: &str) -> (String, Vec<u8>) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/incident")
        .join(name);
    (name.to_owned(), std::fs::read(&p).unwrap())
}

#[test]
fn the_incident_yields_exactly_its_four_findings() {
    let (n, b) = fixture("terminals.csv");
    let terminals = register::terminals(&n, &b).unwrap();
    let (n, b) = fixture("staff.csv");
    let staff = register::staff(&n, &b).unwrap();
    let (n, b) = fixture("admins.csv");
    let admins = register::admins(&n, &b).unwrap();
    let (n, b) = fixture("devices.csv");
    let devices = register::devices(&n, &b).unwrap();
    let config = Config {
        from: Some("2026-11-23T08:00:00+09:00".parse().unwrap()),
        to: Some("2026-11-23T20:00:00+09:00".parse().unwrap()),
        ..Config::default()
    };
    let mut a = Auditor::new(
        config,
        Registers {
            terminals,
            staff,
            admins,
            devices,
        },
    );
    for name in ["radius01-postauth.jsonl", "wlc01-syslog.log"] {
        let (n, bytes) = fixture(name);
        let text = String::from_utf8(bytes.clone()).unwrap();
        let first: Vec<&str> = text.lines().take(20).collect();
        let format = Format::detect(&first).expect("format recognised");
        let src = a.source(&n, format);
        let mut parser = format.parser(LocalTime::tokyo(2026));
        mamori_wlan::read_log(&mut a, src, &n, parser.as_mut(), bytes.as_slice(), |_| {}).unwrap();
    }
    let report = a.finish();
    assert_eq!(report.sources[0].format, Format::Linelog);
    assert_eq!(report.sources[1].format, Format::Cisco);
    assert_eq!(report.sources[1].malformed, 1);
    assert!(report.sources[1].malformed_examples[0].starts_with("wlc01-syslog.log:6: "));

    let got: Vec<(FindingKind, String)> = report
        .findings
        .iter()
        .map(|f| (f.kind, serde_json::to_string(&f.subject).unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (
                FindingKind::UnknownTerminal,
                r#"{"mac":"AA-BB-CC-DD-EE-01"}"#.to_owned()
            ),
            (
                FindingKind::NonEapTls,
                r#"{"mac":"00-11-22-33-44-66","method":"PEAP"}"#.to_owned()
            ),
            (
                FindingKind::UnauthorizedAdmin,
                r#"{"user":"cisco","from":"10.0.9.77"}"#.to_owned()
            ),
            (
                FindingKind::LogGap,
                r#"{"source":"wlc01-syslog.log"}"#.to_owned()
            ),
        ]
    );
    // The laptop was seen by both the RADIUS server and the controller: one finding, two
    // pieces of evidence.
    let laptop = &report.findings[0];
    assert_eq!(laptop.count, 2);
    let ev: Vec<(&str, u64)> = laptop
        .evidence
        .iter()
        .map(|e| (e.path.as_str(), e.line))
        .collect();
    assert_eq!(
        ev,
        [("radius01-postauth.jsonl", 40), ("wlc01-syslog.log", 13)]
    );
    assert!(laptop.detail.contains("certificate serial 7f00aa"));
    let gap = &report.findings[3];
    assert_eq!(
        (
            gap.first_seen.unwrap().to_string(),
            gap.last_seen.unwrap().to_string()
        ),
        (
            "2026-11-23T01:06:00Z".to_owned(),
            "2026-11-23T07:05:00Z".to_owned()
        )
    );
    assert!(report.findings.iter().all(|f| f.severity == Severity::High));
    assert!(!report.summary.conclusion_ok);
    assert_eq!(
        (
            report.summary.terminals_active,
            report.summary.terminals_seen
        ),
        (2, 2)
    );
}

#[test]
fn a_certificate_without_a_mac_meets_the_controllers_mac_by_time() {
    use mamori_wlan::audit::FindingKind;
    let mut a = Auditor::new(Config::default(), Registers::default());
    // A post-auth log without Calling-Station-Id: only the certificate and the user name.
    let radius = a.source("radius", Format::Linelog);
    let mut p = Format::Linelog.parser(LocalTime::tokyo(2026));
    let line = r#"{"time":"2026-11-23T17:12:00+09:00","Packet-Type":"Access-Accept","User-Name":"host/LAPTOP-7Q2","EAP-Type":"TLS","TLS-Client-Cert-Serial":"7f00aa"}"#;
    mamori_wlan::read_log(
        &mut a,
        radius,
        "radius.log",
        p.as_mut(),
        line.as_bytes(),
        |_| {},
    )
    .unwrap();
    let wlc = a.source("wlc", Format::Cisco);
    let mut p = Format::Cisco.parser(LocalTime::tokyo(2026));
    let text = "<190>1: Nov 23 2026 08:13:10.000 UTC: %CLIENT_ORCH_LOG-6-CLIENT_ADDED_TO_RUN_STATE: Chassis 1 R0/3: wncd: Username entry (host/LAPTOP-7Q2) joined with ssid (MYNUMBER-WLAN) for device with MAC: aabb.ccdd.ee01 on channel (36)\n\
<190>2: Nov 23 2026 09:30:00.000 UTC: %CLIENT_ORCH_LOG-6-CLIENT_ADDED_TO_RUN_STATE: Chassis 1 R0/3: wncd: Username entry (host/OTHER) joined with ssid (MYNUMBER-WLAN) for device with MAC: aabb.ccdd.ee02 on channel (36)\n";
    mamori_wlan::read_log(&mut a, wlc, "wlc.log", p.as_mut(), text.as_bytes(), |_| {}).unwrap();
    let r = a.finish();
    let unknown: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::UnknownTerminal)
        .map(|f| serde_json::to_string(&f.subject).unwrap())
        .collect();
    // The laptop is one finding (MAC and certificate); the other device, 77 minutes later, is
    // its own.
    assert_eq!(
        unknown,
        [
            r#"{"mac":"AA-BB-CC-DD-EE-01","cert_serial":"7f00aa"}"#,
            r#"{"mac":"AA-BB-CC-DD-EE-02"}"#
        ]
    );
    assert_eq!(r.findings[0].count, 2);
}
