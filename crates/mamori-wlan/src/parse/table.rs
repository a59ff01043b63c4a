//! Tables exported as CSV/TSV with a header row: FreeRADIUS `radacct` / `radpostauth`
//! exports (SQL column names) and appliance exports such as an authentication-server
//! 認証ログ, recognised by English or Japanese column names.

use super::{Item, Parser};
use crate::mac::Mac;
use crate::record::{Kind, Method, Record, normalise_serial};
use crate::time::LocalTime;

/// Accepted header names per field (compared without case, spaces, `-` and `_`).
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "time",
        &[
            "acctstarttime",
            "authdate",
            "time",
            "timestamp",
            "datetime",
            "date",
            "日時",
            "日付時刻",
            "認証日時",
            "発生日時",
            "受信日時",
        ],
    ),
    (
        "mac",
        &[
            "callingstationid",
            "mac",
            "macaddress",
            "clientmac",
            "MACアドレス",
            "端末MACアドレス",
            "クライアントMACアドレス",
        ],
    ),
    (
        "user",
        &[
            "username",
            "user",
            "userid",
            "identity",
            "ユーザー名",
            "ユーザ名",
            "ユーザーID",
            "ユーザID",
            "認証ID",
        ],
    ),
    (
        "result",
        &[
            "reply",
            "result",
            "status",
            "authresult",
            "結果",
            "認証結果",
        ],
    ),
    (
        "nas",
        &[
            "nasipaddress",
            "nasidentifier",
            "nas",
            "client",
            "clientname",
            "認証装置",
            "NAS",
            "クライアント",
            "NASIPアドレス",
        ],
    ),
    ("ap", &["calledstationid", "apmac", "bssid"]),
    ("ssid", &["ssid", "SSID"]),
    (
        "method",
        &["eaptype", "method", "authmethod", "認証方式", "EAPタイプ"],
    ),
    (
        "serial",
        &[
            "certserial",
            "tlsclientcertserial",
            "証明書シリアル",
            "証明書シリアル番号",
        ],
    ),
    (
        "cn",
        &[
            "certcn",
            "tlsclientcertcommonname",
            "証明書CN",
            "証明書コモンネーム",
        ],
    ),
];

fn norm(s: &str) -> String {
    s.trim()
        .trim_matches('"')
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '　'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which header names the fields of an export whose columns mamori does not know, and which
/// result values mean accept and reject: a TOML file such as
///
/// ```toml
/// time = "受信日時"
/// mac = "端末MAC"
/// user = "ログインID"
/// result = "判定"
/// accept = ["OK"]
/// reject = ["NG"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableMap {
    pub time: Option<String>,
    pub mac: Option<String>,
    pub user: Option<String>,
    pub result: Option<String>,
    pub nas: Option<String>,
    pub ap: Option<String>,
    pub ssid: Option<String>,
    pub method: Option<String>,
    pub serial: Option<String>,
    pub cn: Option<String>,
    #[serde(default)]
    pub accept: Vec<String>,
    #[serde(default)]
    pub reject: Vec<String>,
}

impl TableMap {
    /// Reads a mapping file; the error names the file and the line.
    pub fn from_toml(path: &str, text: &str) -> Result<TableMap, String> {
        toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            format!("{path}:{line}: {}", e.message())
        })
    }

    fn field(&self, i: usize) -> Option<&str> {
        [
            &self.time,
            &self.mac,
            &self.user,
            &self.result,
            &self.nas,
            &self.ap,
            &self.ssid,
            &self.method,
            &self.serial,
            &self.cn,
        ][i]
            .as_deref()
    }
}

pub struct Table {
    clock: LocalTime,
    map: TableMap,
    delimiter: Option<char>,
    columns: Option<Vec<Option<usize>>>,
}

impl Table {
    pub fn new(clock: LocalTime) -> Table {
        Table::with_map(clock, TableMap::default())
    }

    /// Header names from `map` first, then the names mamori knows.
    pub fn with_map(clock: LocalTime, map: TableMap) -> Table {
        Table {
            clock,
            map,
            delimiter: None,
            columns: None,
        }
    }

    fn split(&self, line: &str) -> Vec<String> {
        match self.delimiter {
            Some('\t') => line.split('\t').map(|c| c.trim().to_owned()).collect(),
            _ => super::nps::split_csv(line)
                .into_iter()
                .map(|c| c.trim().to_owned())
                .collect(),
        }
    }
}

impl Parser for Table {
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            return;
        }
        let bad = |reason: String| Item::Malformed {
            line: lineno,
            reason,
        };
        let Some(cols) = &self.columns else {
            self.delimiter = Some(if line.contains('\t') && !line.contains(',') {
                '\t'
            } else {
                ','
            });
            let header: Vec<String> = self.split(line).iter().map(|h| norm(h)).collect();
            let cols: Vec<Option<usize>> = COLUMNS
                .iter()
                .enumerate()
                .map(|(i, (_, names))| {
                    self.map
                        .field(i)
                        .and_then(|m| header.iter().position(|h| *h == norm(m)))
                        .or_else(|| {
                            header
                                .iter()
                                .position(|h| names.iter().any(|n| norm(n) == *h))
                        })
                })
                .collect();
            if cols[0].is_none() || cols[1].is_none() && cols[2].is_none() {
                out.push(bad(
                    "header names no time column, or neither a MAC nor a user column".into(),
                ));
            }
            self.columns = Some(cols);
            return;
        };
        let cols = cols.clone();
        let cells = self.split(line);
        let get = |field: usize| {
            cols[field]
                .and_then(|i| cells.get(i))
                .map_or("", |c| c.as_str())
        };
        let t = get(0);
        let time = self.clock.iso(t).or_else(|| {
            let (d, c) = t.split_once(' ')?;
            self.clock.date_and_clock(d, c)
        });
        let Some(time) = time else {
            return out.push(bad(format!("time {t:?} unreadable")));
        };
        let result = get(3);
        let kind = if self.map.accept.iter().any(|a| a == result) {
            Kind::Accept
        } else if self.map.reject.iter().any(|r| r == result) {
            Kind::Reject
        } else if cols[3].is_some() {
            match result.to_lowercase().as_str() {
                "access-accept" | "accept" | "success" | "ok" | "成功" | "許可" | "認証成功" => {
                    Kind::Accept
                }
                "access-reject" | "reject" | "failure" | "fail" | "ng" | "失敗" | "拒否"
                | "認証失敗" => Kind::Reject,
                "" => return out.push(bad("empty result".into())),
                _ => return,
            }
        } else {
            // radacct: one row per session, from its start.
            Kind::AcctStart
        };
        let mut r = Record::new(time, kind);
        let mac = get(1);
        if !mac.is_empty() {
            match Mac::parse(mac) {
                Some(m) => r.mac = Some(m),
                None => return out.push(bad(format!("{mac:?} is not a MAC address"))),
            }
        }
        r.user = Some(get(2).to_owned()).filter(|u| !u.is_empty());
        r.nas = Some(get(4).to_owned()).filter(|n| !n.is_empty());
        if let Some((ap, ssid)) = Mac::parse_station(get(5)) {
            r.ap = Some(ap);
            r.ssid = ssid;
        }
        if !get(6).is_empty() {
            r.ssid = Some(get(6).to_owned());
        }
        r.method = Some(get(7)).filter(|m| !m.is_empty()).map(Method::parse);
        r.cert_serial = normalise_serial(get(8));
        r.cert_cn = Some(get(9).to_owned()).filter(|c| !c.is_empty());
        out.push(Item::Record {
            line: lineno,
            record: r,
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run(text: &str) -> Vec<Item> {
        let mut p = Table::new(LocalTime::tokyo(2026));
        let mut out = Vec::new();
        for (i, l) in text.lines().enumerate() {
            p.line(i as u64 + 1, l, &mut out);
        }
        out
    }

    #[test]
    fn radpostauth_export() {
        let out = run(
            "id,username,pass,reply,authdate,class,calledstationid,callingstationid\n\
1,host/PC0123,,Access-Accept,2026-11-23 10:00:01.123456,,00-10-A4-23-19-C0:MYNUMBER-WLAN,00-11-22-33-44-55\n\
2,suzuki,,Access-Reject,2026-11-23 10:00:02,,,00-11-22-33-44-77\n\
3,x,,Access-Accept,yesterday,,,\n",
        );
        assert_eq!(out.len(), 3, "{out:?}");
        let Item::Record { record: a, .. } = &out[0] else {
            unreachable!()
        };
        assert_eq!(a.kind, Kind::Accept);
        assert_eq!(a.ssid.as_deref(), Some("MYNUMBER-WLAN"));
        assert_eq!(a.time, "2026-11-23T01:00:01.123456Z".parse().unwrap());
        assert!(matches!(&out[1], Item::Record { record, .. } if record.kind == Kind::Reject));
        assert!(matches!(out[2], Item::Malformed { line: 4, .. }));
    }

    #[test]
    fn a_mapping_file_names_unknown_columns_and_values() {
        let map = TableMap::from_toml(
            "eps.toml",
            "time = \"受信日時\"\nmac = \"端末MAC\"\nuser = \"ログインID\"\nresult = \"判定\"\naccept = [\"OK\"]\nreject = [\"NG\"]\n",
        )
        .unwrap();
        let mut p = Table::with_map(LocalTime::tokyo(2026), map);
        let mut out = Vec::new();
        for (i, l) in "受信日時,ログインID,端末MAC,判定\n2026/11/23 10:00:01,host/PC0123,00-11-22-33-44-55,OK\n2026/11/23 10:00:02,x,00-11-22-33-44-56,NG\n"
            .lines()
            .enumerate()
        {
            p.line(i as u64 + 1, l, &mut out);
        }
        let kinds: Vec<Kind> = out
            .iter()
            .filter_map(|i| match i {
                Item::Record { record, .. } => Some(record.kind),
                Item::Malformed { .. } => None,
            })
            .collect();
        assert_eq!(kinds, [Kind::Accept, Kind::Reject]);
        assert_eq!(
            TableMap::from_toml("eps.toml", "time = \"t\"\ncolour = \"x\"\n").unwrap_err(),
            "eps.toml:2: unknown field `colour`, expected one of `time`, `mac`, `user`, `result`, `nas`, `ap`, `ssid`, `method`, `serial`, `cn`, `accept`, `reject`"
        );
    }

    #[test]
    fn japanese_appliance_export_and_radacct() {
        let out = run(
            "認証日時\tユーザー名\tMACアドレス\t認証結果\t認証方式\t証明書シリアル\n\
2026/11/23 10:00:01\thost/PC0123\t00:11:22:33:44:55\t成功\tEAP-TLS\t01:AB\n",
        );
        let Item::Record { record: r, .. } = &out[0] else {
            unreachable!()
        };
        assert_eq!(r.method, Some(Method::EapTls));
        assert_eq!(r.cert_serial.as_deref(), Some("01ab"));
        let out = run(
            "radacctid,acctsessionid,username,nasipaddress,acctstarttime,acctstoptime,callingstationid\n\
7,abc,host/PC0123,10.0.0.2,2026-11-23 09:00:00+09,2026-11-23 10:00:00+09,00-11-22-33-44-55\n",
        );
        assert!(
            matches!(&out[0], Item::Record { record, .. } if record.kind == Kind::AcctStart),
            "{out:?}"
        );
        assert!(
            run("a,b\n1,2\n")
                .iter()
                .any(|i| matches!(i, Item::Malformed { line: 1, .. }))
        );
    }
}
