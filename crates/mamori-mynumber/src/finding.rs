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
    pub masked: String,
    /// Keyed hash of the number (HMAC-SHA256, 128 bits, hex).
    pub hash: String,
    pub evidence: Evidence,
    pub location: Location,
}
