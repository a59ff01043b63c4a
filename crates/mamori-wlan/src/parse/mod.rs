//! Streaming parsers, one module per product. A parser is fed one line at a time (line
//! numbers from 1) and emits records and malformed-line reports; memory does not grow with
//! the log. Lines that are well-formed but say nothing an audit needs (other log levels,
//! other messages) are skipped silently; lines that look like the format but cannot be read
//! are reported as malformed with their line number.

pub mod cisco;
pub mod freeradius;
pub mod nps;
pub mod syslog_kv;

use crate::record::Record;
use crate::time::LocalTime;

/// What a parser produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Record { line: u64, record: Record },
    Malformed { line: u64, reason: String },
}

/// A streaming parser for one log format.
pub trait Parser {
    /// Feeds one line, without its line ending.
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>);
    /// The input ended (a multi-line record may complete here).
    fn end(&mut self, _out: &mut Vec<Item>) {}
}

/// The formats mamori reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// FreeRADIUS `radius.log` with `auth = yes` (Login OK / Login incorrect lines).
    RadiusLog,
    /// FreeRADIUS `detail` files (accounting, or auth/reply logs).
    Detail,
    /// FreeRADIUS linelog: the stock Connect/Disconnect lines, or one JSON object per line.
    Linelog,
    /// Cisco AireOS and Catalyst 9800 (and IOS 802.1X/login) syslog.
    Cisco,
    /// Windows NPS log file, IAS format.
    NpsIas,
    /// Windows NPS log file, database-compatible (ODBC) format.
    NpsOdbc,
    /// Windows NPS log file, DTS-compliant XML.
    NpsDts,
    /// Meraki MR event syslog.
    Meraki,
    /// Aruba AOS 8 `authmgr` syslog.
    Aruba,
}

impl Format {
    pub const ALL: &[Format] = &[
        Format::RadiusLog,
        Format::Detail,
        Format::Linelog,
        Format::Cisco,
        Format::NpsIas,
        Format::NpsOdbc,
        Format::NpsDts,
        Format::Meraki,
        Format::Aruba,
    ];

    /// The name used on the command line (`--log radius-log:PATH`).
    pub fn key(self) -> &'static str {
        match self {
            Format::RadiusLog => "radius-log",
            Format::Detail => "detail",
            Format::Linelog => "linelog",
            Format::Cisco => "cisco",
            Format::NpsIas => "nps-ias",
            Format::NpsOdbc => "nps-odbc",
            Format::NpsDts => "nps-dts",
            Format::Meraki => "meraki",
            Format::Aruba => "aruba",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.key() == s)
    }

    /// A parser for this format reading local times with `clock`.
    pub fn parser(self, clock: LocalTime) -> Box<dyn Parser> {
        match self {
            Format::RadiusLog => Box::new(freeradius::RadiusLog::new(clock)),
            Format::Detail => Box::new(freeradius::Detail::new(clock)),
            Format::Linelog => Box::new(freeradius::Linelog::new(clock)),
            Format::Cisco => Box::new(cisco::Cisco::new(clock)),
            Format::NpsIas => Box::new(nps::Ias::new(clock)),
            Format::NpsOdbc => Box::new(nps::Odbc::new(clock)),
            Format::NpsDts => Box::new(nps::Dts::new(clock)),
            Format::Meraki => Box::new(syslog_kv::Meraki::new(clock)),
            Format::Aruba => Box::new(syslog_kv::Aruba::new(clock)),
        }
    }

    /// Recognises a format from a file's first non-empty lines; `None` when unsure.
    pub fn detect(first_lines: &[&str]) -> Option<Format> {
        let lines: Vec<&str> = first_lines
            .iter()
            .map(|l| l.trim_end())
            .filter(|l| !l.is_empty())
            .take(20)
            .collect();
        let first = lines.first()?;
        let clock = LocalTime::tokyo(2000);
        if clock.ctime(first).is_some()
            && lines
                .get(1)
                .is_some_and(|l| l.starts_with('\t') && l.contains(" = "))
        {
            return Some(Format::Detail);
        }
        if lines.iter().any(|l| l.contains(" : Auth: ")) {
            return Some(Format::RadiusLog);
        }
        if lines.iter().any(|l| {
            l.contains("%CLIENT_ORCH_LOG-")
                || l.contains("%APF-")
                || l.contains("%SESSION_MGR-")
                || l.contains("%AAA-")
                || l.contains("%DOT1X-")
                || l.contains("%SEC_LOGIN-")
        }) {
            return Some(Format::Cisco);
        }
        if lines.iter().any(|l| l.contains("<Event>") && l.contains("data_type=")) {
            return Some(Format::NpsDts);
        }
        if lines.iter().any(|l| l.contains(" events type=")) {
            return Some(Format::Meraki);
        }
        if lines
            .iter()
            .any(|l| l.contains("authmgr[") || l.contains("User Authentication Successful"))
        {
            return Some(Format::Aruba);
        }
        if lines.iter().any(|l| {
            l.starts_with('{')
                && (l.contains("Calling-Station-Id") || l.contains("calling_station_id"))
        }) || lines
            .iter()
            .any(|l| l.contains("Connect: [") || l.contains("Disconnect: ["))
        {
            return Some(Format::Linelog);
        }
        let fields = nps::split_csv(first);
        let service = |i: usize| fields.get(i).is_some_and(|f| f == "IAS" || f == "NPS");
        let dated = fields.get(2).is_some_and(|d| d.contains('/'));
        if dated && fields.len() >= 26 && service(1) {
            return Some(Format::NpsOdbc);
        }
        if dated && fields.len() >= 6 && service(4) {
            return Some(Format::NpsIas);
        }
        None
    }
}
