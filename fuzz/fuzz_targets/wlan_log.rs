//! Any bytes as a WLAN log of any format (first byte picks it) and as each register, through
//! the parsers and the checks: findings, malformed-line reports or register errors, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mamori_wlan::audit::{Auditor, Config, Registers};
use mamori_wlan::time::LocalTime;
use mamori_wlan::{Format, register};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let format = Format::ALL[usize::from(pick) % Format::ALL.len()];
    let mut a = Auditor::new(Config::default(), Registers::default());
    let src = a.source("fuzz", format);
    let mut p = format.parser(LocalTime::tokyo(2026));
    let _ = mamori_wlan::read_log(&mut a, src, "fuzz", p.as_mut(), rest, |_| {});
    let report = a.finish();
    let _ = report.findings.len();
    // The same bytes as registers.
    let _ = register::terminals("t.csv", rest);
    let _ = register::staff("s.csv", rest);
    let _ = register::admins("a.csv", rest);
    let _ = register::devices("d.csv", rest);
    // Format detection on the first lines.
    let text = String::from_utf8_lossy(rest);
    let lines: Vec<&str> = text.lines().take(20).collect();
    let _ = Format::detect(&lines);
});
