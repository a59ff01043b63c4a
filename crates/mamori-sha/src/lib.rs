//! Multi-buffer SHA-256 block compression.
//!
//! [`compress_each`] compresses `blocks[i]` into `states[i]` for every `i`: the same result as
//! calling sha2's `compress256` once per pair, but on a CPU with the SHA extensions (SHA-NI)
//! the independent blocks are compressed interleaved, two at a time, so the rounds of one
//! block run while the other's wait on instruction latency. The scanner in `mamori-mynumber`
//! needs two compressions per number found (HMAC-SHA256 with precomputed pads); one block at a
//! time is latency-bound.
//!
//! This is the only crate of the workspace that allows `unsafe`: the SHA-NI path is a
//! `#[target_feature]` function called only after runtime detection, and every unsafe block
//! states why it is sound. Without SHA-NI (or on another architecture) the portable path,
//! sha2's `compress256`, is used.

/// A SHA-256 chaining state (`H0..H7`).
pub type State = [u32; 8];
/// One 64-byte message block.
pub type Block = [u8; 64];

/// Compresses `blocks[i]` into `states[i]` for each `i` below the shorter length.
pub fn compress_each(states: &mut [State], blocks: &[Block]) {
    let n = states.len().min(blocks.len());
    let (states, blocks) = (&mut states[..n], &blocks[..n]);
    #[cfg(target_arch = "x86_64")]
    if x86::try_compress_each(states, blocks) {
        return;
    }
    compress_each_portable(states, blocks);
}

/// [`compress_each`] without SHA-NI: one `sha2::compress256` call per block (sha2 picks its own
/// implementation). Public so that both paths can be tested and compared.
pub fn compress_each_portable(states: &mut [State], blocks: &[Block]) {
    for (st, b) in states.iter_mut().zip(blocks) {
        sha2::block_api::compress256(st, std::slice::from_ref(b));
    }
}

/// HMAC-SHA256 (RFC 2104) of one-block messages with precomputed key pads: for each `i`,
/// `out[i]` is the outer state after compressing `blocks[i]` from `inner` (the state after
/// the key's inner pad) and then the 32-byte inner digest, padded, from `outer` (the state
/// after the outer pad). `blocks[i]` must already hold the message and its padding for a
/// message that follows one 64-byte block. The big-endian bytes of `out[i]` are the MAC.
/// Pairs up to the shorter of `blocks` and `out`.
pub fn hmac_each(inner: &State, outer: &State, blocks: &[Block], out: &mut [State]) {
    let n = out.len().min(blocks.len());
    let (out, blocks) = (&mut out[..n], &blocks[..n]);
    #[cfg(target_arch = "x86_64")]
    if x86::try_hmac_each(inner, outer, blocks, out) {
        return;
    }
    hmac_each_portable(inner, outer, blocks, out);
}

/// [`hmac_each`] with sha2's `compress256`.
pub fn hmac_each_portable(inner: &State, outer: &State, blocks: &[Block], out: &mut [State]) {
    for (o, b) in out.iter_mut().zip(blocks) {
        let mut st = *inner;
        sha2::block_api::compress256(&mut st, std::slice::from_ref(b));
        let mut block = [0u8; 64];
        for (chunk, w) in block[..32].chunks_exact_mut(4).zip(&st) {
            chunk.copy_from_slice(&w.to_be_bytes());
        }
        block[32] = 0x80;
        block[56..].copy_from_slice(&((64u64 + 32) * 8).to_be_bytes());
        *o = *outer;
        sha2::block_api::compress256(o, &[block]);
    }
}

/// Whether [`compress_each`] uses the interleaved SHA-NI path on this CPU.
pub fn has_sha_ni() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        x86::available()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// SHA-256 round constants (FIPS 180-4, 4.2.2).
#[cfg(target_arch = "x86_64")]
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_alignr_epi8, _mm_blend_epi16, _mm_extract_epi32, _mm_set_epi32,
        _mm_setzero_si128, _mm_sha256msg1_epu32, _mm_sha256msg2_epu32, _mm_sha256rnds2_epu32,
        _mm_shuffle_epi32,
    };

    use crate::{Block, K, State};

    /// How many blocks are compressed interleaved. Two fill the 16 XMM registers (state,
    /// saved state and a four-vector message window per block); more would spill.
    const LANES: usize = 2;

    pub(crate) fn available() -> bool {
        std::is_x86_feature_detected!("sha")
            && std::is_x86_feature_detected!("sse2")
            && std::is_x86_feature_detected!("ssse3")
            && std::is_x86_feature_detected!("sse4.1")
    }

    /// Compresses with SHA-NI if the CPU has it; `false` (nothing done) otherwise.
    pub(crate) fn try_compress_each(states: &mut [State], blocks: &[Block]) -> bool {
        if !available() {
            return false;
        }
        // SAFETY: `available()` has just confirmed that this CPU supports SHA, SSE2, SSSE3 and
        // SSE4.1, the target features `compress_each_ni` is compiled with; the function has
        // no other preconditions (it only touches the slices it is given).
        unsafe { compress_each_ni(states, blocks) };
        true
    }

    /// [`crate::hmac_each`] with SHA-NI if the CPU has it; `false` (nothing done) otherwise.
    pub(crate) fn try_hmac_each(
        inner: &State,
        outer: &State,
        blocks: &[Block],
        out: &mut [State],
    ) -> bool {
        if !available() {
            return false;
        }
        // SAFETY: as in `try_compress_each`: the CPU has just been checked for every target
        // feature `hmac_each_ni` is compiled with, and it has no other preconditions.
        unsafe { hmac_each_ni(inner, outer, blocks, out) };
        true
    }

    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn compress_each_ni(states: &mut [State], blocks: &[Block]) {
        let mut s = states.chunks_exact_mut(LANES);
        let mut b = blocks.chunks_exact(LANES);
        for (st, bl) in (&mut s).zip(&mut b) {
            if let (Ok(st), Ok(bl)) = (
                <&mut [State; LANES]>::try_from(st),
                <&[Block; LANES]>::try_from(bl),
            ) {
                lanes(st, bl);
            }
        }
        for (st, bl) in s.into_remainder().iter_mut().zip(b.remainder()) {
            lanes::<1>(std::array::from_mut(st), std::array::from_ref(bl));
        }
    }

    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn hmac_each_ni(inner: &State, outer: &State, blocks: &[Block], out: &mut [State]) {
        let inner = load_state(inner);
        let outer = load_state(outer);
        let mut o = out.chunks_exact_mut(LANES);
        let mut b = blocks.chunks_exact(LANES);
        for (ou, bl) in (&mut o).zip(&mut b) {
            if let (Ok(ou), Ok(bl)) = (
                <&mut [State; LANES]>::try_from(ou),
                <&[Block; LANES]>::try_from(bl),
            ) {
                hmac_lanes(inner, outer, bl, ou);
            }
        }
        for (ou, bl) in o.into_remainder().iter_mut().zip(b.remainder()) {
            hmac_lanes::<1>(
                inner,
                outer,
                std::array::from_ref(bl),
                std::array::from_mut(ou),
            );
        }
    }

    /// Four big-endian message words of `b` starting at word `4 * j`, word `4j` in lane 0.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn words(b: &Block, j: usize) -> __m128i {
        let w = |i: usize| {
            let o = 16 * j + 4 * i;
            u32::from_be_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]) as i32
        };
        _mm_set_epi32(w(3), w(2), w(1), w(0))
    }

    /// Four round constants starting at `4 * i`, constant `4i` in lane 0.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn consts(i: usize) -> __m128i {
        let k = |j: usize| K[4 * i + j] as i32;
        _mm_set_epi32(k(3), k(2), k(1), k(0))
    }

    /// A state in the layout the SHA instructions use: (ABEF, CDGH), A in the top lane.
    #[target_feature(enable = "sse2,ssse3,sse4.1")]
    #[inline]
    fn load_state(s: &State) -> (__m128i, __m128i) {
        // Lanes hold A B C D (lane 0 = A) and E F G H.
        let abcd = _mm_set_epi32(s[3] as i32, s[2] as i32, s[1] as i32, s[0] as i32);
        let efgh = _mm_set_epi32(s[7] as i32, s[6] as i32, s[5] as i32, s[4] as i32);
        let cdab = _mm_shuffle_epi32::<0xB1>(abcd);
        let hgfe = _mm_shuffle_epi32::<0x1B>(efgh);
        (
            _mm_alignr_epi8::<8>(cdab, hgfe),
            _mm_blend_epi16::<0xF0>(hgfe, cdab),
        )
    }

    /// Back from (ABEF, CDGH) to (A B C D, E F G H), lane 0 = A and E.
    #[target_feature(enable = "sse2,ssse3,sse4.1")]
    #[inline]
    fn unshuffle(abef: __m128i, cdgh: __m128i) -> (__m128i, __m128i) {
        let feba = _mm_shuffle_epi32::<0x1B>(abef);
        let dchg = _mm_shuffle_epi32::<0xB1>(cdgh);
        (
            _mm_blend_epi16::<0xF0>(feba, dchg),
            _mm_alignr_epi8::<8>(dchg, feba),
        )
    }

    #[target_feature(enable = "sse4.1")]
    #[inline]
    fn store_state(abcd: __m128i, efgh: __m128i) -> State {
        [
            _mm_extract_epi32::<0>(abcd) as u32,
            _mm_extract_epi32::<1>(abcd) as u32,
            _mm_extract_epi32::<2>(abcd) as u32,
            _mm_extract_epi32::<3>(abcd) as u32,
            _mm_extract_epi32::<0>(efgh) as u32,
            _mm_extract_epi32::<1>(efgh) as u32,
            _mm_extract_epi32::<2>(efgh) as u32,
            _mm_extract_epi32::<3>(efgh) as u32,
        ]
    }

    /// `N` independent compressions of the message words `w` (sixteen per lane, four per
    /// vector, word 0 in lane 0) into the states (ABEF, CDGH), each step issued for every
    /// lane before the next step. The message schedule follows Intel's SHA extensions
    /// reference code.
    // The lane loops index several parallel arrays with the same `l`.
    #[allow(clippy::needless_range_loop)]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    #[inline]
    fn rounds<const N: usize>(
        abef: &mut [__m128i; N],
        cdgh: &mut [__m128i; N],
        mut w: [[__m128i; 4]; N],
    ) {
        let zero = _mm_setzero_si128();
        let (abef0, cdgh0) = (*abef, *cdgh);
        // Rounds 0–15: the message words themselves.
        for i in 0..4 {
            let k = consts(i);
            let mut m = [zero; N];
            for l in 0..N {
                m[l] = _mm_add_epi32(w[l][i], k);
                cdgh[l] = _mm_sha256rnds2_epu32(cdgh[l], abef[l], m[l]);
            }
            for l in 0..N {
                abef[l] = _mm_sha256rnds2_epu32(abef[l], cdgh[l], _mm_shuffle_epi32::<0x0E>(m[l]));
            }
        }
        // Rounds 16–63: W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], four at a time
        // from a sliding window of the last sixteen words.
        for i in 4..16 {
            let k = consts(i);
            let mut m = [zero; N];
            for l in 0..N {
                let [w0, w1, w2, w3] = w[l];
                let t = _mm_add_epi32(_mm_sha256msg1_epu32(w0, w1), _mm_alignr_epi8::<4>(w3, w2));
                let next = _mm_sha256msg2_epu32(t, w3);
                w[l] = [w1, w2, w3, next];
                m[l] = _mm_add_epi32(next, k);
                cdgh[l] = _mm_sha256rnds2_epu32(cdgh[l], abef[l], m[l]);
            }
            for l in 0..N {
                abef[l] = _mm_sha256rnds2_epu32(abef[l], cdgh[l], _mm_shuffle_epi32::<0x0E>(m[l]));
            }
        }
        for l in 0..N {
            abef[l] = _mm_add_epi32(abef[l], abef0[l]);
            cdgh[l] = _mm_add_epi32(cdgh[l], cdgh0[l]);
        }
    }

    #[allow(clippy::needless_range_loop)]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    #[inline]
    fn lanes<const N: usize>(states: &mut [State; N], blocks: &[Block; N]) {
        let zero = _mm_setzero_si128();
        let mut abef = [zero; N];
        let mut cdgh = [zero; N];
        let mut w = [[zero; 4]; N];
        for l in 0..N {
            (abef[l], cdgh[l]) = load_state(&states[l]);
            let b = &blocks[l];
            w[l] = [words(b, 0), words(b, 1), words(b, 2), words(b, 3)];
        }
        rounds(&mut abef, &mut cdgh, w);
        for l in 0..N {
            let (abcd, efgh) = unshuffle(abef[l], cdgh[l]);
            states[l] = store_state(abcd, efgh);
        }
    }

    /// HMAC-SHA256 of `N` one-block messages: the inner digests never leave the registers,
    /// they are the outer message words as they are.
    #[allow(clippy::needless_range_loop)]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    #[inline]
    fn hmac_lanes<const N: usize>(
        inner: (__m128i, __m128i),
        outer: (__m128i, __m128i),
        blocks: &[Block; N],
        out: &mut [State; N],
    ) {
        let zero = _mm_setzero_si128();
        let mut abef = [inner.0; N];
        let mut cdgh = [inner.1; N];
        let mut w = [[zero; 4]; N];
        for l in 0..N {
            let b = &blocks[l];
            w[l] = [words(b, 0), words(b, 1), words(b, 2), words(b, 3)];
        }
        rounds(&mut abef, &mut cdgh, w);
        // The outer message: the 32-byte inner digest, 0x80, zeros, and the bit length of a
        // message that follows one 64-byte block: (64 + 32) * 8.
        let pad = _mm_set_epi32(0, 0, 0, 0x8000_0000u32 as i32);
        let len = _mm_set_epi32((64 + 32) * 8, 0, 0, 0);
        for l in 0..N {
            let (abcd, efgh) = unshuffle(abef[l], cdgh[l]);
            w[l] = [abcd, efgh, pad, len];
        }
        let mut abef = [outer.0; N];
        let mut cdgh = [outer.1; N];
        rounds(&mut abef, &mut cdgh, w);
        for l in 0..N {
            let (abcd, efgh) = unshuffle(abef[l], cdgh[l]);
            out[l] = store_state(abcd, efgh);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// FIPS 180-4 compression written out plainly: the reference both paths are checked
    /// against (sha2 itself may use SHA-NI).
    fn reference(state: &mut State, block: &Block) {
        const K: [u32; 64] = [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
            0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
            0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
            0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
            0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
            0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
            0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
            0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
            0xc67178f2,
        ];
        let mut w = [0u32; 64];
        for (i, c) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for t in 16..64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
        for t in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = h
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[t])
                .wrapping_add(w[t]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            h = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *s = s.wrapping_add(v);
        }
    }

    fn expected(states: &[State], blocks: &[Block]) -> Vec<State> {
        states
            .iter()
            .zip(blocks)
            .map(|(s, b)| {
                let mut s = *s;
                reference(&mut s, b);
                s
            })
            .collect()
    }

    fn arb_pairs() -> impl Strategy<Value = Vec<(State, Block)>> {
        proptest::collection::vec(
            (
                proptest::array::uniform8(any::<u32>()),
                proptest::collection::vec(any::<u8>(), 64),
            )
                .prop_map(|(s, b)| {
                    let mut block = [0u8; 64];
                    block.copy_from_slice(&b);
                    (s, block)
                }),
            0..9,
        )
    }

    #[test]
    fn abc_matches_the_fips_example() {
        // SHA-256("abc"), FIPS 180-4 example: one padded block from the initial state.
        let iv: State = [
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
            0x5be0cd19,
        ];
        let mut block = [0u8; 64];
        block[..3].copy_from_slice(b"abc");
        block[3] = 0x80;
        block[63] = 24;
        let want: State = [
            0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61,
            0xf20015ad,
        ];
        let mut r = iv;
        reference(&mut r, &block);
        assert_eq!(r, want);
        for n in 1..6 {
            let mut states = vec![iv; n];
            compress_each(&mut states, &vec![block; n]);
            assert!(states.iter().all(|s| *s == want), "{n} blocks");
            let mut states = vec![iv; n];
            compress_each_portable(&mut states, &vec![block; n]);
            assert!(states.iter().all(|s| *s == want), "{n} blocks, portable");
        }
    }

    #[test]
    fn uneven_lengths_use_the_shorter() {
        let mut states = vec![[1u32; 8]; 3];
        let blocks = vec![[7u8; 64]; 2];
        compress_each(&mut states, &blocks);
        assert_eq!(states[2], [1u32; 8]);
        assert_eq!(&states[..2], &expected(&[[1u32; 8]; 2], &blocks)[..]);
    }

    #[test]
    fn reports_sha_ni() {
        #[cfg(target_arch = "x86_64")]
        assert_eq!(has_sha_ni(), std::is_x86_feature_detected!("sha"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn every_path_matches_the_reference(pairs in arb_pairs()) {
            let (states, blocks): (Vec<State>, Vec<Block>) = pairs.into_iter().unzip();
            let want = expected(&states, &blocks);

            let mut got = states.clone();
            compress_each(&mut got, &blocks);
            prop_assert_eq!(&got, &want);

            let mut got = states.clone();
            compress_each_portable(&mut got, &blocks);
            prop_assert_eq!(&got, &want);

            #[cfg(target_arch = "x86_64")]
            if has_sha_ni() {
                let mut got = states.clone();
                prop_assert!(x86::try_compress_each(&mut got, &blocks));
                prop_assert_eq!(&got, &want);
            }
        }

        #[test]
        fn hmac_paths_match_the_reference(
            inner in proptest::array::uniform8(any::<u32>()),
            outer in proptest::array::uniform8(any::<u32>()),
            pairs in arb_pairs(),
        ) {
            let blocks: Vec<Block> = pairs.into_iter().map(|(_, b)| b).collect();
            let want: Vec<State> = blocks
                .iter()
                .map(|b| {
                    let mut st = inner;
                    reference(&mut st, b);
                    let mut ob = [0u8; 64];
                    for (c, w) in ob[..32].chunks_exact_mut(4).zip(&st) {
                        c.copy_from_slice(&w.to_be_bytes());
                    }
                    ob[32] = 0x80;
                    ob[62] = 0x03; // 768 bits, big-endian
                    let mut st = outer;
                    reference(&mut st, &ob);
                    st
                })
                .collect();

            let mut got = vec![[0u32; 8]; blocks.len()];
            hmac_each(&inner, &outer, &blocks, &mut got);
            prop_assert_eq!(&got, &want);

            let mut got = vec![[0u32; 8]; blocks.len()];
            hmac_each_portable(&inner, &outer, &blocks, &mut got);
            prop_assert_eq!(&got, &want);

            #[cfg(target_arch = "x86_64")]
            if has_sha_ni() {
                let mut got = vec![[0u32; 8]; blocks.len()];
                prop_assert!(x86::try_hmac_each(&inner, &outer, &blocks, &mut got));
                prop_assert_eq!(&got, &want);
            }
        }
    }
}
