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
    /// `hash_group`; this is the one-number form.
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
        let mut st = [[0u32; 8]; GROUP];
        mamori_sha::hmac_each(&self.inner, &self.outer, &blocks[..n], &mut st[..n]);
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

/// [`message_block`] for a token's digits (values 0–9 in the first `len` bytes, at most 15),
/// written with one 16-byte store instead of a byte loop.
pub(crate) fn message_block16(kind: &str, digits: &[u8; 16], len: usize) -> Block {
    let mut block = [0u8; 64];
    let k = kind.len().min(24);
    block[..k].copy_from_slice(&kind.as_bytes()[..k]);
    block[k] = b':';
    let len = len.min(15);
    let used = (1u128 << (8 * len)) - 1;
    // Values 0–9 OR 0x30 are their ASCII digits; then the 0x80 that ends the message.
    let v = ((u128::from_le_bytes(*digits) | u128::from_le_bytes([0x30; 16])) & used)
        | (0x80u128 << (8 * len));
    block[k + 1..k + 17].copy_from_slice(&v.to_le_bytes());
    let n = k + 1 + len;
    block[56..].copy_from_slice(&((64 + n as u64) * 8).to_be_bytes());
    block
}

/// Eight lower-case hex digits of `w`, most significant first (SWAR: no table, no loop).
fn hex32(w: u32) -> [u8; 8] {
    const NIB: u64 = 0x000F_000F_000F_000F;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Byte j of `x` (little-endian) is byte j of `w` in big-endian order.
    let mut x = u64::from(u32::from_le_bytes(w.to_be_bytes()));
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    // Byte 2j: the high nibble of byte j, byte 2j + 1: its low nibble.
    let r = ((x >> 4) & NIB) | ((x & NIB) << 8);
    // 1 in the bytes holding 10–15 (nibble + 6 reaches 16), which become a–f.
    let letters = ((r + ONES * 6) >> 4) & ONES;
    (r + ONES * b'0' as u64 + letters * (b'a' - b'0' - 10) as u64).to_le_bytes()
}

/// The first 128 bits of a state as 32 lower-case hex digits.
fn hex128(st: &[u32; 8]) -> KeyedHash {
    let mut hex = [0u8; 32];
    for (oct, w) in hex.chunks_exact_mut(8).zip(&st[..4]) {
        oct.copy_from_slice(&hex32(*w));
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

/// [`mask_inline`] for a token's digits (values 0–9 in the first `len` bytes, at most 13),
/// computed in one 16-byte value: the byte loop's piecewise stores, read back whole when the
/// finding was moved, stalled store forwarding on every number.
pub(crate) fn mask16(digits: &[u8; 16], len: usize) -> Masked {
    let len = len.min(13);
    let keep = len.saturating_sub(4);
    let all = (1u128 << (8 * len)) - 1;
    let stars = (1u128 << (8 * keep)) - 1;
    let ascii = u128::from_le_bytes(*digits) | u128::from_le_bytes([b'0'; 16]);
    let v = (u128::from_le_bytes([b'*'; 16]) & stars) | (ascii & all & !stars);
    let b = v.to_le_bytes();
    let mut bytes = [0u8; 13];
    bytes.copy_from_slice(&b[..13]);
    Masked::from_parts(len as u8, bytes)
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
    fn sixteen_byte_masks_equal_the_byte_loop() {
        for len in 0..=13usize {
            let mut digits = [0u8; 16];
            for (i, d) in digits[..len].iter_mut().enumerate() {
                *d = ((i * 3 + len) % 10) as u8;
            }
            assert_eq!(mask16(&digits, len), mask_inline(&digits[..len]), "{len}");
        }
    }

    #[test]
    fn hex_digits_are_lower_case_hex() {
        for w in [
            0u32,
            1,
            9,
            10,
            15,
            0xdead_beef,
            0x0123_4567,
            0x89ab_cdef,
            u32::MAX,
        ]
        .into_iter()
        .chain((0..2000u32).map(|i| i.wrapping_mul(2_654_435_761)))
        {
            assert_eq!(hex32(w), format!("{w:08x}").as_bytes(), "{w:#x}");
        }
    }

    #[test]
    fn sixteen_byte_blocks_equal_the_byte_loop() {
        for len in 0..=15usize {
            for kind in ["individual", "corporate", "", "x"] {
                let mut digits = [0u8; 16];
                for (i, d) in digits[..len].iter_mut().enumerate() {
                    *d = ((i * 7 + len) % 10) as u8;
                }
                assert_eq!(
                    message_block16(kind, &digits, len),
                    message_block(kind, &digits[..len]),
                    "{kind} {len}"
                );
            }
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
