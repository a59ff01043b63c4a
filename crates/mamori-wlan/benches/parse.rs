//! Parser throughput on generated logs (not a timed test; results in docs/benchmarks.md).
//!
//! ```sh
//! cargo bench -p mamori-wlan --bench parse [-- RECORDS]
//! ```
//!
//! Generates RECORDS (default 1,000,000) records per format in memory — a mid-size city's
//! day is 10⁴–10⁶ — with 1,000 registered terminals, a few unknown ones, rejects and
//! accounting; then, per format, times parsing alone (every line through the parser) and the
//! whole audit (parser + checks), best of three, single thread.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write;
use std::time::Instant;

use mamori_wlan::audit::{Auditor, Config, Registers};
use mamori_wlan::register::{Device, DeviceKind, Terminal, TerminalStatus};
use mamori_wlan::time::LocalTime;
use mamori_wlan::{Format, Item, Mac};

fn mac(i: u32) -> String {
    let b = i.to_be_bytes();
    format!("00-1A-2B-{:02X}-{:02X}-{:02X}", b[1], b[2], b[3])
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

fn ctime(s: u32) -> String {
    // 2026-11-23 (a Monday) 08:00 + s seconds.
    let total = 8 * 3600 + s;
    let day = 23 + total / 86_400;
    let rem = total % 86_400;
    format!(
        "{} Nov {:2} {:02}:{:02}:{:02} 2026",
        DAYS[((1 + day - 23) % 7) as usize],
        day,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn radius_log(n: u32) -> String {
    let mut s = String::with_capacity(n as usize * 130);
    for i in 0..n {
        let t = (i as u64 * 86_400 / n as u64) as u32;
        let term = i % 1000;
        let (msg, user) = if i % 97 == 0 {
            (
                "Login incorrect (eap_tls: TLS Alert read:fatal:unknown CA)",
                format!("host/ROGUE{}", i % 5),
            )
        } else {
            ("Login OK", format!("host/PC{term:04}.city.example.lg.jp"))
        };
        let cli = if i % 97 == 0 {
            mac(900_000 + i % 5)
        } else {
            mac(term)
        };
        writeln!(
            s,
            "{} : Auth: ({i}) {msg}: [{user}] (from client wlc{} port 0 cli {cli})",
            ctime(t),
            i % 4
        )
        .unwrap();
    }
    s
}

fn detail(n: u32) -> String {
    let mut s = String::with_capacity(n as usize * 420);
    for i in 0..n {
        let t = (i as u64 * 86_400 / n as u64) as u32;
        let term = i % 1000;
        let status = ["Start", "Interim-Update", "Stop"][(i % 3) as usize];
        write!(
            s,
            "{}\n\tPacket-Type = Accounting-Request\n\tAcct-Status-Type = {status}\n\
             \tUser-Name = \"host/PC{term:04}.city.example.lg.jp\"\n\tNAS-IP-Address = 10.0.0.{}\n\
             \tNAS-Port = 0\n\tCalled-Station-Id = \"00-10-A4-23-19-C0:MYNUMBER-WLAN\"\n\
             \tCalling-Station-Id = \"{}\"\n\tAcct-Session-Id = \"{i:016X}\"\n\
             \tFramed-IP-Address = 10.20.{}.{}\n\tAcct-Session-Time = {}\n\
             \tNAS-Port-Type = Wireless-802.11\n\tEvent-Timestamp = \"Nov 23 2026 08:00:00 JST\"\n\
             \tTimestamp = {}\n\n",
            ctime(t),
            2 + i % 4,
            mac(term),
            term / 250,
            term % 250,
            i % 3600,
            1_795_388_400 + t
        )
        .unwrap();
    }
    s
}

fn cisco(n: u32) -> String {
    let mut s = String::with_capacity(n as usize * 240);
    for i in 0..n {
        let t = (i as u64 * 86_400 / n as u64) as u32;
        let term = i % 1000;
        let b = mac(term).replace('-', "").to_lowercase();
        writeln!(
            s,
            "<190>{i}: Nov 23 2026 {:02}:{:02}:{:02}.000 UTC: %CLIENT_ORCH_LOG-6-CLIENT_ADDED_TO_RUN_STATE: Chassis 1 R0/3: wncd: Username entry (host/PC{term:04}) joined with ssid (MYNUMBER-WLAN) for device with MAC: {}.{}.{} on channel (36)",
            t / 3600 % 24,
            t % 3600 / 60,
            t % 60,
            &b[0..4],
            &b[4..8],
            &b[8..12]
        )
        .unwrap();
    }
    s
}

fn registers() -> Registers {
    Registers {
        terminals: (0..1000)
            .map(|i| Terminal {
                asset_id: format!("PC{i:04}"),
                macs: vec![Mac::parse(&mac(i)).unwrap()],
                cert_serial: None,
                cert_cn: None,
                segment: String::new(),
                assigned_to: String::new(),
                status: TerminalStatus::Active,
                line: u64::from(i) + 2,
            })
            .collect(),
        devices: (0..4)
            .map(|i| Device {
                kind: DeviceKind::Controller,
                name: format!("wlc{i}"),
                ip: format!("10.0.0.{}", 2 + i),
                mac: None,
                ssids: vec![],
                segment: String::new(),
            })
            .collect(),
        ..Registers::default()
    }
}

fn best_of_3(mut f: impl FnMut() -> u64) -> (f64, u64) {
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..3 {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, n)
}

fn main() {
    let n: u32 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    println!(
        "| format | records | MB | parse only: records/s | MB/s | parse + checks: records/s |"
    );
    println!("|---|---|---|---|---|---|");
    for (format, text) in [
        (Format::RadiusLog, radius_log(n)),
        (Format::Cisco, cisco(n)),
        (Format::Detail, detail(n)),
    ] {
        let clock = LocalTime::tokyo(2026);
        let (parse_s, records) = best_of_3(|| {
            let mut p = format.parser(clock.clone());
            let mut out = Vec::with_capacity(4);
            let mut records = 0u64;
            for (i, line) in text.lines().enumerate() {
                p.line(i as u64 + 1, line, &mut out);
                records += out
                    .drain(..)
                    .filter(|it| matches!(it, Item::Record { .. }))
                    .count() as u64;
            }
            p.end(&mut out);
            records + out.len() as u64
        });
        let (audit_s, _) = best_of_3(|| {
            let mut a = Auditor::new(Config::default(), registers());
            let src = a.source("bench", format);
            let mut p = format.parser(clock.clone());
            mamori_wlan::read_log(&mut a, src, "bench", p.as_mut(), text.as_bytes(), |_| {})
                .unwrap();
            let r = a.finish();
            std::hint::black_box(r.findings.len() as u64)
        });
        let mb = text.len() as f64 / 1e6;
        println!(
            "| {} | {records} | {mb:.0} | {:.0} | {:.0} | {:.0} |",
            format.key(),
            records as f64 / parse_s,
            mb / parse_s,
            records as f64 / audit_s
        );
    }
}
