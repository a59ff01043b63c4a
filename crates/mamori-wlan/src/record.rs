//! One authentication, accounting or administration event, whatever product logged it.

use jiff::Timestamp;
use serde::Serialize;

use crate::mac::Mac;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The authentication server accepted a client (Access-Accept, NPS grant, "Login OK").
    Accept,
    /// The authentication server rejected a client.
    Reject,
    /// Accounting Start / Interim-Update / Stop from the NAS.
    AcctStart,
    AcctUpdate,
    AcctStop,
    /// A controller or AP reports a client associated and authorised (RUN state).
    ClientJoin,
    /// A controller or AP reports a failed 802.1X authentication.
    ClientAuthFailure,
    /// An administrator signed in to a controller, AP or authentication server.
    AdminLogin,
    /// An administrative sign-in failed.
    AdminLoginFailure,
}

impl Kind {
    /// Events that show a client was let onto the network.
    pub fn admits_client(self) -> bool {
        matches!(
            self,
            Kind::Accept | Kind::AcctStart | Kind::AcctUpdate | Kind::ClientJoin
        )
    }
}

/// The EAP method (or non-EAP authentication) of an authentication.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// EAP-TLS (EAP type 13): device certificates, what the guideline requires.
    EapTls,
    /// PEAP (EAP type 25).
    Peap,
    /// EAP-TTLS (EAP type 21).
    Ttls,
    /// EAP-MSCHAPv2 (EAP type 26).
    Mschapv2,
    /// Password authentication without EAP (PAP, CHAP, MS-CHAP).
    Password,
    /// Something else, as logged.
    Other(String),
}

impl Method {
    /// From an EAP type number or name as FreeRADIUS and NPS write them.
    pub fn parse(s: &str) -> Method {
        let t = s.trim();
        match t.to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
            "13" | "tls" | "eap-tls" => Method::EapTls,
            "25" | "peap" | "eap-peap" => Method::Peap,
            "21" | "ttls" | "eap-ttls" => Method::Ttls,
            "26" | "mschapv2" | "eap-mschapv2" | "eap-mschap-v2" | "mschap-v2" => Method::Mschapv2,
            "pap" | "chap" | "mschap" | "ms-chap" | "ms-chap-v2" | "ms-chapv2" => Method::Password,
            _ => Method::Other(t.to_owned()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Method::EapTls => "EAP-TLS",
            Method::Peap => "PEAP",
            Method::Ttls => "EAP-TTLS",
            Method::Mschapv2 => "EAP-MSCHAPv2",
            Method::Password => "PAP/CHAP",
            Method::Other(s) => s,
        }
    }
}

/// A normalised event. Fields a format does not carry are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    pub time: Timestamp,
    pub kind: Kind,
    /// User-Name, EAP identity or controller user name (for a machine certificate typically
    /// `host/PC0123.city.lg.jp`).
    pub user: Option<String>,
    /// The client's MAC (Calling-Station-Id).
    pub mac: Option<Mac>,
    /// The AP's or controller's MAC (Called-Station-Id).
    pub ap: Option<Mac>,
    pub ssid: Option<String>,
    /// The authenticator (NAS IP address, NAS-Identifier, RADIUS client name or controller).
    pub nas: Option<String>,
    pub method: Option<Method>,
    /// The client certificate's serial, lower-case hex without separators.
    pub cert_serial: Option<String>,
    pub cert_cn: Option<String>,
    /// For administrative sign-ins: where from (IP address or terminal).
    pub from: Option<String>,
    /// A reject's or failure's reason, as logged.
    pub reason: Option<String>,
}

impl Record {
    pub fn new(time: Timestamp, kind: Kind) -> Record {
        Record {
            time,
            kind,
            user: None,
            mac: None,
            ap: None,
            ssid: None,
            nas: None,
            method: None,
            cert_serial: None,
            cert_cn: None,
            from: None,
            reason: None,
        }
    }
}

/// A certificate serial as FreeRADIUS writes it: lower-case hex, no separators, no leading
/// `0x`. Other spellings (`01:AB:…`, upper case) are brought to that form.
pub fn normalise_serial(s: &str) -> Option<String> {
    let t = s.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let hex: String = t
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (!hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_by_number_and_name() {
        assert_eq!(Method::parse("13"), Method::EapTls);
        assert_eq!(Method::parse("EAP-TLS"), Method::EapTls);
        assert_eq!(Method::parse("PEAP"), Method::Peap);
        assert_eq!(Method::parse("MSCHAPv2"), Method::Mschapv2);
        assert_eq!(Method::parse("pap"), Method::Password);
        assert_eq!(Method::parse("EAP-FAST"), Method::Other("EAP-FAST".into()));
    }

    #[test]
    fn serials_normalise() {
        assert_eq!(normalise_serial("01:AB:cd").as_deref(), Some("01abcd"));
        assert_eq!(normalise_serial("0x1F").as_deref(), Some("1f"));
        assert_eq!(normalise_serial("zz"), None);
        assert_eq!(normalise_serial(""), None);
    }
}
