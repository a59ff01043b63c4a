//! Masking and keyed hashing: how a number leaves the scanner.
//!
//! The full number never leaves this crate. A finding carries the last four digits behind
//! asterisks and an HMAC-SHA256 of the digits under a per-installation key, so the same number
//! can be counted across files without being stored.

use mamori_sha::Block;
use sha2::block_api::compress256;

use crate::finding::{KeyedHash, Masked};

/// SHA-256 initial state (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// One SHA-256 block holding `msg` (at most 55 bytes) and the padding for a message that
/// follows `prefix_len` already-compressed bytes.
fn final_block(msg: &[u8], prefix_len: u64) -> [u8; 64] {
    let mut b = [0u8; 64];
    let n = msg.len().min(55);
    b[..n].copy_from_slice(&msg[..n]);
    b[n] = 0x80;
    let bits = (prefix_len + n as u64) * 8;
    b[56..].copy_from_slice(&bits.to_be_bytes());
    b
}

fn state_bytes(st: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, w) in out.chunks_exact_mut(4).zip(st) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// A per-installation secret for keyed hashes. Its `Debug` form does not show the key.
///
/// HMAC-SHA256 (RFC 2104) with the key's inner and outer pad blocks compressed once, so each
/// number costs exactly two SHA-256 compressions: this runs for every number found.
#[derive(Clone)]
pub struct HashKey {
    key: [u8; 32],
    inner: [u32; 8],
    outer: [u32; 8],
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(…)")
    }
}

impl HashKey {
    pub fn new(bytes: [u8; 32]) -> HashKey {
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for (i, k) in bytes.iter().enumerate() {
            ipad[i] ^= k;
            opad[i] ^= k;
        }
        let mut inner = IV;
        compress256(&mut inner, &[ipad]);
        let mut outer = IV;
        compress256(&mut outer, &[opad]);
        HashKey {
            key: bytes,
            inner,
            outer,
        }
    }

    /// A keyed identifier for any text (HMAC-SHA256, hex): lets the scan state recognise a
    /// path without storing it, since a file may be named after a person's number.
    pub fn keyed_id(&self, text: &str) -> String {
        use hmac::{Hmac, KeyInit, Mac};
        let Ok(mut mac) = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.key) else {
            return String::new();
        };
        mac.update(b"id:");
        mac.update(text.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// HMAC-SHA256 of a short message (at most 55 bytes; longer input is cut).
    pub fn mac(&self, msg: &[u8]) -> [u8; 32] {
        let mut st = self.inner;
        compress256(&mut st, &[final_block(msg, 64)]);
        let inner_hash = state_bytes(&st);
        let mut st = self.outer;
        compress256(&mut st, &[final_block(&inner_hash, 64)]);
        state_bytes(&st)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// Hex HMAC-SHA256 (first 16 bytes) of a number's digits (values 0–9), domain-separated by
    /// kind so an individual and a corporate number never share a hash.
    ///
    /// Same value as `mac(b"{kind}:{digits}")`. The scanner hashes many numbers at once with
    /// [`HashKey::hash_group`]; this is the one-number form.
    pub fn hash(&self, kind: &str, digits: &[u8]) -> KeyedHash {
        let [h, ..] = self.hash_group(&[message_block(kind, digits)]);
        h
    }

    /// Keyed hashes of up to [`GROUP`] numbers, `blocks[i]` built by [`message_block`]; the
    /// first `blocks.len()` results are theirs (the rest are empty). The numbers' inner and
    /// outer compressions run interleaved (multi-buffer SHA-NI where the CPU has it), which
    /// is what makes hashing every number of a digit-dense file affordable.
    pub(crate) fn hash_group(&self, blocks: &[Block]) -> [KeyedHash; GROUP] {
        let n = blocks.len().min(GROUP);
        let mut st = [self.inner; GROUP];
        mamori_sha::compress_each(&mut st[..n], &blocks[..n]);
        let mut outer_blocks = [[0u8; 64]; GROUP];
        for (block, inner) in outer_blocks.iter_mut().zip(&st[..n]) {
            for (chunk, w) in block[..32].chunks_exact_mut(4).zip(inner) {
                chunk.copy_from_slice(&w.to_be_bytes());
            }
            block[32] = 0x80;
            block[56..].copy_from_slice(&((64u64 + 32) * 8).to_be_bytes());
        }
        let mut st = [self.outer; GROUP];
        mamori_sha::compress_each(&mut st[..n], &outer_blocks[..n]);
        let mut out = [KeyedHash::default_hex(); GROUP];
        for (o, s) in out.iter_mut().zip(&st[..n]) {
            *o = hex128(s);
        }
        out
    }
}

/// How many numbers [`HashKey::hash_group`] takes at once.
pub(crate) const GROUP: usize = 8;

/// The inner HMAC block for `"{kind}:{digits}"` (digits as values 0–9), padded for a message
/// that follows the 64-byte inner key pad. `kind` is cut at 24 bytes and the message at 40.
pub(crate) fn message_block(kind: &str, digits: &[u8]) -> Block {
    let mut block = [0u8; 64];
    let k = kind.len().min(24);
    block[..k].copy_from_slice(&kind.as_bytes()[..k]);
    block[k] = b':';
    let mut n = k + 1;
    for d in digits.iter().take(40 - n) {
        block[n] = b'0' + d;
        n += 1;
    }
    block[n] = 0x80;
    block[56..].copy_from_slice(&((64 + n as u64) * 8).to_be_bytes());
    block
}

/// The first 128 bits of a state as 32 lower-case hex digits.
fn hex128(st: &[u32; 8]) -> KeyedHash {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 32];
    for (oct, w) in hex.chunks_exact_mut(8).zip(&st[..4]) {
        for (i, c) in oct.iter_mut().enumerate() {
            *c = HEX[((w >> (28 - 4 * i)) & 15) as usize];
        }
    }
    KeyedHash::from_hex(hex)
}

/// [`mask`] without allocating.
pub fn mask_inline(digits: &[u8]) -> Masked {
    let mut b = [b'*'; 13];
    let n = digits.len().min(13);
    let keep = n.saturating_sub(4);
    for (i, d) in digits[keep..n].iter().enumerate() {
        b[keep + i] = b'0' + d;
    }
    Masked::from_bytes(&b[..n]).unwrap_or_else(Masked::default_hex)
}

/// `********0257`: asterisks for all but the last four digits.
pub fn mask(digits: &[u8]) -> String {
    let keep = digits.len().saturating_sub(4);
    let mut s = String::with_capacity(digits.len());
    s.extend(std::iter::repeat_n('*', keep));
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
    fn mac_is_hmac_sha256() {
        use hmac::{Hmac, KeyInit, Mac};
        // RFC 4231 test case 2 uses a short key; here the key is always 32 bytes, so compare
        // with the reference implementation over many keys and messages instead.
        for seed in 0u8..50 {
            let key: [u8; 32] =
                std::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8));
            let msg: Vec<u8> = (0..usize::from(seed) % 56)
                .map(|i| (i as u8) ^ seed)
                .collect();
            let mut r = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).unwrap();
            r.update(&msg);
            let expect: [u8; 32] = r.finalize().into_bytes().into();
            assert_eq!(HashKey::new(key).mac(&msg), expect, "seed {seed}");
        }
    }

    #[test]
    fn hash_is_the_hmac_of_kind_and_digits() {
        use hmac::{Hmac, KeyInit, Mac};
        let key = [9u8; 32];
        for (kind, digits) in [
            ("individual", &[6u8, 2, 1, 4, 9, 8, 3, 2, 0, 2, 5, 7][..]),
            ("corporate", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3][..]),
        ] {
            let mut r = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).unwrap();
            r.update(kind.as_bytes());
            r.update(b":");
            r.update(&digits.iter().map(|d| b'0' + d).collect::<Vec<_>>());
            let hex: String = r.finalize().into_bytes()[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(HashKey::new(key).hash(kind, digits).as_str(), hex);
        }
    }

    #[test]
    fn grouped_hashes_equal_single_ones() {
        let key = HashKey::new([5; 32]);
        let numbers: Vec<(&str, Vec<u8>)> = (0u64..19)
            .map(|i| {
                let kind = if i % 3 == 0 {
                    "corporate"
                } else {
                    "individual"
                };
                let len = if i % 3 == 0 { 13 } else { 12 };
                let v = 123_456_789_012u64.wrapping_mul(i + 7);
                (kind, (0..len).map(|j| ((v >> j) % 10) as u8).collect())
            })
            .collect();
        for n in 0..=GROUP {
            let blocks: Vec<Block> = numbers[..n]
                .iter()
                .map(|(k, d)| message_block(k, d))
                .collect();
            let got = key.hash_group(&blocks);
            for (i, (k, d)) in numbers[..n].iter().enumerate() {
                assert_eq!(got[i], key.hash(k, d), "group of {n}, number {i}");
                assert_eq!(got[i].as_str(), key.mac_hex16(k, d), "{n}/{i}");
            }
            assert!(got[n..].iter().all(|h| h.is_empty()));
        }
    }

    impl HashKey {
        fn mac_hex16(&self, kind: &str, digits: &[u8]) -> String {
            let mut msg = format!("{kind}:").into_bytes();
            msg.extend(digits.iter().map(|d| b'0' + d));
            self.mac(&msg)[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        }
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
