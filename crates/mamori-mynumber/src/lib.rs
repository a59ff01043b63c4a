//! My Number protection: check digits and a scanner that finds individual numbers (個人番号)
//! and corporate numbers (法人番号) in text and documents.
//!
//! **The full number never leaves this crate.** Tokens are validated in place; what callers
//! receive is a [`Finding`] with the last four digits behind asterisks and a keyed hash
//! (HMAC-SHA256 under a per-installation [`HashKey`]) for counting distinct numbers.

mod checkdigit;
mod files;
mod finding;
mod keyed;
mod matcher;
mod number;
mod text;

pub use checkdigit::{
    corporate_check_digit, individual_check_digit, is_valid_corporate, is_valid_individual,
};
pub use files::{
    FileFinding, FileScan, FileScanner, Format, Limits, NotScanned, PdfText, cell_name, detect,
    detect_encoding,
};
pub use finding::{Evidence, Finding, Inline, KeyedHash, Location, Masked};
pub use keyed::{HashKey, mask, mask_inline};
pub use matcher::{Confidence, Keywords, Kind, Shape};
pub use number::{CheckOutcome, check_number};
pub use text::{TextOptions, TextStream};

use matcher::{KeywordFinders, Token, context, for_each_token, grade};

/// The scanner: keywords and the hash key, shared by every file of a scan.
pub struct Scanner {
    key: HashKey,
    keywords: KeywordFinders,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner").finish_non_exhaustive()
    }
}

impl Scanner {
    pub fn new(key: HashKey, keywords: &Keywords) -> Scanner {
        Scanner {
            key,
            keywords: KeywordFinders::new(keywords),
        }
    }

    /// Whether a column header or label names numbers of this kind (e.g. 個人番号).
    pub fn label_names(&self, kind: Kind, label: &str) -> bool {
        self.keywords.names(kind, label)
    }

    /// A finding for `t` whose hash is still empty: [`Scanner::fill_hashes`] fills it before
    /// the finding is handed out, so that the hashes of many numbers are computed together.
    fn unhashed_finding(&self, t: &Token, evidence: Evidence, location: Location) -> Finding {
        let ctx = matcher::Context {
            positive: matches!(evidence, Evidence::Keyword | Evidence::Header),
            negative: evidence == Evidence::NegativeCue,
        };
        Finding {
            kind: t.kind,
            confidence: grade(t, ctx),
            shape: t.shape,
            fullwidth: t.fullwidth,
            masked: keyed::mask16(&t.digits, t.len),
            hash: KeyedHash::default_hex(),
            evidence,
            location,
        }
    }

    /// Sets `findings[i].hash` to the keyed hash of `tokens[i]`, [`keyed::GROUP`] numbers at a
    /// time.
    fn fill_hashes(&self, tokens: &[Token], findings: &mut [Finding]) {
        for (ts, fs) in tokens
            .chunks(keyed::GROUP)
            .zip(findings.chunks_mut(keyed::GROUP))
        {
            let mut blocks = [[0u8; 64]; keyed::GROUP];
            for (b, t) in blocks.iter_mut().zip(ts) {
                *b = keyed::message_block16(t.kind.key(), &t.digits, t.len);
            }
            let hashes = self.key.hash_group(&blocks[..ts.len()]);
            for (f, h) in fs.iter_mut().zip(hashes) {
                f.hash = h;
            }
        }
    }

    /// Scans one short piece of text (a cell, a paragraph, a page) held in memory.
    /// `header` says whether the unit's column or label already names a number kind;
    /// `locate` turns a byte offset into a location.
    pub fn scan_unit(
        &self,
        text: &str,
        header: impl Fn(Kind) -> bool,
        locate: impl Fn(usize) -> Location,
        out: &mut Vec<Finding>,
    ) {
        let s = text.as_bytes();
        let first = out.len();
        let mut tokens = Vec::new();
        for_each_token(s, 0, s.len(), true, |t| {
            let ctx = context(s, &t, &self.keywords);
            let evidence = if header(t.kind) {
                Evidence::Header
            } else {
                Evidence::from_context(ctx)
            };
            out.push(self.unhashed_finding(&t, evidence, locate(t.start)));
            tokens.push(t);
        });
        self.fill_hashes(&tokens, &mut out[first..]);
    }

    /// A numeric spreadsheet cell. A 12-digit integer is an individual-number candidate, a
    /// 13-digit one a corporate-number candidate, and an 11-digit one an individual number
    /// whose leading zero was lost (low confidence unless the column says otherwise).
    pub fn scan_numeric_cell(
        &self,
        value: f64,
        header: impl Fn(Kind) -> bool,
        location: Location,
    ) -> Option<Finding> {
        if !(value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < 1e13) {
            return None;
        }
        // Exact: integers below 2^53 are represented exactly in f64.
        let n = value as u64;
        let len = if n == 0 { 1 } else { n.ilog10() as usize + 1 };
        let (kind, shape, width) = match len {
            13 => (Kind::Corporate, Shape::NumericCell, 13),
            12 => (Kind::Individual, Shape::NumericCell, 12),
            11 => (Kind::Individual, Shape::PaddedCell, 12),
            _ => return None,
        };
        let mut digits = [0u8; 16];
        let mut x = n;
        for i in (0..width).rev() {
            digits[i] = (x % 10) as u8;
            x /= 10;
        }
        if !matcher::check_digit_ok(kind, &digits) {
            return None;
        }
        let t = Token {
            kind,
            shape,
            fullwidth: false,
            start: 0,
            end: 0,
            digits,
            len: width,
        };
        let evidence = if header(kind) {
            Evidence::Header
        } else {
            Evidence::None
        };
        let mut f = self.unhashed_finding(&t, evidence, location);
        self.fill_hashes(std::slice::from_ref(&t), std::slice::from_mut(&mut f));
        Some(f)
    }
}

/// Replaces every valid individual number in `text` with its masked form, for printing
/// paths and messages that may contain one (a file named after a person's number, say).
/// Corporate numbers are public and stay as they are.
pub fn redact(text: &str) -> String {
    let s = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    // Lenient boundaries: `山田_621498320257.pdf` is redacted too.
    for_each_token(s, 0, s.len(), false, |t| {
        if t.kind == Kind::Individual {
            out.push_str(&text[last..t.start]);
            out.push_str(&mask(t.digits()));
            last = t.end;
        }
    });
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_individual_numbers_only() {
        assert_eq!(
            super::redact("/share/山田_621498320257.pdf 5835678256246"),
            "/share/山田_********0257.pdf 5835678256246"
        );
        assert_eq!(super::redact("6214-9832-0257"), "********0257");
    }
}
