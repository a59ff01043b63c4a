//! FreeRADIUS 3.x: `radius.log` authentication lines, `detail` files and linelog output.

use std::collections::HashMap;

use jiff::Timestamp;

use super::{Item, Parser};
use crate::mac::Mac;
use crate::record::{Kind, Method, Record, normalise_serial};
use crate::time::{self, LocalTime};

/// `radius.log` with `auth = yes`:
/// `Mon Nov 23 10:15:02 2026 : Auth: (812) Login OK: [host/PC0123] (from client wlc01 port 0 cli 00-11-22-33-44-55)`.
pub struct RadiusLog {
    clock: LocalTime,
}

impl RadiusLog {
    pub fn new(clock: LocalTime) -> RadiusLog {
        RadiusLog { clock }
    }
}

impl Parser for RadiusLog {
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        let Some((when, rest)) = line.split_once(" : ") else {
            return;
        };
        let Some(auth) = rest.strip_prefix("Auth: ") else {
            return; // Info:, Error:, Debug: … say nothing about who got in.
        };
        let bad = |reason: &str| Item::Malformed {
            line: lineno,
            reason: reason.to_owned(),
        };
        let Some(time) = self.clock.ctime(when) else {
            out.push(bad("time stamp is not `Www Mmm dd hh:mm:ss yyyy`"));
            return;
        };
        match parse_auth(auth, time) {
            Ok(Some(record)) => out.push(Item::Record {
                line: lineno,
                record,
            }),
            Ok(None) => {}
            Err(e) => out.push(bad(e)),
        }
    }
}

fn parse_auth(s: &str, time: Timestamp) -> Result<Option<Record>, &'static str> {
    // Optional request number `(812) `.
    let s = match s.strip_prefix('(') {
        Some(r) => match r.split_once(") ") {
            Some((n, rest)) if n.bytes().all(|b| b.is_ascii_digit()) => rest,
            _ => s,
        },
        None => s,
    };
    let (msg, rest) = s.split_once(": [").ok_or("no `: [User-Name]`")?;
    let kind = if msg.starts_with("Login OK") {
        Kind::Accept
    } else if msg.starts_with("Login incorrect") || msg.starts_with("Invalid user") {
        Kind::Reject
    } else {
        return Ok(None);
    };
    let end = rest
        .rfind("] (from client ")
        .ok_or("no `(from client …)`")?;
    let user = &rest[..end];
    let tail = &rest[end + "] (from client ".len()..];
    let close = tail.rfind(')').ok_or("unterminated `(from client …`")?;
    let inside = &tail[..close];
    let mut words = inside.split(' ');
    let client = words
        .next()
        .filter(|c| !c.is_empty())
        .ok_or("no client name")?;
    let mut r = Record::new(time, kind);
    // With `auth_goodpass`/`auth_badpass` the password follows a `/`; never keep it. A
    // machine account `host/PC0123.example` keeps its slash.
    r.user = Some(match user.strip_prefix("host/") {
        // `host/PC0123/<password or via Auth-Type>`: keep `host/PC0123`.
        Some(rest) => format!("host/{}", rest.split('/').next().unwrap_or(rest)),
        None => user.split('/').next().unwrap_or(user).to_owned(),
    });
    r.nas = Some(client.to_owned());
    let mut it = inside.split(' ').peekable();
    while let Some(w) = it.next() {
        match w {
            "cli" => {
                if let Some(m) = it.next() {
                    r.mac = Mac::parse(m);
                }
            }
            // The inner authentication of PEAP or TTLS: a password, not a certificate.
            "via" if it.peek() == Some(&"TLS") => {
                r.method = Some(Method::Other("PEAP/TTLS inner tunnel".into()));
            }
            _ => {}
        }
    }
    if kind == Kind::Reject {
        r.reason = msg
            .strip_prefix("Login incorrect")
            .map(|m| {
                m.trim()
                    .trim_start_matches('(')
                    .trim_end_matches(')')
                    .to_owned()
            })
            .filter(|m| !m.is_empty());
    }
    Ok(Some(r))
}

/// `detail` files: a ctime header line, then tab-indented `Attribute = value` lines, then a
/// blank line. Accounting records become start/update/stop events; with `auth_log` or
/// `reply_log` (Packet-Type Access-Accept / Access-Reject) authentications.
pub struct Detail {
    clock: LocalTime,
    current: Option<(u64, Option<Timestamp>, HashMap<String, String>)>,
}

impl Detail {
    pub fn new(clock: LocalTime) -> Detail {
        Detail {
            clock,
            current: None,
        }
    }

    fn finish(&mut self, out: &mut Vec<Item>) {
        let Some((line, header_time, attrs)) = self.current.take() else {
            return;
        };
        let time = attrs
            .get("timestamp")
            .and_then(|t| time::unix(t))
            .or_else(|| attrs.get("event-timestamp").and_then(|t| time::unix(t)))
            .or(header_time);
        let Some(time) = time else {
            out.push(Item::Malformed {
                line,
                reason: "record without a readable time".into(),
            });
            return;
        };
        match record_from_attributes(&attrs, time) {
            Ok(Some(record)) => out.push(Item::Record { line, record }),
            Ok(None) => {}
            Err(reason) => out.push(Item::Malformed { line, reason }),
        }
    }
}

impl Parser for Detail {
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        if line.trim().is_empty() {
            self.finish(out);
            return;
        }
        if line.starts_with('\t') || line.starts_with(' ') {
            let Some((_, _, attrs)) = self.current.as_mut() else {
                out.push(Item::Malformed {
                    line: lineno,
                    reason: "attribute line outside a record".into(),
                });
                return;
            };
            match line.trim().split_once(" = ") {
                Some((k, v)) => {
                    attrs.insert(k.trim().to_ascii_lowercase(), unquote(v));
                }
                None => out.push(Item::Malformed {
                    line: lineno,
                    reason: "not `Attribute = value`".into(),
                }),
            }
            return;
        }
        // A header: the previous record ends here even without a blank line.
        self.finish(out);
        let t = self.clock.ctime(line);
        if t.is_none() {
            out.push(Item::Malformed {
                line: lineno,
                reason: "record header is not a `Www Mmm dd hh:mm:ss yyyy` time".into(),
            });
        }
        self.current = Some((lineno, t, HashMap::new()));
    }

    fn end(&mut self, out: &mut Vec<Item>) {
        self.finish(out);
    }
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    match v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => v.to_owned(),
    }
}

/// A record from RADIUS attributes (lower-case names), as detail files and JSON linelog
/// carry them. `Ok(None)`: a packet that admits or refuses nobody (Accounting-On, a request).
fn record_from_attributes(
    attrs: &HashMap<String, String>,
    time: Timestamp,
) -> Result<Option<Record>, String> {
    let get = |k: &str| attrs.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let kind = if let Some(status) = get("acct-status-type") {
        match status {
            "Start" | "1" => Kind::AcctStart,
            "Interim-Update" | "Alive" | "3" => Kind::AcctUpdate,
            "Stop" | "2" => Kind::AcctStop,
            _ => return Ok(None),
        }
    } else {
        match get("packet-type").or(get("reply")).or(get("result")) {
            Some("Access-Accept" | "accept" | "Accept" | "2") => Kind::Accept,
            Some("Access-Reject" | "reject" | "Reject" | "3") => Kind::Reject,
            Some(_) => return Ok(None),
            None => return Err("neither Acct-Status-Type nor Packet-Type".into()),
        }
    };
    let mut r = Record::new(time, kind);
    r.user = get("user-name").map(str::to_owned);
    if let Some(m) = get("calling-station-id") {
        r.mac =
            Some(Mac::parse(m).ok_or_else(|| format!("Calling-Station-Id {m:?} is not a MAC"))?);
    }
    if let Some((ap, ssid)) = get("called-station-id").and_then(Mac::parse_station) {
        r.ap = Some(ap);
        r.ssid = ssid;
    }
    if let Some(s) = get("called-station-ssid") {
        r.ssid = Some(s.to_owned());
    }
    r.nas = get("nas-ip-address")
        .or(get("nas-identifier"))
        .or(get("packet-src-ip-address"))
        .or(get("client-shortname"))
        .map(str::to_owned);
    r.method = get("eap-type").map(Method::parse);
    r.cert_serial = get("tls-client-cert-serial").and_then(normalise_serial);
    r.cert_cn = get("tls-client-cert-common-name").map(str::to_owned);
    r.reason = get("reply-message")
        .or(get("module-failure-message"))
        .map(str::to_owned);
    Ok(Some(r))
}

/// linelog output: the stock accounting lines
/// `Connect: [user] (did AP cli MAC port N ip IP)` / `Disconnect: [...] N seconds`, after a
/// time stamp (ctime ` : `, RFC 3339, or a syslog header when sent to syslog); or one JSON
/// object per line whose keys are RADIUS attribute names (`User-Name`,
/// `TLS-Client-Cert-Serial`, … in any case, `-` or `_`) plus `time`/`timestamp`.
pub struct Linelog {
    clock: LocalTime,
}

impl Linelog {
    pub fn new(clock: LocalTime) -> Linelog {
        Linelog { clock }
    }

    fn json(&self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        let bad = |reason: String| Item::Malformed {
            line: lineno,
            reason,
        };
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => return out.push(bad(format!("not JSON: {e}"))),
        };
        let Some(obj) = v.as_object() else {
            return out.push(bad("not a JSON object".into()));
        };
        let mut attrs = HashMap::new();
        for (k, v) in obj {
            let key = k.to_ascii_lowercase().replace('_', "-");
            let val = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => continue,
            };
            attrs.insert(key, val);
        }
        let time = ["time", "timestamp", "event-timestamp", "@timestamp"]
            .iter()
            .find_map(|k| attrs.get(*k))
            .and_then(|t| {
                time::unix(t)
                    .or_else(|| self.clock.iso(t))
                    .or_else(|| self.clock.ctime(t))
            });
        let Some(time) = time else {
            return out.push(bad("no readable `time`/`timestamp`".into()));
        };
        match record_from_attributes(&attrs, time) {
            Ok(Some(record)) => out.push(Item::Record {
                line: lineno,
                record,
            }),
            Ok(None) => {}
            Err(e) => out.push(bad(e)),
        }
    }
}

impl Parser for Linelog {
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        let line = line.trim_end();
        if line.is_empty() {
            return;
        }
        if line.starts_with('{') {
            return self.json(lineno, line, out);
        }
        let (kind, at) = match (line.find("Connect: ["), line.find("Disconnect: [")) {
            (_, Some(i)) => (Kind::AcctStop, i),
            (Some(i), None) => (Kind::AcctStart, i),
            (None, None) => return,
        };
        let bad = |reason: &str| Item::Malformed {
            line: lineno,
            reason: reason.to_owned(),
        };
        let prefix = line[..at].trim().trim_end_matches(':').trim();
        let time = self
            .clock
            .ctime(prefix.trim_end_matches(" :").trim())
            .or_else(|| self.clock.iso(prefix.trim_end_matches(" :").trim()))
            .or_else(|| prefix.split_once(' ').and_then(|(t, _)| self.clock.iso(t)))
            .or_else(|| self.clock.syslog(prefix).map(|(t, _)| t));
        let Some(time) = time else {
            return out.push(bad(
                "no time stamp before the message (add one to the linelog format, or log via syslog)",
            ));
        };
        let body = &line[at..];
        let Some(open) = body.find('[') else {
            return out.push(bad("no `[User-Name]`"));
        };
        let Some(close) = body.find("] (") else {
            return out.push(bad("no `] (` after the user name"));
        };
        let mut r = Record::new(time, kind);
        r.user = Some(body[open + 1..close].to_owned()).filter(|u| !u.is_empty());
        let inside = &body[close + 3..];
        let inside = inside.split(')').next().unwrap_or(inside);
        let mut it = inside.split(' ');
        while let Some(w) = it.next() {
            match w {
                "did" => {
                    if let Some((ap, ssid)) = it.next().and_then(Mac::parse_station) {
                        r.ap = Some(ap);
                        r.ssid = ssid;
                    }
                }
                "cli" => r.mac = it.next().and_then(Mac::parse),
                _ => {}
            }
        }
        if r.mac.is_none() {
            return out.push(bad("no client MAC after `cli`"));
        }
        out.push(Item::Record {
            line: lineno,
            record: r,
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn run(p: &mut dyn Parser, text: &str) -> Vec<Item> {
        let mut out = Vec::new();
        for (i, l) in text.lines().enumerate() {
            p.line(i as u64 + 1, l, &mut out);
        }
        p.end(&mut out);
        out
    }

    fn records(items: &[Item]) -> Vec<&Record> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Record { record, .. } => Some(record),
                Item::Malformed { .. } => None,
            })
            .collect()
    }

    #[test]
    fn radius_log_accepts_rejects_and_noise() {
        let text = "\
Mon Nov 23 10:15:02 2026 : Info: Ready to process requests
Mon Nov 23 10:15:03 2026 : Auth: (812) Login OK: [host/PC0123.city.lg.jp] (from client wlc01 port 0 cli 00-11-22-33-44-55)
Mon Nov 23 10:16:00 2026 : Auth: (813) Login incorrect (eap_tls: TLS Alert read:fatal:unknown CA): [host/ROGUE] (from client wlc01 port 0 cli aa:bb:cc:00:11:22)
Mon Nov 23 10:17:00 2026 : Auth: (814) Login OK: [tanaka/secret] (from client wlc01 port 0 cli 00-11-22-33-44-66 via TLS tunnel)
Mon Nov 99 10:17:00 2026 : Auth: (815) Login OK: [x] (from client wlc01 port 0)
Mon Nov 23 10:18:00 2026 : Auth: (816) Login OK: x (from client wlc01)
";
        let items = run(&mut RadiusLog::new(LocalTime::tokyo(2026)), text);
        let recs = records(&items);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].kind, Kind::Accept);
        assert_eq!(recs[0].user.as_deref(), Some("host/PC0123.city.lg.jp"));
        assert_eq!(recs[0].mac.unwrap().to_string(), "00-11-22-33-44-55");
        assert_eq!(recs[0].nas.as_deref(), Some("wlc01"));
        assert_eq!(recs[0].time, "2026-11-23T01:15:03Z".parse().unwrap());
        assert_eq!(recs[1].kind, Kind::Reject);
        assert_eq!(
            recs[1].reason.as_deref(),
            Some("eap_tls: TLS Alert read:fatal:unknown CA")
        );
        // The password logged by auth_goodpass is never kept.
        assert_eq!(recs[2].user.as_deref(), Some("tanaka"));
        // A machine account with auth_goodpass: the password part is dropped too.
        let mut out = Vec::new();
        RadiusLog::new(LocalTime::tokyo(2026)).line(
            1,
            "Mon Nov 23 10:17:00 2026 : Auth: (9) Login incorrect: [host/x/Hunter2] (from client wlc01 port 0)",
            &mut out,
        );
        assert!(
            matches!(&out[0], Item::Record { record, .. } if record.user.as_deref() == Some("host/x"))
        );
        assert_eq!(
            recs[2].method,
            Some(Method::Other("PEAP/TTLS inner tunnel".into()))
        );
        let bad: Vec<u64> = items
            .iter()
            .filter_map(|i| match i {
                Item::Malformed { line, .. } => Some(*line),
                Item::Record { .. } => None,
            })
            .collect();
        assert_eq!(bad, [5, 6]);
    }

    #[test]
    fn detail_records_with_and_without_trailing_blank() {
        let text = "\
Mon Nov 23 10:15:04 2026
\tPacket-Type = Accounting-Request
\tAcct-Status-Type = Start
\tUser-Name = \"host/PC0123.city.lg.jp\"
\tNAS-IP-Address = 10.0.0.2
\tCalled-Station-Id = \"00-10-A4-23-19-C0:MYNUMBER-WLAN\"
\tCalling-Station-Id = \"00-11-22-33-44-55\"
\tTLS-Client-Cert-Serial = \"01AB\"
\tTimestamp = 1795396504

Mon Nov 23 10:15:05 2026
\tPacket-Type = Accounting-Request
\tAcct-Status-Type = Accounting-On
\tNAS-IP-Address = 10.0.0.2

Mon Nov 23 10:20:00 2026
\tAcct-Status-Type = Stop
\tbroken line
\tCalling-Station-Id = \"00-11-22-33-44-55\"";
        let items = run(&mut Detail::new(LocalTime::tokyo(2026)), text);
        let recs = records(&items);
        assert_eq!(recs.len(), 2, "{items:?}");
        let start = recs[0];
        assert_eq!(start.kind, Kind::AcctStart);
        assert_eq!(start.ssid.as_deref(), Some("MYNUMBER-WLAN"));
        assert_eq!(start.nas.as_deref(), Some("10.0.0.2"));
        assert_eq!(start.cert_serial.as_deref(), Some("01ab"));
        assert_eq!(start.time, Timestamp::from_second(1_795_396_504).unwrap());
        assert_eq!(recs[1].kind, Kind::AcctStop);
        assert_eq!(recs[1].time, "2026-11-23T01:20:00Z".parse().unwrap());
        assert!(items.contains(&Item::Malformed {
            line: 18,
            reason: "not `Attribute = value`".into()
        }));
    }

    #[test]
    fn linelog_stock_and_json() {
        let text = r#"Mon Nov 23 10:15:02 2026 : Connect: [host/PC0123] (did 00-10-A4-23-19-C0:MYNUMBER-WLAN cli 00-11-22-33-44-55 port 0 ip 10.1.0.5)
2026-11-23 10:45:02 : Disconnect: [host/PC0123] (did 00-10-A4-23-19-C0:MYNUMBER-WLAN cli 00-11-22-33-44-55 port 0 ip 10.1.0.5) 1800 seconds
Connect: [x] (did a cli 00-11-22-33-44-55 port 0 ip 1)
{"time":"2026-11-23T10:15:03+09:00","Packet-Type":"Access-Accept","User-Name":"host/PC0123","Calling-Station-Id":"00:11:22:33:44:55","NAS-IP-Address":"10.0.0.2","EAP-Type":"TLS","TLS-Client-Cert-Serial":"1A2B","TLS-Client-Cert-Common-Name":"PC0123.city.lg.jp"}
{"timestamp":1795396600,"reply":"Access-Accept","user_name":"suzuki","calling_station_id":"00-11-22-33-44-77","eap_type":"PEAP"}
{"time": "x"}
"#;
        let items = run(&mut Linelog::new(LocalTime::tokyo(2026)), text);
        let recs = records(&items);
        assert_eq!(recs.len(), 4, "{items:?}");
        assert_eq!(recs[0].kind, Kind::AcctStart);
        assert_eq!(recs[0].ap.unwrap().to_string(), "00-10-A4-23-19-C0");
        assert_eq!(recs[1].kind, Kind::AcctStop);
        assert_eq!(recs[1].time, "2026-11-23T01:45:02Z".parse().unwrap());
        assert_eq!(recs[2].method, Some(Method::EapTls));
        assert_eq!(recs[2].cert_serial.as_deref(), Some("1a2b"));
        assert_eq!(recs[2].cert_cn.as_deref(), Some("PC0123.city.lg.jp"));
        assert_eq!(recs[3].method, Some(Method::Peap));
        assert_eq!(recs[3].user.as_deref(), Some("suzuki"));
        let bad: Vec<u64> = items
            .iter()
            .filter_map(|i| match i {
                Item::Malformed { line, .. } => Some(*line),
                Item::Record { .. } => None,
            })
            .collect();
        assert_eq!(bad, [3, 6]);
    }
}
