//! The hot loop: finds number-shaped tokens in UTF-8 text, validates their check digits and
//! grades them by context.
//!
//! A token is a maximal run of digit groups joined by single separators. Only whole tokens are
//! candidates, so a 12-digit window inside a longer run (or inside a 4-4-4-4 card number) never
//! matches. Digits are ASCII `0-9` or full-width `０-９`; separators are space, hyphen, dot and
//! their full-width or look-alike forms (－ ー ‐ − ． 　).

#[cfg(test)]
use crate::checkdigit::{is_valid_corporate, is_valid_individual};

/// Individual (個人番号) or corporate (法人番号).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Individual,
    Corporate,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::Individual => "individual",
            Kind::Corporate => "corporate",
        }
    }
}

/// How sure the scanner is that a valid-check-digit token is really a number of its kind.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    fn up(self) -> Confidence {
        match self {
            Confidence::Low => Confidence::Medium,
            _ => Confidence::High,
        }
    }

    fn down(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
}

/// How the number was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// 12 or 13 digits in a row.
    Plain,
    /// 4-4-4 (or 1-4-4-4 for a corporate number) with one kind of separator.
    Grouped,
    /// A numeric spreadsheet cell holding the number.
    NumericCell,
    /// A numeric cell of 11 digits: a 12-digit number whose leading zero was lost.
    PaddedCell,
    /// `T` + 13 digits: a qualified-invoice registration number (never a personal number).
    Invoice,
}

/// A validated number, still in the clear. Crate-private: callers only ever see [`crate::Finding`]s,
/// built by [`crate::Scanner`] with the number masked and hashed.
#[derive(Clone, Copy)]
pub(crate) struct Token {
    pub kind: Kind,
    pub shape: Shape,
    pub fullwidth: bool,
    pub start: usize,
    pub end: usize,
    /// Digit values (0–9) in the first `len` bytes, zeros after: sixteen bytes so that the
    /// fast path writes it with one store (a 13-byte array written piecewise and read back
    /// whole stalled store forwarding on every number).
    pub digits: [u8; 16],
    pub len: usize,
}

impl Token {
    pub fn digits(&self) -> &[u8] {
        &self.digits[..self.len]
    }
}

/// Keywords that raise or lower confidence when they appear near a number.
#[derive(Debug, Clone)]
pub struct Keywords {
    pub individual: Vec<String>,
    pub corporate: Vec<String>,
    pub negative: Vec<String>,
    /// Bytes of text looked at before and after the number (UTF-8; ~3 bytes per Japanese
    /// character).
    pub window: usize,
}

impl Default for Keywords {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        Keywords {
            individual: v(&[
                "マイナンバー",
                "個人番号",
                "番号確認",
                "扶養控除等申告書",
                "源泉徴収票",
                "支払調書",
                "被扶養者",
                "本人確認",
                "共通番号",
                "通知カード",
                "個人識別番号",
                "My Number",
                "my number",
                "MyNumber",
                "MY NUMBER",
                "mynumber",
                "MYNUMBER",
                "kojin_bango",
                "kojinbango",
                "KOJIN_BANGO",
            ]),
            corporate: v(&[
                "法人番号",
                "会社法人等番号",
                "corporate number",
                "Corporate Number",
                "CORPORATE NUMBER",
                "corporate_number",
                "houjin_bangou",
                "hojin_bango",
            ]),
            negative: v(&[
                "電話",
                "TEL",
                "Tel",
                "tel",
                "FAX",
                "Fax",
                "fax",
                "携帯",
                "注文番号",
                "受付番号",
                "伝票番号",
                "口座番号",
                "会員番号",
                "商品コード",
                "JAN",
                "管理番号",
                "お問い合わせ番号",
                "証券番号",
            ]),
            window: 96,
        }
    }
}

/// What context said about a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Context {
    pub positive: bool,
    pub negative: bool,
}

const MAX_GROUPS: usize = 8;

/// Reads one digit at `i`: ASCII or full-width (EF BC 90–99). Returns (value, byte length).
#[inline(always)]
fn digit_at(s: &[u8], i: usize) -> Option<(u8, usize, bool)> {
    let b = *s.get(i)?;
    if b.is_ascii_digit() {
        return Some((b - b'0', 1, false));
    }
    if b == 0xEF
        && s.get(i + 1) == Some(&0xBC)
        && let Some(&c) = s.get(i + 2)
        && (0x90..=0x99).contains(&c)
    {
        return Some((c - 0x90, 3, true));
    }
    None
}

/// The number of digits in the run starting at `i`, counting up to 5.
#[inline]
fn run_length(s: &[u8], mut i: usize) -> usize {
    let mut n = 0;
    while n < 5 {
        match digit_at(s, i) {
            Some((_, len, _)) => {
                n += 1;
                i += len;
            }
            None => break,
        }
    }
    n
}

/// Reads one separator at `i`; returns (separator id, byte length).
#[inline]
fn separator_at(s: &[u8], i: usize) -> Option<(u8, usize)> {
    let b = *s.get(i)?;
    match b {
        b'-' | b' ' | b'.' => Some((b, 1)),
        0xEF if s.get(i + 1) == Some(&0xBC) => match s.get(i + 2) {
            Some(0x8D) => Some((b'-', 3)), // －
            Some(0x8E) => Some((b'.', 3)), // ．
            _ => None,
        },
        0xE3 => match (s.get(i + 1), s.get(i + 2)) {
            (Some(0x83), Some(0xBC)) => Some((b'-', 3)), // ー (typed as a dash)
            (Some(0x80), Some(0x80)) => Some((b' ', 3)), // 全角スペース
            _ => None,
        },
        0xE2 => match (s.get(i + 1), s.get(i + 2)) {
            (Some(0x80), Some(0x90)) | (Some(0x80), Some(0x91)) => Some((b'-', 3)), // ‐ ‑
            (Some(0x88), Some(0x92)) => Some((b'-', 3)),                            // −
            _ => None,
        },
        _ => None,
    }
}

/// Whether the character ending just before `i` is an ASCII letter (or `_`), which makes the
/// token part of an identifier rather than a number on its own.
#[inline]
fn letter_before(s: &[u8], i: usize) -> Option<u8> {
    let b = *s.get(i.checked_sub(1)?)?;
    if b.is_ascii_alphabetic() || b == b'_' {
        return Some(b);
    }
    // Full-width Ｔ (EF BC B4) before an invoice number.
    if i >= 3 && s[i - 3..i] == [0xEF, 0xBC, 0xB4] {
        return Some(b'T');
    }
    None
}

/// A hyphen or dot and a digit right after the token: a decimal (`….5`) or a longer code
/// (`…-1`), so the token is part of something else. Spaces do separate numbers.
#[inline]
fn joined_after(s: &[u8], end: usize) -> bool {
    matches!(separator_at(s, end), Some((b'-' | b'.', len)) if digit_at(s, end + len).is_some())
}

/// The same before the token: `03-621498320257`, `0.621498320257`.
#[inline]
fn joined_before(s: &[u8], start: usize) -> bool {
    for len in [1usize, 3] {
        if let Some(at) = start.checked_sub(len)
            && matches!(separator_at(s, at), Some((b'-' | b'.', l)) if l == len)
        {
            return (1..=3).any(|k| at >= k && digit_at(s, at - k).is_some_and(|(_, l, _)| l == k));
        }
    }
    false
}

#[inline]
fn letter_after(s: &[u8], i: usize) -> bool {
    s.get(i)
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
}

/// Parses the token starting at `start` (a digit). Returns the token, if it has a candidate
/// shape and a valid check digit, and the byte offset just past the token.
#[inline]
pub(crate) fn token_at(s: &[u8], start: usize, strict: bool) -> (Option<Token>, usize) {
    // Fast path for the common case: a run of ASCII digits not followed by anything that
    // could continue a token (a separator or a full-width digit). Digit-dense files (CSV
    // exports) are mostly such runs of the wrong length.
    let j = ascii_digit_run_end(s, start);
    let run = j - start;
    let may_continue = matches!(s.get(j), Some(b'-' | b' ' | b'.' | 0xE2 | 0xE3 | 0xEF));
    if !may_continue {
        if run != 12 && run != 13 {
            return (None, j);
        }
        let mut digits = [0u8; 16];
        if let Some(chunk) = s.get(start..start + 16) {
            // All sixteen bytes at once: the first `run` are digits (at least 0x30), so
            // subtracting 0x30 from each borrows only in the bytes past the run, which the
            // mask clears.
            let mut w = [0u8; 16];
            w.copy_from_slice(chunk);
            let v = u128::from_le_bytes(w).wrapping_sub(u128::from_le_bytes([0x30; 16]));
            digits = (v & ((1u128 << (8 * run)) - 1)).to_le_bytes();
        } else {
            for (d, b) in digits.iter_mut().zip(&s[start..j]) {
                *d = b - b'0';
            }
        }
        let kind = if run == 12 {
            Kind::Individual
        } else {
            Kind::Corporate
        };
        return (
            finish(s, start, j, strict, kind, Shape::Plain, false, digits, run),
            j,
        );
    }
    // General path: digit groups joined by single separators. Groups here are short (a
    // separator only joins groups of at most four digits), so 8 groups hold at most 32 digits.
    let mut all = [0u8; 4 * MAX_GROUPS];
    let mut n = 0usize;
    let mut groups = [0u8; MAX_GROUPS];
    let mut bounds = [(0usize, 0usize); MAX_GROUPS];
    // The separator after each group (0: none).
    let mut seps = [0u8; MAX_GROUPS];
    let mut ngroups = 0usize;
    let mut fullwidth = false;
    let mut i = start;
    let mut run = 0u8;
    let mut group_start = start;
    loop {
        if let Some((d, len, fw)) = digit_at(s, i) {
            if n < all.len() {
                all[n] = d;
            }
            n += 1;
            run = run.saturating_add(1);
            fullwidth |= fw;
            i += len;
            continue;
        }
        // End of a group.
        if ngroups < MAX_GROUPS {
            groups[ngroups] = run;
            bounds[ngroups] = (group_start, i);
        }
        ngroups += 1;
        // A single separator continues the token only between short groups (as in 4-4-4 or
        // 1-4-4-4): `621498320257 123456789018` is two numbers, and so is
        // `1234 621498320257`.
        if let Some((id, len)) = separator_at(s, i)
            && run <= 4
            && (1..=4).contains(&run_length(s, i + len))
        {
            if ngroups <= MAX_GROUPS {
                seps[ngroups - 1] = id;
            }
            run = 0;
            i += len;
            group_start = i;
            continue;
        }
        break;
    }
    let end = i;
    if ngroups > MAX_GROUPS {
        return (None, end);
    }
    let g = &groups[..ngroups];
    let uniform = |from: usize, to: usize| seps[from..to].iter().all(|x| *x == seps[from]);
    let whole = match (n, g) {
        (12, [12]) => Some((Kind::Individual, Shape::Plain)),
        (12, [4, 4, 4]) if uniform(0, 2) => Some((Kind::Individual, Shape::Grouped)),
        (13, [13]) => Some((Kind::Corporate, Shape::Plain)),
        (13, [1, 4, 4, 4]) if uniform(0, 3) => Some((Kind::Corporate, Shape::Grouped)),
        _ => None,
    };
    if let Some((kind, shape)) = whole {
        let mut digits = [0u8; 16];
        digits[..13].copy_from_slice(&all[..13]);
        return (
            finish(s, start, end, strict, kind, shape, fullwidth, digits, n),
            end,
        );
    }
    // The token as a whole has no candidate shape, but a 4-4-4 (or 1-4-4-4) run of its groups
    // may stand apart by spaces: `6214-9832-0257 1980`, `1 6214 9832 0257`, a table row.
    let mut offset = 0usize;
    for k in 0..ngroups {
        for (kind, shape_groups) in [
            (Kind::Individual, &[4u8, 4, 4][..]),
            (Kind::Corporate, &[1u8, 4, 4, 4][..]),
        ] {
            let last = k + shape_groups.len() - 1;
            if last >= ngroups || &groups[k..=last] != shape_groups || !uniform(k, last) {
                continue;
            }
            let left_apart = k == 0 || seps[k - 1] == b' ' && seps[k] != b' ';
            let right_apart = last + 1 == ngroups || seps[last] == b' ' && seps[k] != b' ';
            if !(left_apart && right_apart) {
                continue;
            }
            let len: usize = shape_groups.iter().map(|x| usize::from(*x)).sum();
            let mut digits = [0u8; 16];
            digits[..len].copy_from_slice(&all[offset..offset + len]);
            let (ws, we) = (bounds[k].0, bounds[last].1);
            if let Some(t) = finish(
                s,
                ws,
                we,
                strict,
                kind,
                Shape::Grouped,
                fullwidth,
                digits,
                len,
            ) {
                return (Some(t), end);
            }
        }
        offset += usize::from(groups[k]);
    }
    (None, end)
}

/// Whether the digits (12 for an individual number, 13 for a corporate one) check out.
///
/// The same answer as [`crate::is_valid_individual`] / [`crate::is_valid_corporate`],
/// computed on two words (SWAR): this runs for every 12- or 13-digit run of a digit-dense
/// file.
#[inline]
pub(crate) fn check_digit_ok(kind: Kind, digits: &[u8; 16]) -> bool {
    const LANE16: u64 = 0x00FF_00FF_00FF_00FF;
    let mut lo = [0u8; 8];
    lo.copy_from_slice(&digits[..8]);
    let lo = u64::from_le_bytes(lo);
    let mut hi = [0u8; 8];
    hi.copy_from_slice(&digits[8..]);
    let hi = u64::from_le_bytes(hi);
    let used = match kind {
        Kind::Individual => 0x0000_0000_FFFF_FFFFu64,
        Kind::Corporate => 0x0000_00FF_FFFF_FFFFu64,
    };
    // Every digit 0–9: adding 0x76 sets no high bit (and no byte already has it).
    let hi_used = hi & used;
    if ((lo | lo.wrapping_add(ONES * 0x76)) | (hi_used | hi_used.wrapping_add(ONES * 0x76))) & HIGHS
        != 0
    {
        return false;
    }
    match kind {
        Kind::Individual => {
            // Weights 6,5,4,3,2,7,6,5 | 4,3,2 over digits 0–10, digit 11 the check. Sixteen-bit
            // lanes: the even and the odd bytes of `lo` each as four lanes, multiplied so that
            // the top lane collects the weighted sum (at most 4 · 63, no carry between lanes).
            let even = lo & LANE16; // digits 0, 2, 4, 6
            let odd = (lo >> 8) & LANE16; // digits 1, 3, 5, 7
            // Lane j of the multiplier holds the weight of the digit that lands in lane 3.
            let we = (6u64 << 48) | (4 << 32) | (2 << 16) | 6; // digits 0, 2, 4, 6
            let wo = (5u64 << 48) | (3 << 32) | (7 << 16) | 5; // digits 1, 3, 5, 7
            let sum = (even.wrapping_mul(we) >> 48)
                + (odd.wrapping_mul(wo) >> 48)
                + (hi & 0xFF) * 4
                + ((hi >> 8) & 0xFF) * 3
                + ((hi >> 16) & 0xFF) * 2;
            let r = sum % 11;
            let check = if r <= 1 { 0 } else { 11 - r };
            (hi >> 24) & 0xFF == check
        }
        Kind::Corporate => {
            // Digit 0 is the check; base digits 1–12 weigh 2,1,2,1,… left to right, so the odd
            // bytes of the number count twice. Each weighted byte is at most 18 and twelve of
            // them at most 162: a byte-wise horizontal sum cannot carry.
            let odd_bytes = 0xFF00_FF00_FF00_FF00u64;
            let wlo = (lo & !0xFF) + (lo & odd_bytes); // digits 1–7
            let whi = hi_used + (hi_used & odd_bytes); // digits 8–12
            let sum = (wlo.wrapping_mul(ONES) >> 56) + (whi.wrapping_mul(ONES) >> 56);
            lo & 0xFF == 9 - sum % 9
        }
    }
}

/// Boundary checks and the check digit for a token of candidate shape.
#[allow(clippy::too_many_arguments)]
#[inline]
fn finish(
    s: &[u8],
    start: usize,
    end: usize,
    strict: bool,
    kind: Kind,
    shape: Shape,
    fullwidth: bool,
    digits: [u8; 16],
    n: usize,
) -> Option<Token> {
    // The common case in exports: a delimiter on both sides settles every boundary rule.
    let plain_edge = |b: Option<&u8>| {
        matches!(
            b,
            None | Some(b',' | b'\t' | b'\n' | b'\r' | b'"' | b';' | b'|')
        )
    };
    let strict = strict
        && !(plain_edge(start.checked_sub(1).and_then(|i| s.get(i))) && plain_edge(s.get(end)));
    // Identifiers such as `ABC123456789012` or `id_…` are not numbers; `T` + 13 digits is an
    // invoice registration number.
    let before = if strict {
        letter_before(s, start)
    } else {
        None
    };
    let shape = match (kind, before) {
        (_, None) => shape,
        (Kind::Corporate, Some(b'T')) if shape == Shape::Plain => Shape::Invoice,
        _ => return None,
    };
    if strict && (letter_after(s, end) || joined_after(s, end) || joined_before(s, start)) {
        return None;
    }
    if !check_digit_ok(kind, &digits) {
        return None;
    }
    Some(Token {
        kind,
        shape,
        fullwidth,
        start,
        end,
        digits,
        len: n,
    })
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// High bit set in exactly the bytes of `w` that are not ASCII digits (SWAR, no carries
/// between bytes: every byte is forced above 0x80 before subtracting).
#[inline(always)]
fn non_digits(w: u64) -> u64 {
    let x = w ^ (ONES * 0x30);
    let ge10 = ((x | HIGHS).wrapping_sub(ONES * 10)) & HIGHS;
    // Bytes whose low seven bits are 0–9 after the XOR but had the high bit: not digits.
    (ge10 | x) & HIGHS
}

/// The end of the run of ASCII digits starting at `i`, eight bytes at a time.
#[inline]
fn ascii_digit_run_end(s: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = s.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let m = non_digits(u64::from_le_bytes(w));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    i
}
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A mask with the high bit set in (at least) the lowest byte of `w` that is an ASCII digit
/// or 0xEF (the lead byte of full-width digits), zero when there is none. Branch-free SWAR:
/// `hasbetween` for 0x30–0x39 and `haszero` for 0xEF. Borrows only propagate upwards, so the
/// lowest set bit is exact even where higher ones are not.
#[inline(always)]
fn interesting(w: u64) -> u64 {
    let low7 = w & (ONES * 0x7F);
    // Bytes in (0x2F, 0x3A) among bytes < 0x80.
    let between = ((ONES * (127 + 0x3A)).wrapping_sub(low7))
        & !w
        & (low7.wrapping_add(ONES * (127 - 0x2F)))
        & HIGHS;
    let x = w ^ (ONES * 0xEF);
    let ef = x.wrapping_sub(ONES) & !x & HIGHS;
    between | ef
}

/// Calls `f` with every validated token whose first byte lies in `from..to` (with `strict`
/// boundaries: not part of an identifier, a decimal or a longer code); the text may
/// extend beyond `to` so that tokens starting near the end are read whole. `from` must not lie
/// inside a token: pass 0 or a position this function returned. Returns where to resume (the
/// end of the last token read, or `to`).
#[inline]
pub(crate) fn for_each_token(
    s: &[u8],
    from: usize,
    to: usize,
    strict: bool,
    mut f: impl FnMut(Token),
) -> usize {
    let to = to.min(s.len());
    let mut i = from;
    while i < to {
        // Fast skip, eight bytes at a time, landing on the first interesting byte.
        while let Some(chunk) = s.get(i..i + 8).filter(|_| i + 8 <= to) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            let m = interesting(u64::from_le_bytes(w));
            if m != 0 {
                i += (m.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        if i >= to {
            break;
        }
        if digit_at(s, i).is_some() {
            let (tok, end) = token_at(s, i, strict);
            if let Some(t) = tok {
                f(t);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    i.max(to)
}

/// Looks for keywords around a token: positive keywords on the same line or the line before
/// (a label above a value), negative cues on the same line only; never further than the
/// window.
pub(crate) fn context(s: &[u8], t: &Token, kw: &KeywordFinders) -> Context {
    let lo = t.start.saturating_sub(kw.window);
    let hi = (t.end + kw.window).min(s.len());
    let window_before = &s[lo..t.start];
    // Same line: from the last newline before the token.
    let line_from = memchr::memrchr(b'\n', window_before).map_or(lo, |nl| lo + nl + 1);
    // Line before: from the newline before that one.
    let prev_from = if line_from > lo {
        memchr::memrchr(b'\n', &s[lo..line_from - 1]).map_or(lo, |nl| lo + nl + 1)
    } else {
        lo
    };
    let line_to = memchr::memchr(b'\n', &s[t.end..hi]).map_or(hi, |nl| t.end + nl);
    let after = &s[t.end..line_to];
    let pos = match t.kind {
        Kind::Individual => &kw.individual,
        Kind::Corporate => &kw.corporate,
    };
    let near = |set: &[memchr::memmem::Finder<'static>], before: &[u8]| {
        set.iter()
            .any(|f| f.find(before).is_some() || f.find(after).is_some())
    };
    let negative = near(&kw.negative, &s[line_from..t.start]);
    // A label on the line above counts unless this line has a negative cue of its own.
    let positive =
        near(pos, &s[line_from..t.start]) || (!negative && near(pos, &s[prev_from..line_from]));
    Context { positive, negative }
}

/// Keyword searchers built once per scanner.
pub(crate) struct KeywordFinders {
    pub individual: Vec<memchr::memmem::Finder<'static>>,
    pub corporate: Vec<memchr::memmem::Finder<'static>>,
    pub negative: Vec<memchr::memmem::Finder<'static>>,
    pub window: usize,
}

impl KeywordFinders {
    pub fn new(k: &Keywords) -> KeywordFinders {
        let f = |xs: &[String]| {
            xs.iter()
                .filter(|x| !x.is_empty())
                .map(|x| memchr::memmem::Finder::new(x.as_bytes()).into_owned())
                .collect()
        };
        KeywordFinders {
            individual: f(&k.individual),
            corporate: f(&k.corporate),
            negative: f(&k.negative),
            window: k.window,
        }
    }

    /// Whether a header or label names numbers of this kind (e.g. a column titled 個人番号).
    pub fn names(&self, kind: Kind, label: &str) -> bool {
        let set = match kind {
            Kind::Individual => &self.individual,
            Kind::Corporate => &self.corporate,
        };
        set.iter().any(|f| f.find(label.as_bytes()).is_some())
    }
}

/// The confidence of a validated token given its shape and context.
pub(crate) fn grade(t: &Token, ctx: Context) -> Confidence {
    let base = match t.shape {
        Shape::Grouped => Confidence::Medium,
        Shape::Plain | Shape::NumericCell | Shape::PaddedCell | Shape::Invoice => Confidence::Low,
    };
    let mut c = base;
    if ctx.positive {
        c = if t.shape == Shape::PaddedCell {
            c.up()
        } else {
            Confidence::High
        };
    } else if ctx.negative {
        c = c.down();
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_check_digits_agree_with_the_statutes() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            // SplitMix64.
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let (mut valid_i, mut valid_c) = (0, 0);
        for round in 0..400_000 {
            let r = next();
            let mut d = [0u8; 16];
            for (i, v) in d[..13].iter_mut().enumerate() {
                *v = ((r >> (4 * i)) % 10) as u8;
            }
            // Make about a tenth of them valid, and some not digits at all.
            if round % 10 == 0 {
                let mut base = [0u8; 11];
                base.copy_from_slice(&d[..11]);
                d[11] = crate::checkdigit::individual_check_digit(&base);
            }
            if round % 10 == 1 {
                let mut base = [0u8; 12];
                base.copy_from_slice(&d[1..13]);
                d[0] = crate::checkdigit::corporate_check_digit(&base);
            }
            if round % 97 == 0 {
                d[(r % 13) as usize] = 10 + (r >> 60) as u8;
            }
            let mut ind = d;
            ind[12..].fill(0);
            let mut i12 = [0u8; 12];
            i12.copy_from_slice(&ind[..12]);
            let want = is_valid_individual(&i12);
            valid_i += usize::from(want);
            assert_eq!(check_digit_ok(Kind::Individual, &ind), want, "{ind:?}");
            let mut c13 = [0u8; 13];
            c13.copy_from_slice(&d[..13]);
            let want = is_valid_corporate(&c13);
            valid_c += usize::from(want);
            assert_eq!(check_digit_ok(Kind::Corporate, &d), want, "{d:?}");
        }
        assert!(valid_i > 30_000 && valid_c > 30_000, "{valid_i} {valid_c}");
    }

    fn tokens(s: &str) -> Vec<(Kind, Shape, String)> {
        let mut out = Vec::new();
        for_each_token(s.as_bytes(), 0, s.len(), true, |t| {
            let d: String = t.digits().iter().map(|d| char::from(b'0' + d)).collect();
            out.push((t.kind, t.shape, d));
        });
        out
    }

    #[test]
    fn finds_shapes() {
        use Kind::*;
        use Shape::*;
        let v = "621498320257".to_string();
        assert_eq!(
            tokens("番号621498320257です"),
            [(Individual, Plain, v.clone())]
        );
        assert_eq!(tokens("6214-9832-0257"), [(Individual, Grouped, v.clone())]);
        assert_eq!(tokens("6214 9832 0257"), [(Individual, Grouped, v.clone())]);
        assert_eq!(tokens("6214.9832.0257"), [(Individual, Grouped, v.clone())]);
        assert_eq!(
            tokens("６２１４－９８３２－０２５７"),
            [(Individual, Grouped, v.clone())]
        );
        assert_eq!(
            tokens("６２１４９８３２０２５７"),
            [(Individual, Plain, v.clone())]
        );
        assert_eq!(
            tokens("6214ー9832ー0257"),
            [(Individual, Grouped, v.clone())]
        );
        assert_eq!(
            tokens("6214　9832　0257"),
            [(Individual, Grouped, v.clone())]
        );
        assert_eq!(
            tokens("5835678256246"),
            [(Corporate, Plain, "5835678256246".into())]
        );
        assert_eq!(
            tokens("T5835678256246"),
            [(Corporate, Invoice, "5835678256246".into())]
        );
        assert_eq!(tokens("a,621498320257,b"), [(Individual, Plain, v.clone())]);
        assert_eq!(
            tokens("621498320257\n123456789018"),
            [
                (Individual, Plain, v.clone()),
                (Individual, Plain, "123456789018".into())
            ]
        );
        assert_eq!(
            tokens("621498320257 123456789018"),
            [
                (Individual, Plain, v.clone()),
                (Individual, Plain, "123456789018".into())
            ]
        );
        assert_eq!(
            tokens("No 1234 621498320257"),
            [(Individual, Plain, v.clone())]
        );
        assert_eq!(
            tokens("6214 9832 0257 12345"),
            [(Individual, Grouped, v.clone())]
        );
    }

    #[test]
    fn rejects_non_candidates() {
        for s in [
            "621498320258",               // check digit
            "1621498320257",              // inside a longer run (13 digits, invalid corporate)
            "6214983202570",              // longer run
            "6214-9832-0257-1234",        // card-like 4-4-4-4
            "1234-6214-9832-0257",        // card-like 4-4-4-4
            "6214-9832 0257",             // mixed separators
            "62149-832-0257",             // wrong grouping
            "ID621498320257",             // identifier
            "621498320257abc",            // identifier
            "６２１４９８３２０２５７８", // full-width longer run
            "621498320257.5",             // decimal
            "0.621498320257",             // decimal
            "621498320257-1",             // longer code
            "03-621498320257",            // longer code
        ] {
            assert_eq!(tokens(s), [], "{s}");
        }
    }

    #[test]
    fn digit_runs_are_exact() {
        for b in 0u8..=255 {
            for pos in 0..8 {
                let mut bytes = [b'5'; 8];
                bytes[pos] = b;
                let m = non_digits(u64::from_le_bytes(bytes));
                for (k, c) in bytes.iter().enumerate() {
                    assert_eq!(m >> (8 * k + 7) & 1 == 1, !c.is_ascii_digit(), "{bytes:x?}");
                }
            }
        }
        let s = b"12345678901234567890x";
        for start in 0..s.len() {
            let naive = start + s[start..].iter().take_while(|c| c.is_ascii_digit()).count();
            assert_eq!(ascii_digit_run_end(s, start), naive);
        }
    }

    #[test]
    fn swar_filter_is_exact_for_every_byte() {
        for b in 0u8..=255 {
            for pos in 0..8 {
                let mut bytes = [b' '; 8];
                bytes[pos] = b;
                let m = interesting(u64::from_le_bytes(bytes));
                let hit = b.is_ascii_digit() || b == 0xEF;
                assert_eq!(m != 0, hit, "byte {b:#x} at {pos}");
                if hit {
                    assert_eq!(m.trailing_zeros() / 8, pos as u32, "byte {b:#x} at {pos}");
                }
            }
        }
        // Neighbouring high bytes do not disturb the test, and the lowest hit is exact.
        let w = u64::from_le_bytes([0xFF, 0x80, 0x2F, 0x3A, 0xEE, 0xF0, 0x00, 0x7F]);
        assert_eq!(interesting(w), 0);
        let probes = [0u8, 0x2F, 0x30, 0x39, 0x3A, 0x80, 0xEE, 0xEF, 0xF0, 0xFF];
        for a in probes {
            for b in probes {
                for pa in 0..8 {
                    for pb in 0..8 {
                        let mut bytes = [b'x'; 8];
                        bytes[pa] = a;
                        bytes[pb] = b;
                        let first = bytes.iter().position(|c| c.is_ascii_digit() || *c == 0xEF);
                        let m = interesting(u64::from_le_bytes(bytes));
                        let got = (m != 0).then(|| m.trailing_zeros() / 8);
                        assert_eq!(first.map(|p| p as u32), got, "{bytes:x?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_token_crossing_the_range_end_is_read_whole_and_resumed_after() {
        let s = b"x 621498320257 123456789018";
        let mut found = Vec::new();
        let resume = for_each_token(s, 0, 5, true, |t| found.push(t.start));
        assert_eq!((found.clone(), resume), (vec![2], 14));
        let resume = for_each_token(s, resume, s.len(), true, |t| found.push(t.start));
        assert_eq!((found, resume), (vec![2, 15], s.len()));
    }
}
