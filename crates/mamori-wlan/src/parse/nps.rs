//! Windows NPS log files: IAS format and database-compatible (ODBC) format.

use super::{Item, Parser};
use crate::mac::Mac;
use crate::record::{Kind, Method, Record};
use crate::time::LocalTime;

/// Splits one comma-separated line; `"…"` fields may hold commas, `""` is a quote.
pub fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// The kind of an NPS packet: Packet-Type 2 accept, 3 reject, 4 accounting (with
/// Acct-Status-Type 1 start, 2 stop, 3 interim); requests and others admit nobody.
fn kind(packet_type: &str, acct_status: &str) -> Option<Kind> {
    match packet_type.trim() {
        "2" => Some(Kind::Accept),
        "3" => Some(Kind::Reject),
        "4" => match acct_status.trim() {
            "1" => Some(Kind::AcctStart),
            "2" => Some(Kind::AcctStop),
            "3" => Some(Kind::AcctUpdate),
            _ => None,
        },
        _ => None,
    }
}

/// The method from what NPS logs: MS-Acct-EAP-Type (13 TLS, 25 PEAP, 26 MSCHAPv2), the EAP
/// friendly name, or an Authentication-Type without EAP (1 PAP, 2 CHAP, 3 MS-CHAP,
/// 4 MS-CHAPv2, 11 PEAP). `None` when the log does not say.
fn method(eap_type: &str, friendly: &str, auth_type: &str) -> Option<Method> {
    match eap_type.trim() {
        "" => {}
        t => return Some(Method::parse(t)),
    }
    let f = friendly.to_ascii_lowercase();
    if f.contains("certificate") || f.contains("eap-tls") {
        return Some(Method::EapTls);
    }
    if f.contains("peap") || f.contains("protected eap") {
        return Some(Method::Peap);
    }
    if f.contains("mschap") {
        return Some(Method::Mschapv2);
    }
    match auth_type.trim() {
        "1" | "2" | "3" | "4" => Some(Method::Password),
        "11" => Some(Method::Peap),
        _ => None,
    }
}

fn reason_text(code: &str) -> Option<String> {
    let code = code.trim();
    (!code.is_empty() && code != "0").then(|| format!("Reason-Code {code}"))
}

/// The last Access-Request seen: NPS logs the client's identity on the request, and the
/// Access-Accept / Access-Reject line that follows it may leave User-Name and
/// Calling-Station-Id empty.
#[derive(Debug, Default)]
struct LastRequest(Option<Record>);

impl LastRequest {
    fn remember(&mut self, r: &Record) {
        self.0 = Some(r.clone());
    }

    /// Fills what the decision lacks from a request of the same authenticator at most ten
    /// seconds before it.
    fn fill(&self, r: &mut Record) {
        let Some(q) = &self.0 else {
            return;
        };
        let close = r.time.duration_since(q.time).abs() <= jiff::SignedDuration::from_secs(10);
        let same_nas = r.nas.is_none() || q.nas.is_none() || r.nas == q.nas;
        if !close || !same_nas {
            return;
        }
        if r.user.is_none() {
            r.user.clone_from(&q.user);
        }
        if r.mac.is_none() {
            r.mac = q.mac;
        }
        if r.ap.is_none() {
            r.ap = q.ap;
            r.ssid.clone_from(&q.ssid);
        }
    }
}

/// What the three NPS formats say about one packet, as text.
struct Packet<'a> {
    time: jiff::Timestamp,
    packet_type: &'a str,
    acct_status: &'a str,
    user: &'a str,
    /// The authenticator, in order of preference (friendly name, identifier, address).
    nas: [&'a str; 3],
    calling: &'a str,
    called: &'a str,
    eap_type: &'a str,
    eap_friendly: &'a str,
    auth_type: &'a str,
    reason_code: &'a str,
}

impl LastRequest {
    /// Turns a packet into a record: requests are remembered (they carry the identity),
    /// decisions and accounting are emitted with what they lack filled from the request.
    fn emit(&mut self, lineno: u64, p: &Packet<'_>, out: &mut Vec<Item>) {
        let is_request = p.packet_type.trim() == "1";
        let Some(kind) = kind(p.packet_type, p.acct_status).or(is_request.then_some(Kind::Accept))
        else {
            return;
        };
        let mut r = Record::new(p.time, kind);
        r.user = Some(p.user.to_owned()).filter(|u| !u.is_empty());
        r.nas = p
            .nas
            .iter()
            .find(|n| !n.is_empty())
            .map(|n| (*n).to_owned());
        if !p.calling.is_empty() {
            match Mac::parse(p.calling) {
                Some(m) => r.mac = Some(m),
                None => {
                    return out.push(Item::Malformed {
                        line: lineno,
                        reason: "Calling-Station-Id is not a MAC".into(),
                    });
                }
            }
        }
        if let Some((ap, ssid)) = Mac::parse_station(p.called) {
            r.ap = Some(ap);
            r.ssid = ssid;
        }
        r.method = method(p.eap_type, p.eap_friendly, p.auth_type);
        if kind == Kind::Reject {
            r.reason = reason_text(p.reason_code);
        }
        if is_request {
            self.remember(&r);
            return;
        }
        self.fill(&mut r);
        out.push(Item::Record {
            line: lineno,
            record: r,
        });
    }
}

/// IAS format: `NAS-IP,User-Name,Record-Date,Record-Time,Service,Computer,` then
/// `attribute-id,value` pairs.
pub struct Ias {
    clock: LocalTime,
    last: LastRequest,
}

impl Ias {
    pub fn new(clock: LocalTime) -> Ias {
        Ias {
            clock,
            last: LastRequest::default(),
        }
    }
}

impl Parser for Ias {
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        if line.trim().is_empty() {
            return;
        }
        let f = split_csv(line);
        let bad = |reason: &str| Item::Malformed {
            line: lineno,
            reason: reason.to_owned(),
        };
        if f.len() < 6 || !f.len().is_multiple_of(2) {
            return out.push(bad("not 6 header fields followed by attribute/value pairs"));
        }
        let Some(time) = self.clock.date_and_clock(&f[2], &f[3]) else {
            return out.push(bad("Record-Date/Record-Time unreadable"));
        };
        let attr = |id: &str| {
            f[6..]
                .chunks_exact(2)
                .find(|p| p[0].trim() == id)
                .map(|p| p[1].as_str())
                .unwrap_or("")
        };
        self.last.emit(
            lineno,
            &Packet {
                time,
                packet_type: attr("4136"),
                acct_status: attr("40"),
                user: &f[1],
                nas: [attr("4128"), "", &f[0]],
                calling: attr("31"),
                called: attr("30"),
                eap_type: "",
                eap_friendly: "",
                auth_type: attr("4127"),
                reason_code: attr("4142"),
            },
            out,
        );
    }
}

/// Database-compatible (ODBC) format: fixed columns (1-based) 1 ComputerName, 2 ServiceName,
/// 3 Record-Date, 4 Record-Time, 5 Packet-Type, 6 User-Name, 8 Called-Station-ID,
/// 9 Calling-Station-ID, 12 NAS-Identifier, 13 NAS-IP-Address, 17 Client-Friendly-Name,
/// 24 Authentication-Type, 25 Policy-Name, 26 Reason-Code, 31 EAP-Friendly-Name,
/// 32 Acct-Status-Type, 54 MS-Acct-EAP-Type.
pub struct Odbc {
    clock: LocalTime,
    last: LastRequest,
}

impl Odbc {
    pub fn new(clock: LocalTime) -> Odbc {
        Odbc {
            clock,
            last: LastRequest::default(),
        }
    }
}

impl Parser for Odbc {
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        if line.trim().is_empty() {
            return;
        }
        let f = split_csv(line);
        let col = |n: usize| f.get(n - 1).map(String::as_str).unwrap_or("");
        let bad = |reason: &str| Item::Malformed {
            line: lineno,
            reason: reason.to_owned(),
        };
        if f.len() < 32 {
            return out.push(bad("fewer than 32 columns"));
        }
        let Some(time) = self.clock.date_and_clock(col(3), col(4)) else {
            return out.push(bad("Record-Date/Record-Time unreadable"));
        };
        self.last.emit(
            lineno,
            &Packet {
                time,
                packet_type: col(5),
                acct_status: col(32),
                user: col(6),
                nas: [col(17), col(12), col(13)],
                calling: col(9),
                called: col(8),
                eap_type: col(54),
                eap_friendly: col(31),
                auth_type: col(24),
                reason_code: col(26),
            },
            out,
        );
    }
}

/// DTS-compliant XML: one `<Event>` per line, each attribute a child element
/// (`<Timestamp data_type="4">11/23/2026 10:00:01.123</Timestamp>`, `<Packet-Type
/// data_type="0">2</Packet-Type>`, `<Calling-Station-Id data_type="1">…</…>`, …).
pub struct Dts {
    clock: LocalTime,
    last: LastRequest,
}

impl Dts {
    pub fn new(clock: LocalTime) -> Dts {
        Dts {
            clock,
            last: LastRequest::default(),
        }
    }
}

impl Parser for Dts {
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        if !line.contains("<Event>") {
            return;
        }
        let bad = |reason: String| Item::Malformed {
            line: lineno,
            reason,
        };
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(line);
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut current: Option<(String, String)> = None;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) => {
                    let name = e.name();
                    let n: &str = name.as_ref();
                    current = Some((n.to_owned(), String::new()));
                }
                Ok(Event::Text(t)) => {
                    if let Some((_, v)) = current.as_mut() {
                        v.push_str(&t.xml10_content());
                    }
                }
                Ok(Event::GeneralRef(r)) => {
                    if let Some((_, v)) = current.as_mut() {
                        let name = r.into_inner();
                        match quick_xml::escape::unescape(&format!("&{name};")) {
                            Ok(text) => v.push_str(&text),
                            Err(e) => return out.push(bad(format!("XML reference: {e}"))),
                        }
                    }
                }
                Ok(Event::End(_)) => {
                    if let Some(field) = current.take() {
                        fields.push(field);
                    }
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return out.push(bad(format!("not well-formed XML: {e}"))),
            }
        }
        let get = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map_or("", |(_, v)| v.as_str())
        };
        let ts = get("Timestamp");
        let (date, time) = ts.split_once(' ').unwrap_or((ts, ""));
        let Some(time) = self.clock.date_and_clock(date, time) else {
            return out.push(bad("no readable <Timestamp>".into()));
        };
        self.last.emit(
            lineno,
            &Packet {
                time,
                packet_type: get("Packet-Type"),
                acct_status: get("Acct-Status-Type"),
                user: get("User-Name"),
                nas: [
                    get("Client-Friendly-Name"),
                    get("NAS-Identifier"),
                    get("NAS-IP-Address"),
                ],
                calling: get("Calling-Station-Id"),
                called: get("Called-Station-Id"),
                eap_type: get("MS-Acct-EAP-Type"),
                eap_friendly: get("EAP-Friendly-Name"),
                auth_type: get("Authentication-Type"),
                reason_code: get("Reason-Code"),
            },
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn recs(p: &mut dyn Parser, text: &str) -> Vec<Item> {
        let mut out = Vec::new();
        for (i, l) in text.lines().enumerate() {
            p.line(i as u64 + 1, l, &mut out);
        }
        out
    }

    #[test]
    fn ias_lines() {
        let text = "\
10.0.0.2,host/PC0123.city.lg.jp,11/23/2026,10:00:01,IAS,NPS01,4,10.0.0.2,31,00-11-22-33-44-55,30,00-10-A4-23-19-C0:MYNUMBER-WLAN,4128,wlc01,4127,5,4136,2,4142,0
10.0.0.2,suzuki,11/23/2026,10:00:05,IAS,NPS01,31,00-11-22-33-44-77,4127,4,4136,3,4142,48
10.0.0.2,suzuki,11/23/2026,10:00:04,IAS,NPS01,4136,1
10.0.0.2,x,13/45/2026,10:00:01,IAS,NPS01,4136,2
";
        let out = recs(&mut Ias::new(LocalTime::tokyo(2026)), text);
        assert_eq!(out.len(), 3, "{out:?}");
        let Item::Record { record: a, .. } = &out[0] else {
            unreachable!()
        };
        assert_eq!(a.kind, Kind::Accept);
        assert_eq!(a.nas.as_deref(), Some("wlc01"));
        assert_eq!(a.ssid.as_deref(), Some("MYNUMBER-WLAN"));
        assert_eq!(a.method, None, "EAP without its type: not known");
        let Item::Record { record: r, .. } = &out[1] else {
            unreachable!()
        };
        assert_eq!(
            (r.kind, r.method.clone(), r.reason.as_deref()),
            (Kind::Reject, Some(Method::Password), Some("Reason-Code 48"))
        );
        assert!(matches!(out[2], Item::Malformed { line: 4, .. }));
    }

    #[test]
    fn odbc_lines() {
        let mut cols = vec![String::new(); 60];
        let mut set = |n: usize, v: &str| cols[n - 1] = v.to_owned();
        set(1, "\"NPS01\"");
        set(2, "\"IAS\"");
        set(3, "11/23/2026");
        set(4, "10:00:01");
        set(5, "2");
        set(6, "\"host/PC0123.city.lg.jp\"");
        set(8, "\"00-10-A4-23-19-C0:MYNUMBER-WLAN\"");
        set(9, "\"00-11-22-33-44-55\"");
        set(13, "10.0.0.2");
        set(17, "\"wlc01\"");
        set(24, "5");
        set(31, "\"Microsoft: Smart Card or other certificate\"");
        let line = cols.join(",");
        let out = recs(&mut Odbc::new(LocalTime::tokyo(2026)), &line);
        let Item::Record { record: a, .. } = &out[0] else {
            unreachable!()
        };
        assert_eq!(a.method, Some(Method::EapTls));
        assert_eq!(a.mac.unwrap().to_string(), "00-11-22-33-44-55");
        assert_eq!(a.nas.as_deref(), Some("wlc01"));
        assert_eq!(a.time, "2026-11-23T01:00:01Z".parse().unwrap());
        assert_eq!(
            super::super::Format::detect(&[line.as_str()]),
            Some(super::super::Format::NpsOdbc)
        );
        assert_eq!(
            super::super::Format::detect(&["10.0.0.2,u,11/23/2026,10:00:01,IAS,NPS01,4136,2"]),
            Some(super::super::Format::NpsIas)
        );
    }

    #[test]
    fn dts_events() {
        let text = r#"<Event><Timestamp data_type="4">11/23/2026 10:00:01.123</Timestamp><Computer-Name data_type="1">NPS01</Computer-Name><Event-Source data_type="1">IAS</Event-Source><User-Name data_type="1">host/PC0123.city.example.lg.jp</User-Name><Called-Station-Id data_type="1">00-10-A4-23-19-C0:MYNUMBER-WLAN</Called-Station-Id><Calling-Station-Id data_type="1">00-11-22-33-44-55</Calling-Station-Id><Client-Friendly-Name data_type="1">wlc01</Client-Friendly-Name><Authentication-Type data_type="0">5</Authentication-Type><EAP-Friendly-Name data_type="1">Microsoft: Smart Card or other certificate</EAP-Friendly-Name><Packet-Type data_type="0">2</Packet-Type><Reason-Code data_type="0">0</Reason-Code></Event>
<Event><Timestamp data_type="4">11/23/2026 10:00:02.000</Timestamp><User-Name data_type="1">suzuki &amp; co</User-Name><Packet-Type data_type="0">3</Packet-Type><Reason-Code data_type="0">16</Reason-Code><Authentication-Type data_type="0">11</Authentication-Type></Event>
<Event><Timestamp data_type="4">11/23/2026 10:00:03</Timestamp><Packet-Type>2</Packet-Type><User-Name>x</Event>
"#;
        let out = recs(&mut Dts::new(LocalTime::tokyo(2026)), text);
        assert_eq!(out.len(), 3, "{out:?}");
        let Item::Record { record: a, .. } = &out[0] else {
            unreachable!()
        };
        assert_eq!(a.method, Some(Method::EapTls));
        assert_eq!(a.nas.as_deref(), Some("wlc01"));
        assert_eq!(a.time, "2026-11-23T01:00:01.123Z".parse().unwrap());
        let Item::Record { record: r, .. } = &out[1] else {
            unreachable!()
        };
        assert_eq!(r.user.as_deref(), Some("suzuki & co"));
        assert_eq!(r.method, Some(Method::Peap));
        assert_eq!(r.reason.as_deref(), Some("Reason-Code 16"));
        assert!(matches!(out[2], Item::Malformed { line: 3, .. }));
    }

    #[test]
    fn a_decision_without_identity_takes_it_from_its_request() {
        let text = "\
10.0.0.2,host/PC0123.city.example.lg.jp,11/23/2026,10:00:01,IAS,NPS01,31,00-11-22-33-44-55,4128,wlc01,4136,1
10.0.0.2,,11/23/2026,10:00:01,IAS,NPS01,4128,wlc01,4127,5,4136,2,4142,0
10.0.0.2,,11/23/2026,10:05:00,IAS,NPS01,4128,wlc01,4136,2,4142,0
";
        let out = recs(&mut Ias::new(LocalTime::tokyo(2026)), text);
        assert_eq!(out.len(), 2, "{out:?}");
        let Item::Record { record: a, .. } = &out[0] else {
            unreachable!()
        };
        assert_eq!(a.user.as_deref(), Some("host/PC0123.city.example.lg.jp"));
        assert_eq!(a.mac.unwrap().to_string(), "00-11-22-33-44-55");
        // Five minutes later nothing is borrowed.
        let Item::Record { record: b, .. } = &out[1] else {
            unreachable!()
        };
        assert_eq!((b.user.as_deref(), b.mac), (None, None));
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(
            split_csv(r#"a,"b,c","d""e",,"#),
            ["a", "b,c", "d\"e", "", ""]
        );
    }
}
