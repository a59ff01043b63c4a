//! Streaming parsers, one module per product. A parser is fed one line at a time (line
//! numbers from 1) and emits records and malformed-line reports; memory does not grow with
//! the log. Lines that are well-formed but say nothing an audit needs (other log levels,
//! other messages) are skipped silently; lines that look like the format but cannot be read
//! are reported as malformed with their line number.

pub mod cisco;
pub mod freeradius;
pub mod nps;
pub mod syslog_kv;
pub mod table;

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
    /// A CSV/TSV table with a header: FreeRADIUS `radacct`/`radpostauth` exports, appliance
    /// 認証ログ exports (columns recognised by English or Japanese names).
    Table,
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
        Format::Table,
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
            Format::Table => "table",
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
            Format::Table => Box::new(table::Table::new(clock)),
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
        if lines
            .iter()
            .any(|l| l.contains("<Event>") && l.contains("data_type="))
        {
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
        // A header naming a time and a MAC or user column.
        let mut probe = table::Table::new(clock.clone());
        let mut items = Vec::new();
        probe.line(1, first, &mut items);
        if items.is_empty() && !first.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return Some(Format::Table);
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

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn every_format_is_recognised_from_its_first_lines() {
        let cases: &[(&[&str], Option<Format>)] = &[
            (
                &[
                    "Mon Nov 23 10:15:03 2026 : Auth: (812) Login OK: [host/PC0123] (from client wlc01 port 0 cli 00-11-22-33-44-55)",
                ],
                Some(Format::RadiusLog),
            ),
            (
                &["Mon Nov 23 10:15:04 2026", "\tAcct-Status-Type = Start"],
                Some(Format::Detail),
            ),
            (
                &[
                    "Mon Nov 23 10:15:02 2026 : Connect: [host/PC0123] (did x cli 00-11-22-33-44-55 port 0 ip 1)",
                ],
                Some(Format::Linelog),
            ),
            (
                &[
                    r#"{"time":"2026-11-23T10:00:00+09:00","Calling-Station-Id":"00:11:22:33:44:55"}"#,
                ],
                Some(Format::Linelog),
            ),
            (
                &[
                    "<190>1: Jul 23 2026 14:31:54.468 UTC: %CLIENT_ORCH_LOG-6-CLIENT_ADDED_TO_RUN_STATE: x",
                ],
                Some(Format::Cisco),
            ),
            (
                &["10.0.0.2,u,11/23/2026,10:00:01,IAS,NPS01,4136,2"],
                Some(Format::NpsIas),
            ),
            (
                &[r#"<Event><Timestamp data_type="4">11/23/2026 10:00:01</Timestamp></Event>"#],
                Some(Format::NpsDts),
            ),
            (
                &[
                    "<134>1 1795396861.2 AP events type=8021x_eap_success client_mac='54:8D:5A:EA:30:E9'",
                ],
                Some(Format::Meraki),
            ),
            (
                &[
                    "Nov 23 10:15:02 mc01 authmgr[3956]: <522008> x  User Authentication Successful: MAC=00:11:22:33:44:55",
                ],
                Some(Format::Aruba),
            ),
            (
                &[
                    "id,username,pass,reply,authdate",
                    "1,u,,Access-Accept,2026-11-23 10:00:01",
                ],
                Some(Format::Table),
            ),
            (
                &["認証日時,ユーザー名,MACアドレス,認証結果"],
                Some(Format::Table),
            ),
            (&["hello world", "nothing to see"], None),
            (&[], None),
        ];
        for (lines, want) in cases {
            assert_eq!(Format::detect(lines), *want, "{lines:?}");
        }
    }
}
