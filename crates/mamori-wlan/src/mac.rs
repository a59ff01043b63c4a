//! MAC addresses in whatever spelling a product logs them: `aa:bb:cc:dd:ee:ff`,
//! `AA-BB-CC-DD-EE-FF` (RFC 3580), `aabb.ccdd.eeff` (Cisco IOS), `aabbccddeeff`, and the
//! `MAC:SSID` form of Called-Station-Id.

use std::fmt;
use std::str::FromStr;

/// A 48-bit MAC address. Shown as `AA-BB-CC-DD-EE-FF`, the form RFC 3580 uses for
/// Calling-Station-Id and FreeRADIUS's canonicalisation emits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    /// Parses any spelling of 12 hex digits, grouped by 2 (`:` or `-`), by 4 (`.`) or not
    /// at all; case does not matter. Anything else is `None`.
    pub fn parse(s: &str) -> Option<Mac> {
        let s = s.trim();
        let b = s.as_bytes();
        // The 12 hex digits, without separators (no allocation: this runs once per record).
        let mut hex = [0u8; 12];
        match b.len() {
            12 => hex.copy_from_slice(b),
            17 => {
                let sep = b[2];
                if !(sep == b':' || sep == b'-') {
                    return None;
                }
                let mut k = 0;
                for (i, c) in b.iter().enumerate() {
                    if i % 3 == 2 {
                        if *c != sep {
                            return None;
                        }
                    } else {
                        hex[k] = *c;
                        k += 1;
                    }
                }
            }
            14 => {
                let mut k = 0;
                for (i, c) in b.iter().enumerate() {
                    if i % 5 == 4 {
                        if *c != b'.' {
                            return None;
                        }
                    } else {
                        hex[k] = *c;
                        k += 1;
                    }
                }
            }
            _ => return None,
        }
        let mut out = [0u8; 6];
        for (i, pair) in hex.chunks_exact(2).enumerate() {
            let hi = hex_val(pair[0])?;
            let lo = hex_val(pair[1])?;
            out[i] = (hi << 4) | lo;
        }
        Some(Mac(out))
    }

    /// A Called-Station-Id (`MAC:SSID` or a bare MAC): the MAC and the SSID when present.
    pub fn parse_station(s: &str) -> Option<(Mac, Option<String>)> {
        let s = s.trim();
        if let Some(m) = Mac::parse(s) {
            return Some((m, None));
        }
        // `00-10-A4-23-19-C0:SSID`: the MAC is the first 17 characters.
        let (mac, rest) = (s.get(..17)?, s.get(17..)?);
        let ssid = rest.strip_prefix(':')?;
        Some((
            Mac::parse(mac)?,
            (!ssid.is_empty()).then(|| ssid.to_owned()),
        ))
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(
            f,
            "{:02X}-{:02X}-{:02X}-{:02X}-{:02X}-{:02X}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Mac {
    type Err = String;
    fn from_str(s: &str) -> Result<Mac, String> {
        Mac::parse(s).ok_or_else(|| format!("not a MAC address: {s:?}"))
    }
}

impl serde::Serialize for Mac {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_spelling_is_the_same_address() {
        let want = Mac([0x12, 0x34, 0xab, 0xcd, 0x56, 0x78]);
        for s in [
            "12:34:ab:cd:56:78",
            "12-34-AB-CD-56-78",
            "1234.abcd.5678",
            "1234ABCD5678",
            " 12:34:AB:cd:56:78 ",
        ] {
            assert_eq!(Mac::parse(s), Some(want), "{s}");
        }
        assert_eq!(want.to_string(), "12-34-AB-CD-56-78");
    }

    #[test]
    fn near_misses_are_refused() {
        for s in [
            "12:34:ab:cd:56",
            "12:34-ab:cd:56:78",
            "1234.abcd-5678",
            "12345abcd5678",
            "gg:34:ab:cd:56:78",
            "",
            "host/PC0123",
        ] {
            assert_eq!(Mac::parse(s), None, "{s}");
        }
    }

    #[test]
    fn called_station_ids_carry_the_ssid() {
        assert_eq!(
            Mac::parse_station("00-10-A4-23-19-C0:MYNUMBER-WLAN"),
            Some((
                Mac([0, 0x10, 0xa4, 0x23, 0x19, 0xc0]),
                Some("MYNUMBER-WLAN".into())
            ))
        );
        assert_eq!(
            Mac::parse_station("00-10-A4-23-19-C0"),
            Some((Mac([0, 0x10, 0xa4, 0x23, 0x19, 0xc0]), None))
        );
        assert_eq!(Mac::parse_station("00-10-A4-23-19-C0SSID"), None);
    }
}
