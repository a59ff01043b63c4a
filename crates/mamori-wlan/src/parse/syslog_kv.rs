//! Syslog from Meraki MR access points (`events type=… key='value'`) and Aruba AOS 8
//! controllers (`authmgr` messages with `key=value` pairs).

use super::{Item, Parser};
use crate::mac::Mac;
use crate::record::{Kind, Method, Record};
use crate::time::LocalTime;

/// `key='value'` or `key=value` pairs (a quoted value ends at its closing quote, an unquoted
/// one at the next space).
fn pairs(s: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(eq) = rest.find('=') {
        let key_start = rest[..eq].rfind([' ', ',']).map_or(0, |i| i + 1);
        let key = rest[key_start..eq].trim();
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(q) = after.strip_prefix('\'') {
            match q.find('\'') {
                Some(end) => (&q[..end], &q[end + 1..]),
                None => (q, ""),
            }
        } else {
            // Up to the next space (multi-word keys such as Aruba's `auth method` are
            // named by their last word).
            let end = after.find(' ').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        if !key.is_empty() {
            out.push((key, value));
        }
        rest = next;
    }
    out
}

/// Meraki MR event syslog:
/// `<134>1 1639132861.230797660 AP_NAME events type=8021x_eap_success radio='1' vap='3' client_mac='54:8D:5A:EA:30:E9' client_ip='0.0.0.0' identity='…'`.
pub struct Meraki {
    _clock: LocalTime,
}

impl Meraki {
    pub fn new(clock: LocalTime) -> Meraki {
        Meraki { _clock: clock }
    }
}

impl Parser for Meraki {
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        let Some(ev) = line.find(" events ") else {
            return;
        };
        let head: Vec<&str> = line[..ev].split_ascii_whitespace().collect();
        let body = &line[ev + 8..];
        let kv = pairs(body);
        let get = |k: &str| kv.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        let kind = match get("type") {
            Some("8021x_eap_success" | "8021x_auth") => Kind::Accept,
            Some("8021x_eap_failure") => Kind::Reject,
            Some("association") if get("is_8021x") != Some("1") => Kind::ClientJoin,
            _ => return,
        };
        let bad = |reason: &str| Item::Malformed {
            line: lineno,
            reason: reason.to_owned(),
        };
        // `<PRI>1 EPOCH.NANOS HOST events` (RFC 5424-like with an epoch time).
        let Some(epoch) = head.iter().find_map(|w| {
            let (secs, _) = w.split_once('.').unwrap_or((w, ""));
            (secs.len() >= 9 && secs.bytes().all(|b| b.is_ascii_digit()))
                .then(|| crate::time::unix(secs))
                .flatten()
        }) else {
            return out.push(bad("no epoch time stamp before `events`"));
        };
        let Some(mac) = get("client_mac").and_then(Mac::parse) else {
            return out.push(bad("no client_mac"));
        };
        let mut r = Record::new(epoch, kind);
        r.mac = Some(mac);
        r.user = get("identity").filter(|i| !i.is_empty()).map(str::to_owned);
        r.nas = head.last().map(|h| (*h).to_owned());
        out.push(Item::Record {
            line: lineno,
            record: r,
        });
    }
}

/// Aruba AOS 8 syslog, e.g.
/// `Nov 23 10:15:02 mc01 authmgr[3956]: <522008> <5194> <NOTI> <mc01 10.0.0.3>  User Authentication Successful: username=host/PC0123 MAC=00:11:22:33:44:55 IP=10.1.0.5 role=mynumber VLAN=111 AP=ap01 SSID=MYNUMBER-WLAN AAA profile=mn auth method=802.1x auth server=radius01`
/// and `User Authentication failed` lines; administrator sign-ins
/// (`<125022> … Admin user … authenticated`) are read as such when present.
pub struct Aruba {
    clock: LocalTime,
}

impl Aruba {
    pub fn new(clock: LocalTime) -> Aruba {
        Aruba { clock }
    }
}

impl Parser for Aruba {
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        let kind = if line.contains("User Authentication Successful") {
            Kind::Accept
        } else if line.contains("User Authentication failed")
            || line.contains("User authentication failed")
        {
            Kind::Reject
        } else {
            return;
        };
        let bad = |reason: &str| Item::Malformed {
            line: lineno,
            reason: reason.to_owned(),
        };
        let Some((time, used)) = self.clock.syslog(line) else {
            return out.push(bad("no syslog time stamp"));
        };
        let host = line.split_ascii_whitespace().nth(used).map(str::to_owned);
        // The pairs follow the message (`…Successful: username=…` or `…failed. username=…`).
        let Some(at) = line.find("uthentication") else {
            return out.push(bad("no message"));
        };
        let body = &line[at..];
        let kv = pairs(body);
        let get = |k: &str| {
            kv.iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| *v)
                .filter(|v| !v.is_empty())
        };
        let Some(mac) = get("MAC").or_else(|| get("usermac")).and_then(Mac::parse) else {
            return out.push(bad("no MAC="));
        };
        let mut r = Record::new(time, kind);
        r.mac = Some(mac);
        r.user = get("username").map(str::to_owned);
        r.ssid = get("SSID").map(str::to_owned);
        r.nas = host;
        // `auth method=802.1x` says 802.1X, not which EAP method: the RADIUS server's log
        // has that. Password methods are named.
        r.method = get("method").and_then(|m| match m.to_ascii_lowercase().as_str() {
            "802.1x" | "dot1x" => None,
            "mac" | "mac-auth" => Some(Method::Other("MAC authentication".into())),
            "web" | "captive-portal" => Some(Method::Password),
            _ => Some(Method::parse(m)),
        });
        r.reason = (kind == Kind::Reject)
            .then(|| get("reason").map(str::to_owned))
            .flatten();
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

    fn run(p: &mut dyn Parser, text: &str) -> Vec<Item> {
        let mut out = Vec::new();
        for (i, l) in text.lines().enumerate() {
            p.line(i as u64 + 1, l, &mut out);
        }
        out
    }

    #[test]
    fn meraki_events() {
        let text = "\
<134>1 1795396861.230797660 MR_3F_EAST events type=8021x_eap_success radio='1' vap='3' client_mac='54:8D:5A:EA:30:E9' client_ip='0.0.0.0' identity='host/PC0123.city.example.lg.jp' aid='1234'
<134>1 1795396862.000000000 MR_3F_EAST events type=8021x_eap_failure radio='1' vap='3' client_mac='54:8D:5A:EA:30:EA' identity='anonymous'
<134>1 1795396863.000000000 MR_3F_EAST events type=disassociation radio='1' vap='3' client_mac='54:8D:5A:EA:30:E9'
<134>1 1795396864.000000000 MR_3F_EAST events type=8021x_eap_success radio='1' vap='3' identity='x'
";
        let out = run(&mut Meraki::new(LocalTime::tokyo(2026)), text);
        assert_eq!(out.len(), 3, "{out:?}");
        let Item::Record { record: r, .. } = &out[0] else {
            unreachable!()
        };
        assert_eq!(r.kind, Kind::Accept);
        assert_eq!(r.mac.unwrap().to_string(), "54-8D-5A-EA-30-E9");
        assert_eq!(r.user.as_deref(), Some("host/PC0123.city.example.lg.jp"));
        assert_eq!(r.nas.as_deref(), Some("MR_3F_EAST"));
        assert_eq!(r.time, jiff::Timestamp::from_second(1_795_396_861).unwrap());
        assert!(matches!(&out[1], Item::Record { record, .. } if record.kind == Kind::Reject));
        assert!(matches!(out[2], Item::Malformed { line: 4, .. }));
    }

    #[test]
    fn aruba_authmgr() {
        let text = "\
Nov 23 10:15:02 mc01 authmgr[3956]: <522008> <5194> <NOTI> <mc01 10.0.0.3>  User Authentication Successful: username=host/PC0123 MAC=00:11:22:33:44:55 IP=10.1.0.5 role=mynumber VLAN=111 AP=ap01 SSID=MYNUMBER-WLAN AAA profile=mn auth method=802.1x auth server=radius01
Nov 23 10:16:02 mc01 authmgr[3956]: <522008> <5194> <NOTI> <mc01 10.0.0.3>  User Authentication Successful: username=guest MAC=00:11:22:33:44:77 IP=10.1.0.6 role=guest VLAN=112 AP=ap01 SSID=GUEST AAA profile=g auth method=web auth server=Internal
Nov 23 10:16:12 md1 authmgr[4211]: <522275> <4211> <ERRS> <md1 10.1.1.11>  User Authentication failed. username=bob usermac=02:00:5e:14:00:21 IP=0.0.0.0
Nov 23 10:17:02 mc01 stm[1234]: <501100> <5194> <NOTI> <mc01 10.0.0.3>  Assoc success @ 10:17:02.000: 00:11:22:33:44:55
";
        let out = run(&mut Aruba::new(LocalTime::tokyo(2026)), text);
        assert_eq!(out.len(), 3, "{out:?}");
        let Item::Record { record: r, .. } = &out[0] else {
            unreachable!()
        };
        assert_eq!(r.user.as_deref(), Some("host/PC0123"));
        assert!(matches!(&out[2], Item::Record { record, .. }
            if record.kind == Kind::Reject && record.mac.is_some() && record.user.as_deref() == Some("bob")));
        assert_eq!(r.ssid.as_deref(), Some("MYNUMBER-WLAN"));
        assert_eq!(r.nas.as_deref(), Some("mc01"));
        assert_eq!(r.method, None);
        assert_eq!(r.time, "2026-11-23T01:15:02Z".parse().unwrap());
        let Item::Record { record: g, .. } = &out[1] else {
            unreachable!()
        };
        assert_eq!(g.method, Some(Method::Password));
    }

    #[test]
    fn key_value_pairs() {
        assert_eq!(
            pairs("a=1 b='x y' AAA profile=mn auth method=802.1x"),
            [
                ("a", "1"),
                ("b", "x y"),
                ("profile", "mn"),
                ("method", "802.1x")
            ]
        );
    }
}
