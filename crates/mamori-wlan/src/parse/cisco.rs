//! Cisco wireless controllers (AireOS, Catalyst 9800) and IOS switches, as syslog:
//! client joins and 802.1X failures, administrator sign-ins.

use super::{Item, Parser};
use crate::mac::Mac;
use crate::record::{Kind, Record};
use crate::time::LocalTime;

pub struct Cisco {
    clock: LocalTime,
}

impl Cisco {
    pub fn new(clock: LocalTime) -> Cisco {
        Cisco { clock }
    }
}

/// A substring searcher built once per needle (building one per call was a tenth of the
/// parse time).
macro_rules! finder {
    ($needle:literal) => {{
        static F: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new($needle));
        &*F
    }};
}

/// Where the finder's needle starts in `s`.
fn find(s: &str, f: &memchr::memmem::Finder<'_>) -> Option<usize> {
    f.find(s.as_bytes())
}

/// The text after the finder's needle up to the next `close` byte.
fn between<'a>(s: &'a str, open: &memchr::memmem::Finder<'_>, close: u8) -> Option<&'a str> {
    let i = find(s, open)? + open.needle().len();
    let j = memchr::memchr(close, &s.as_bytes()[i..])? + i;
    s.get(i..j)
}

/// The first MAC in the text inside parentheses or after `MAC: ` / `mobile `.
fn first_mac(s: &str) -> Option<Mac> {
    s.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .find_map(Mac::parse)
}

impl Parser for Cisco {
    fn line(&mut self, lineno: u64, line: &str, out: &mut Vec<Item>) {
        // The message mnemonic: `%FACILITY-SEVERITY-MNEMONIC:`.
        let Some(pct) = line.find('%') else {
            return;
        };
        let msg = &line[pct + 1..];
        let Some(colon) = find(msg, finder!(b": ")) else {
            return;
        };
        let (tag, text) = (&msg[..colon], &msg[colon + 2..]);
        let mut parts = tag.splitn(3, '-');
        let (Some(facility), Some(_sev), Some(mnemonic)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return;
        };
        let kind = match (facility, mnemonic) {
            ("CLIENT_ORCH_LOG", "CLIENT_ADDED_TO_RUN_STATE")
            | ("APF", "USER_NAME_CREATED")
            | ("DOT1X", "SUCCESS") => Kind::ClientJoin,
            ("SESSION_MGR", "FAIL") | ("DOT1X", "FAIL") | ("DOT1X", "ABORT_AUTH") => {
                Kind::ClientAuthFailure
            }
            ("AAA", "AAA_AUTH_ADMIN_USER") => {
                if text.contains("succeeded") {
                    Kind::AdminLogin
                } else {
                    Kind::AdminLoginFailure
                }
            }
            ("SEC_LOGIN", "LOGIN_SUCCESS") => Kind::AdminLogin,
            ("SEC_LOGIN", "LOGIN_FAILED") => Kind::AdminLoginFailure,
            _ => return,
        };
        // The time stamp is somewhere in the prefix (after a `<PRI>` and sequence number, or
        // a task name on AireOS): try each word.
        let prefix = &line[..pct];
        let mut found = None;
        let mut at = 0;
        while at < prefix.len() {
            let rest = &prefix[at..];
            // Only a word that starts like a month name can start the time stamp.
            let starts = rest.trim_start_matches(['*', '.']).as_bytes();
            if starts.len() >= 3
                && starts[0].is_ascii_uppercase()
                && starts[1].is_ascii_lowercase()
                && let Some((t, used)) = self.clock.syslog(rest)
            {
                let host = rest
                    .split_ascii_whitespace()
                    .nth(used)
                    .map(|h| h.trim_end_matches(':'));
                // Keep looking: a collector's receive time may come first; the device's own
                // stamp is the last one before the message.
                found = Some((t, host));
            }
            // The next word.
            match rest.find(' ') {
                Some(sp) => at += sp + 1,
                None => break,
            }
        }
        let Some((time, host)) = found else {
            out.push(Item::Malformed {
                line: lineno,
                reason: "no time stamp before the message".into(),
            });
            return;
        };
        let mut r = Record::new(time, kind);
        // An RFC 3164 header names the sending host after the time.
        r.nas = host
            .filter(|h| {
                !h.is_empty() && !h.starts_with('%') && !h.chars().all(|c| c.is_ascii_digit())
            })
            .map(str::to_owned);
        match kind {
            Kind::ClientJoin | Kind::ClientAuthFailure => {
                r.user = between(text, finder!(b"Username entry ("), b')').map(str::to_owned);
                r.ssid = between(text, finder!(b"ssid ("), b')').map(str::to_owned);
                r.mac = find(text, finder!(b"MAC: "))
                    .and_then(|i| first_mac(&text[i + 5..]))
                    .or_else(|| {
                        find(text, finder!(b"mobile ")).and_then(|i| first_mac(&text[i + 7..]))
                    })
                    .or_else(|| between(text, finder!(b"client ("), b')').and_then(Mac::parse));
                if kind == Kind::ClientAuthFailure {
                    r.reason = find(text, finder!(b"failure reason: "))
                        .map(|i| text[i + 16..].trim_end_matches('.').to_owned());
                }
                if r.mac.is_none() {
                    out.push(Item::Malformed {
                        line: lineno,
                        reason: "client event without a client MAC".into(),
                    });
                    return;
                }
            }
            _ => {
                r.user = between(text, finder!(b"admin user '"), b'\'')
                    .or_else(|| between(text, finder!(b"[user: "), b']'))
                    .map(str::to_owned);
                r.from = text
                    .find("' on ")
                    .map(|i| {
                        text[i + 5..]
                            .split_whitespace()
                            .next()
                            .unwrap_or("")
                            .to_owned()
                    })
                    .or_else(|| between(text, finder!(b"[Source: "), b']').map(str::to_owned))
                    .filter(|f| !f.is_empty());
                if r.user.is_none() {
                    out.push(Item::Malformed {
                        line: lineno,
                        reason: "administrator sign-in without a user name".into(),
                    });
                    return;
                }
            }
        }
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

    #[test]
    fn controller_lines() {
        let text = "\
<190>2371599: Jul 23 2026 14:31:54.468 UTC: %CLIENT_ORCH_LOG-6-CLIENT_ADDED_TO_RUN_STATE: Chassis 1 R0/3: wncd: Username entry (host/PC0123) joined with ssid (MYNUMBER-WLAN) for device with MAC: 1234.abcd.5678 on channel (1)
<187>2371600: Jul 23 2026 14:32:00.001 UTC: %SESSION_MGR-5-FAIL: Chassis 1 R0/6: wncd: Authorization failed or unapplied for client (de:fb:48:7c:4f:f7) on Interface capwap_12345678 AuditSessionID 0000 Authc failure reason: Cred Fail.
*apfMsConnTask_0: Jul 23 14:33:00.000: %APF-6-USER_NAME_CREATED: apf_ms.c:5678 Username entry (X) created for mobile 28:6f:7f:f8:64:e0
Jul 23 14:34:00 wlc01 %AAA-5-AAA_AUTH_ADMIN_USER: aaa.c:3083 Authentication succeeded for admin user 'cisco' on 89.160.20.112
Jul 23 14:35:00 sw01 %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: admin] [Source: 10.0.0.5] [localport: 22] [Reason: Login Authentication Failed] at 14:35:00 JST Thu Jul 23 2026
%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to up
%CLIENT_ORCH_LOG-6-CLIENT_ADDED_TO_RUN_STATE: no time here
";
        let mut p = Cisco::new(LocalTime::tokyo(2026));
        let mut out = Vec::new();
        for (i, l) in text.lines().enumerate() {
            p.line(i as u64 + 1, l, &mut out);
        }
        let recs: Vec<&Record> = out
            .iter()
            .filter_map(|i| match i {
                Item::Record { record, .. } => Some(record),
                Item::Malformed { .. } => None,
            })
            .collect();
        assert_eq!(recs.len(), 5, "{out:?}");
        assert_eq!(recs[0].kind, Kind::ClientJoin);
        assert_eq!(recs[0].mac.unwrap().to_string(), "12-34-AB-CD-56-78");
        assert_eq!(recs[0].ssid.as_deref(), Some("MYNUMBER-WLAN"));
        assert_eq!(recs[0].user.as_deref(), Some("host/PC0123"));
        assert_eq!(recs[0].time, "2026-07-23T14:31:54.468Z".parse().unwrap());
        assert_eq!(recs[1].kind, Kind::ClientAuthFailure);
        assert_eq!(recs[1].reason.as_deref(), Some("Cred Fail"));
        assert_eq!(recs[2].mac.unwrap().to_string(), "28-6F-7F-F8-64-E0");
        assert_eq!(recs[3].kind, Kind::AdminLogin);
        assert_eq!(recs[3].user.as_deref(), Some("cisco"));
        assert_eq!(recs[3].from.as_deref(), Some("89.160.20.112"));
        assert_eq!(recs[3].nas.as_deref(), Some("wlc01"));
        assert_eq!(recs[4].kind, Kind::AdminLoginFailure);
        assert_eq!(recs[4].user.as_deref(), Some("admin"));
        assert_eq!(recs[4].from.as_deref(), Some("10.0.0.5"));
        assert!(matches!(out.last(), Some(Item::Malformed { line: 7, .. })));
        // A collector's receive time before the controller's stamp: the controller's counts.
        let mut out = Vec::new();
        Cisco::new(LocalTime::tokyo(2026)).line(
            1,
            "Nov 23 10:15:02 wlc01 123: *Nov 23 01:15:02.468 UTC: %CLIENT_ORCH_LOG-6-CLIENT_ADDED_TO_RUN_STATE: x Username entry (u) joined with ssid (s) for device with MAC: 1234.abcd.5678 on channel (1)",
            &mut out,
        );
        assert!(
            matches!(&out[0], Item::Record { record, .. } if record.time == "2026-11-23T01:15:02.468Z".parse::<jiff::Timestamp>().unwrap())
        );
    }
}
