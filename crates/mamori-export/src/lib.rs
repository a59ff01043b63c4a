//! Renderers for mamori's documents: Markdown, JSON, Word (docx) and Excel (xlsx).
//!
//! Renderers take finished domain values (e.g. an SBD [`DecisionTable`](mamori_sbd::DecisionTable))
//! plus the language and the document date, and return bytes. They do no file I/O and read no
//! clock: the caller passes the date, so output is reproducible.

mod assess;
mod docx;
mod map;
mod markdown;
mod spec;
mod wareki;
mod wlan;
mod xlsx;

pub use assess::{AssessmentReport, assessment_docx, assessment_html, assessment_xlsx};
pub use map::safety_map_svg;
pub use spec::{OpenPlaceholder, Piece, Spec, SpecRequirement, SpecSection};
pub use wareki::{date_with_wareki, wareki};
pub use wlan::{wlan_report_docx, wlan_report_xlsx};
pub use xlsx::setup_sheet;

use mamori_catalog::Lang;
use mamori_sbd::DecisionTable;

/// Output formats for the SBD specification chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFormat {
    Markdown,
    Json,
    Docx,
    Xlsx,
}

impl SpecFormat {
    pub fn parse(s: &str) -> Option<SpecFormat> {
        match s.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(SpecFormat::Markdown),
            "json" => Some(SpecFormat::Json),
            "docx" | "word" => Some(SpecFormat::Docx),
            "xlsx" | "excel" => Some(SpecFormat::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            SpecFormat::Markdown => "md",
            SpecFormat::Json => "json",
            SpecFormat::Docx => "docx",
            SpecFormat::Xlsx => "xlsx",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the Word document: {0}")]
    Docx(String),
    #[error("cannot write the Excel workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot draw the picture: {0}")]
    Image(String),
    #[error("cannot serialise JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Renders the security chapter of a procurement specification.
pub fn render_spec(
    table: &DecisionTable,
    format: SpecFormat,
    lang: Lang,
    date: jiff::civil::Date,
) -> Result<Vec<u8>, ExportError> {
    let spec = Spec::build(table, lang, date);
    match format {
        SpecFormat::Markdown => Ok(markdown::render(&spec).into_bytes()),
        SpecFormat::Json => {
            let mut out = serde_json::to_vec_pretty(&spec)?;
            out.push(b'\n');
            Ok(out)
        }
        SpecFormat::Docx => docx::render(&spec),
        SpecFormat::Xlsx => xlsx::render(&spec),
    }
}
