//! What a scan reports. No field ever holds a full number.

use serde::{Deserialize, Serialize};

use crate::matcher::{Confidence, Context, Kind, Shape};

/// What raised or lowered the confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Nothing near the number.
    None,
    /// A keyword such as マイナンバー or 個人番号 near the number.
    Keyword,
    /// The column header or label names the kind of number.
    Header,
    /// A negative cue such as 電話 or 口座番号 near the number, and no keyword.
    NegativeCue,
}

impl Evidence {
    pub(crate) fn from_context(c: Context) -> Evidence {
        if c.positive {
            Evidence::Keyword
        } else if c.negative {
            Evidence::NegativeCue
        } else {
            Evidence::None
        }
    }
}

/// Where in a file a number was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "at")]
pub enum Location {
    /// Text: 1-based line and column (in characters).
    Line { line: u64, column: u64 },
    /// A spreadsheet cell such as `Sheet1!B12`.
    Cell { sheet: String, cell: String },
    /// A part of an Office document (`word/document.xml`) and the 1-based paragraph in it.
    Part { part: String, paragraph: u64 },
    /// A PDF page, 1-based.
    Page { page: u64 },
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Line { line, column } => write!(f, "{line}:{column}"),
            Location::Cell { sheet, cell } => write!(f, "{sheet}!{cell}"),
            Location::Part { part, paragraph } => write!(f, "{part}#p{paragraph}"),
            Location::Page { page } => write!(f, "page {page}"),
        }
    }
}

/// One number found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: Kind,
    pub confidence: Confidence,
    pub shape: Shape,
    pub fullwidth: bool,
    /// The last four digits behind asterisks, e.g. `********0257`.
    pub masked: Masked,
    /// Keyed hash of the number (HMAC-SHA256, 128 bits, hex).
    pub hash: KeyedHash,
    pub evidence: Evidence,
    pub location: Location,
}

/// A short ASCII string stored inline (no allocation): a finding is made for every number in
/// a digit-dense file, so its masked form and hash do not go to the heap.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Inline<const N: usize> {
    len: u8,
    bytes: [u8; N],
}

impl Inline<32> {
    /// 32 lower-case hex digits (ASCII by construction).
    pub(crate) fn from_hex(bytes: [u8; 32]) -> Self {
        Inline { len: 32, bytes }
    }

    /// The first 64 bits of a keyed hash, for counting distinct numbers cheaply (collisions
    /// at 2^-64 do not matter for a count).
    pub fn prefix_u64(&self) -> u64 {
        let mut v = 0u64;
        for c in &self.bytes[..16] {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => 0,
            };
            v = (v << 4) | u64::from(d);
        }
        v
    }
}

/// `********0257`.
pub type Masked = Inline<13>;
/// 32 hex digits.
pub type KeyedHash = Inline<32>;

impl<const N: usize> Inline<N> {
    /// `None` unless `s` is ASCII and at most `N` bytes.
    pub fn new(s: &str) -> Option<Self> {
        Self::from_bytes(s.as_bytes())
    }

    pub(crate) fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() > N || !b.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; N];
        bytes[..b.len()].copy_from_slice(b);
        Some(Inline {
            len: b.len() as u8,
            bytes,
        })
    }

    /// From bytes known to be ASCII, `len` of them used (at most `N`), the rest zero.
    pub(crate) fn from_parts(len: u8, bytes: [u8; N]) -> Self {
        Inline {
            len: len.min(N as u8),
            bytes,
        }
    }

    /// The empty value (used only where construction cannot fail in practice).
    pub(crate) fn default_hex() -> Self {
        Inline {
            len: 0,
            bytes: [0; N],
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl<const N: usize> std::ops::Deref for Inline<N> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> std::fmt::Display for Inline<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> std::fmt::Debug for Inline<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> PartialEq<str> for Inline<N> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<const N: usize> PartialEq<&str> for Inline<N> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<const N: usize> Serialize for Inline<N> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de, const N: usize> Deserialize<'de> for Inline<N> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Inline::new(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("expected at most {N} ASCII characters"))
        })
    }
}
