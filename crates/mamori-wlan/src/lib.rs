//! WLAN access-log audit for the マイナンバー利用事務系: read what RADIUS servers, NPS and
//! wireless controllers log, reconcile it with the registers of terminals, staff,
//! administrators and network devices, and report what the guideline's access-log check asks
//! (only My Number terminals, only EAP-TLS, only designated administrators, no collection
//! gaps). Pure: callers hand in readers and the time zone; no files, no clock.

pub mod audit;
pub mod mac;
pub mod parse;
pub mod record;
pub mod register;
pub mod time;

pub use mac::Mac;
pub use parse::{Format, Item, Parser};
pub use record::{Kind, Method, Record};

use std::io::BufRead;

/// Reads one log through `parser` into `auditor` (source `source`, file shown as `path`):
/// line by line, so memory does not grow with the file. Lines that are not UTF-8 are read
/// lossily. Returns the number of lines read.
pub fn read_log(
    auditor: &mut audit::Auditor,
    source: usize,
    path: &str,
    parser: &mut dyn Parser,
    mut input: impl BufRead,
    mut progress: impl FnMut(u64),
) -> std::io::Result<u64> {
    let mut buf = Vec::with_capacity(1024);
    let mut items = Vec::new();
    let mut lineno = 0u64;
    loop {
        buf.clear();
        let n = input.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        progress(n as u64);
        lineno += 1;
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        match std::str::from_utf8(&buf) {
            Ok(line) => parser.line(lineno, line, &mut items),
            Err(_) => parser.line(lineno, &String::from_utf8_lossy(&buf), &mut items),
        }
        drain(auditor, source, path, &mut items);
    }
    parser.end(&mut items);
    drain(auditor, source, path, &mut items);
    Ok(lineno)
}

fn drain(auditor: &mut audit::Auditor, source: usize, path: &str, items: &mut Vec<Item>) {
    for item in items.drain(..) {
        match item {
            Item::Record { line, record } => auditor.record(source, path, line, &record),
            Item::Malformed { line, reason } => auditor.malformed(source, path, line, &reason),
        }
    }
}
