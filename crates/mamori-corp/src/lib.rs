//! 法人番号 (corporate-number) registry data as the National Tax Agency (国税庁) publishes
//! it: 全件 and 差分 downloads and Web-API v4 responses.
//!
//! This crate is pure domain logic: no I/O beyond `Read`/`Write`, no async, no database.
//!
//! - [`record`]: [`Corporation`], one row of the 30 columns of リソース定義書 v4, with typed
//!   fields ([`CorpNumber`] with its check digit, [`Process`] 処理区分, [`Kind`] 法人種別,
//!   [`CloseCause`], dates as [`jiff::civil::Date`]) and the original text kept, so that
//!   a row read and written back is byte-identical.
//! - [`csv`]: a streaming reader of the NTA CSV (UTF-8 with or without BOM, or Shift_JIS;
//!   RFC 4180 quoting; per-row [`Diagnostic`]s with line and column) and a writer of the
//!   exact NTA layout.
//! - [`xml`]: reader and writer of the XML variant.
//! - [`fold`]: search folding of names (NFKC, kana, case, 中点, dashes, 旧字体 → 新字体,
//!   法人格 before or after the name, (株)/㈱ abbreviations) and the 五十音順 key of the
//!   フリガナ.
//! - [`registry`]: [`Registry`], the local copy: every row as its NTA CSV line, grouped by
//!   corporation; 差分 files applied in order; written back in the NTA layout.
//! - [`search`]: [`Index`], name (prefix / partial / exact on the folded form), フリガナ
//!   (五十音) search with filters, sorts, paging and totals.
//! - [`apply`]: the 差分 semantics (処理区分, 訂正, 削除, idempotency) as a pure function
//!   over one corporation's history.
//!
//! Format facts and their sources: `shared/domain/corporate-number.md`. Points the notes
//! leave unconfirmed and the choices made here are documented where they apply (image ids
//! written bare; a BOM accepted and reproduced; Shift_JIS as CP932 with 新字体 or 〓 for
//! characters outside it; the XML layout of the Web-API responses also for downloads).

pub mod apply;
pub mod csv;
pub mod fold;
pub mod record;
pub mod registry;
pub mod search;
pub mod xml;

pub use apply::{Applied, Change, apply};
pub use csv::{
    CsvFile, CsvReader, CsvWriter, Envelope, TextEncoding, read_csv, render_line, write_csv,
};
pub use fold::{Folded, Position, fold, fold_kana, fold_name, gojuon_key};
pub use record::{
    COLUMN_COUNT, COLUMNS, CloseCause, Column, CorpNumber, CorpNumberError, Corporation,
    Diagnostic, Kind, Process, SourceForm,
};
pub use registry::{DiffSummary, Registry, date_key, parse_line};
pub use search::stored::{
    StoredError, StoredIndex, read_offsets, read_stamp, read_stored, registry_stamp, write_stored,
};
pub use search::{Hit, Index, Mode, Query, Results, Sort};
pub use xml::{XmlError, XmlFile, XmlReader, XmlWriter, read_xml, write_xml};
