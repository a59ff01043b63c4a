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

pub struct Table {
    clock: LocalTime,
    delimiter: Option<char>,
    columns: Option<Vec<Option<usize>>>,
}

impl Table {
    pub fn new(clock: LocalTime) -> Table {
        Table {
            clock,
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
                .map(|(_, names)| {
                    header
                        .iter()
                        .position(|h| names.iter().any(|n| norm(n) == *h))
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
        let kind = if cols[3].is_some() {
            match get(3).to_lowercase().as_str() {
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
