//! Masking and keyed hashing: how a number leaves the scanner.
//!
//! The full number never leaves this crate. A finding carries the last four digits behind
//! asterisks and an HMAC-SHA256 of the digits under a per-installation key, so the same number
//! can be counted across files without being stored.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// A per-installation secret for keyed hashes. Its `Debug` form does not show the key.
#[derive(Clone)]
pub struct HashKey([u8; 32]);

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(…)")
    }
}

impl HashKey {
    pub fn new(bytes: [u8; 32]) -> HashKey {
        HashKey(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Hex HMAC-SHA256 (first 16 bytes) of a number's digits (values 0–9), domain-separated by
    /// kind so an individual and a corporate number never share a hash.
    pub fn hash(&self, kind: &str, digits: &[u8]) -> String {
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0) else {
            // HMAC accepts keys of any length; this branch cannot be taken.
            return String::new();
        };
        mac.update(kind.as_bytes());
        mac.update(b":");
        for d in digits {
            mac.update(&[b'0' + d]);
        }
        let out = mac.finalize().into_bytes();
        let mut s = String::with_capacity(32);
        for b in &out[..16] {
            s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        s
    }
}

/// `********0257`: asterisks for all but the last four digits.
pub fn mask(digits: &[u8]) -> String {
    let keep = digits.len().saturating_sub(4);
    let mut s = "*".repeat(keep);
    for d in &digits[keep..] {
        s.push(char::from(b'0' + d));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(mask(&[6, 2, 1, 4, 9, 8, 3, 2, 0, 2, 5, 7]), "********0257");
        assert_eq!(mask(&[1, 2]), "12");
    }

    #[test]
    fn hashes_are_keyed_and_kind_separated() {
        let a = HashKey::new([1; 32]);
        let b = HashKey::new([2; 32]);
        let d = [6, 2, 1, 4, 9, 8, 3, 2, 0, 2, 5, 7];
        assert_eq!(a.hash("individual", &d), a.hash("individual", &d));
        assert_ne!(a.hash("individual", &d), b.hash("individual", &d));
        assert_ne!(a.hash("individual", &d), a.hash("corporate", &d));
        assert_eq!(a.hash("individual", &d).len(), 32);
        assert_eq!(format!("{a:?}"), "HashKey(…)");
    }
}
