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

#[test]
fn failures_ssids_identities_and_gaps_follow_the_rules() {
    use mamori_wlan::audit::FindingKind;
    use mamori_wlan::register::{Device, DeviceKind, Terminal, TerminalStatus};
    use mamori_wlan::{Kind, Mac, Record};
    let t = |s: &str| -> jiff::Timestamp { s.parse().unwrap() };
    let mac = |s: &str| Mac::parse(s).unwrap();
    let reg = Registers {
        terminals: vec![Terminal {
            asset_id: "PC0123".into(),
            macs: vec![mac("00-11-22-33-44-55")],
            cert_serial: None,
            cert_cn: None,
            segment: String::new(),
            assigned_to: String::new(),
            status: TerminalStatus::Active,
            line: 2,
        }],
        devices: vec![Device {
            kind: DeviceKind::Controller,
            name: "wlc01".into(),
            ip: String::new(),
            mac: None,
            ssids: vec!["MYNUMBER-WLAN".into()],
            segment: String::new(),
        }],
        ..Registers::default()
    };
    let mut a = Auditor::new(
        Config {
            from: Some(t("2026-11-23T00:00:00Z")),
            to: Some(t("2026-11-23T12:00:00Z")),
            failure_threshold: 3,
            ..Config::default()
        },
        reg,
    );
    let radius = a.source("radius", Format::Detail);
    let wlc = a.source("wlc", Format::Cisco);
    let rec = |time: &str, kind: Kind, m: &str| {
        let mut r = Record::new(t(time), kind);
        r.mac = Some(mac(m));
        r.nas = Some("wlc01".into());
        r
    };
    // Two failures per source for one MAC (the same two attempts logged twice), read out of
    // order: below the threshold of three in either source.
    for (src, time) in [
        (wlc, "2026-11-23T01:05:00Z"),
        (radius, "2026-11-23T01:06:00Z"),
        (radius, "2026-11-23T01:05:00Z"),
        (wlc, "2026-11-23T01:06:00Z"),
    ] {
        a.record(
            src,
            "x.log",
            1,
            &rec(time, Kind::Reject, "AA-00-00-00-00-01"),
        );
    }
    // Three failures of another MAC, the file's lines not in time order: found.
    for time in [
        "2026-11-23T02:09:00Z",
        "2026-11-23T02:01:00Z",
        "2026-11-23T02:05:00Z",
    ] {
        a.record(
            radius,
            "x.log",
            2,
            &rec(time, Kind::Reject, "AA-00-00-00-00-02"),
        );
    }
    // An unregistered MAC claiming a registered terminal's name is still unknown.
    let mut claim = rec(
        "2026-11-23T01:30:00Z",
        Kind::ClientJoin,
        "DE-AD-BE-EF-00-01",
    );
    claim.user = Some("host/PC0123".into());
    a.record(wlc, "x.log", 3, &claim);
    // A guest-SSID client on the same controller is not this audit's subject.
    let mut guest = rec(
        "2026-11-23T01:31:00Z",
        Kind::ClientJoin,
        "DE-AD-BE-EF-00-02",
    );
    guest.ssid = Some("GUEST".into());
    a.record(wlc, "x.log", 4, &guest);
    // The registered terminal, so it is seen; the radius source then goes quiet twice.
    for time in [
        "2026-11-23T00:30:00Z",
        "2026-11-23T05:00:00Z",
        "2026-11-23T11:00:00Z",
    ] {
        a.record(
            radius,
            "x.log",
            5,
            &rec(time, Kind::Accept, "00-11-22-33-44-55"),
        );
    }
    // An admin sign-in without an administrators register is not judged.
    let mut admin = Record::new(t("2026-11-23T03:00:00Z"), Kind::AdminLogin);
    admin.user = Some("cisco".into());
    a.record(wlc, "x.log", 6, &admin);
    let r = a.finish();
    let got: Vec<(FindingKind, String)> = r
        .findings
        .iter()
        .map(|f| (f.kind, serde_json::to_string(&f.subject).unwrap()))
        .collect();
    let expect = [
        (
            FindingKind::UnknownTerminal,
            r#"{"mac":"DE-AD-BE-EF-00-01"}"#,
        ),
        // radius 02:09–05:00, wlc 03:00–12:00, radius 05:00–11:00 (in time order).
        (FindingKind::LogGap, r#"{"source":"radius"}"#),
        (FindingKind::LogGap, r#"{"source":"wlc"}"#),
        (FindingKind::LogGap, r#"{"source":"radius"}"#),
        (
            FindingKind::RepeatedFailures,
            r#"{"mac":"AA-00-00-00-00-02"}"#,
        ),
    ];
    assert_eq!(
        got,
        expect.map(|(k, s)| (k, s.to_owned())),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.sources[1].other_ssid, 1);
    // Each gap has its own hours.
    let gaps: Vec<(String, String)> = r
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::LogGap && f.subject.source.as_deref() == Some("radius"))
        .map(|f| {
            (
                f.first_seen.unwrap().to_string(),
                f.last_seen.unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        gaps,
        [
            (
                "2026-11-23T02:09:00Z".to_owned(),
                "2026-11-23T05:00:00Z".to_owned()
            ),
            (
                "2026-11-23T05:00:00Z".to_owned(),
                "2026-11-23T11:00:00Z".to_owned()
            ),
        ]
    );
}

#[test]
fn an_unregistered_ap_is_reported_and_a_registered_aps_bssids_are_not() {
    use mamori_wlan::audit::FindingKind;
    use mamori_wlan::register::{Device, DeviceKind};
    use mamori_wlan::{Kind, Mac, Record};
    let reg = Registers {
        devices: vec![Device {
            kind: DeviceKind::Ap,
            name: "ap-3f-east".into(),
            ip: String::new(),
            mac: Mac::parse("00-10-A4-23-19-C0"),
            ssids: vec![],
            segment: String::new(),
        }],
        ..Registers::default()
    };
    let mut a = Auditor::new(Config::default(), reg);
    let src = a.source("detail", Format::Detail);
    for (i, ap) in [
        "00-10-A4-23-19-C3",
        "00-10-A4-23-19-CF",
        "AA-AA-AA-00-00-01",
    ]
    .iter()
    .enumerate()
    {
        let mut r = Record::new("2026-11-23T01:00:00Z".parse().unwrap(), Kind::AcctStart);
        r.ap = Mac::parse(ap);
        a.record(src, "detail-20261123", i as u64 + 1, &r);
    }
    let r = a.finish();
    let unknown: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::UnknownNas)
        .map(|f| f.subject.nas.clone().unwrap())
        .collect();
    assert_eq!(unknown, ["AP AA-AA-AA-00-00-01"]);
}
