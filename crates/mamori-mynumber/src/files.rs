//! Files: recognising the format, decoding text, and pulling text and numbers out of
//! spreadsheets, Office documents, PDFs (through an isolated extractor) and zip archives.

use std::io::{Cursor, Read};

use crate::Scanner;
use crate::finding::{Finding, Location};
use crate::matcher::Kind;
use crate::text::{TextOptions, TextStream};

/// Bounds that keep a hostile or broken file from exhausting the machine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Files (and archive members) larger than this are not scanned.
    pub max_file_size: u64,
    /// How deep archives may nest (a zip in a zip is depth 2).
    pub max_archive_depth: u32,
    /// Total uncompressed bytes read from one archive, all members together.
    pub max_archive_total: u64,
    /// Largest allowed uncompressed / compressed ratio of an archive member.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 512 * 1024 * 1024,
            max_archive_depth: 3,
            max_archive_total: 1024 * 1024 * 1024,
            max_ratio: 200,
        }
    }
}

/// Extracts the text layer of a PDF, page by page. Implementations isolate the parser (a
/// child process with a time limit), so a malformed PDF cannot crash or hang the scan.
pub trait PdfText: Sync {
    fn pages(&self, pdf: &[u8]) -> Result<Vec<String>, String>;
}

/// The formats the scanner reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Text,
    Csv,
    Tsv,
    Xlsx,
    Xls,
    Ods,
    Docx,
    Pptx,
    Pdf,
    Zip,
}

/// A member of a file that was not scanned, and why. `member` is empty for the file itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NotScanned {
    pub member: String,
    pub reason: String,
}

/// A finding inside a file; `member` names the archive member path (`a.zip!b/c.xlsx`),
/// empty for the file itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileFinding {
    pub member: String,
    #[serde(flatten)]
    pub finding: Finding,
}

/// Everything learnt from one file.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FileScan {
    pub format: Option<Format>,
    /// The text encoding detected, for text formats.
    pub encoding: Option<String>,
    pub findings: Vec<FileFinding>,
    pub not_scanned: Vec<NotScanned>,
    /// Bytes of content examined (decompressed).
    pub bytes: u64,
    /// SHA-256 of the file's bytes, when the whole file was read (set by the caller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
}

impl FileScan {
    /// Distinct numbers of a kind in this file (by keyed hash).
    pub fn distinct(&self, kind: Kind) -> usize {
        let mut h: Vec<u64> = self
            .findings
            .iter()
            .filter(|f| f.finding.kind == kind)
            .map(|f| f.finding.hash.prefix_u64())
            .collect();
        h.sort_unstable();
        h.dedup();
        h.len()
    }
}

/// Scans files of every supported format.
pub struct FileScanner<'a> {
    pub scanner: &'a Scanner,
    pub limits: Limits,
    pub pdf: Option<&'a dyn PdfText>,
}

impl std::fmt::Debug for FileScanner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileScanner")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Recognises a format from the name and the first bytes.
pub fn detect(name: &str, head: &[u8]) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let by_ext = match ext {
        "txt" | "text" | "log" | "md" | "json" | "xml" | "html" | "htm" | "sql" | "dat" | "prn"
        | "ini" | "yaml" | "yml" | "eml" => Some(Format::Text),
        "csv" => Some(Format::Csv),
        "tsv" | "tab" => Some(Format::Tsv),
        "xlsx" | "xlsm" => Some(Format::Xlsx),
        "xls" => Some(Format::Xls),
        "ods" => Some(Format::Ods),
        "docx" | "docm" => Some(Format::Docx),
        "pptx" | "pptm" => Some(Format::Pptx),
        "pdf" => Some(Format::Pdf),
        "zip" => Some(Format::Zip),
        _ => None,
    };
    if by_ext.is_some() {
        return by_ext;
    }
    if head.starts_with(b"%PDF-") {
        return Some(Format::Pdf);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some(Format::Zip);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // OLE2 compound file: .xls without its extension is rare; treat as unsupported.
        return None;
    }
    // Text when there is no NUL byte in the first block (UTF-16 has a BOM and NULs).
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) || !head.contains(&0) {
        return Some(Format::Text);
    }
    None
}

impl FileScanner<'_> {
    /// Scans one file read from `reader`, named `name` (for format detection and messages).
    pub fn scan(&self, name: &str, reader: &mut dyn Read, size: u64) -> FileScan {
        let mut out = FileScan::default();
        self.scan_into(name, "", reader, size, 1, &mut out);
        out
    }

    /// Records a member not scanned. Member names and reasons (which may quote a parser's
    /// view of the content) are redacted here, so nothing unmasked leaves the crate.
    fn not_scanned(out: &mut FileScan, member: &str, reason: impl Into<String>) {
        out.not_scanned.push(NotScanned {
            member: crate::redact(member),
            reason: crate::redact(&reason.into()),
        });
    }

    fn scan_into(
        &self,
        name: &str,
        member: &str,
        reader: &mut dyn Read,
        size: u64,
        depth: u32,
        out: &mut FileScan,
    ) {
        if size > self.limits.max_file_size {
            Self::not_scanned(
                out,
                member,
                format!(
                    "larger than the size limit ({size} > {} bytes)",
                    self.limits.max_file_size
                ),
            );
            return;
        }
        let mut head = [0u8; 8192];
        let n = read_up_to(reader, &mut head);
        let head = &head[..n];
        let Some(format) = detect(name, head) else {
            Self::not_scanned(out, member, "unsupported format (binary)");
            return;
        };
        if member.is_empty() {
            out.format = Some(format);
        }
        let mut rest = Cursor::new(head).chain(reader);
        match format {
            Format::Text | Format::Csv | Format::Tsv => {
                let delimited = match format {
                    Format::Csv => Some(b','),
                    Format::Tsv => Some(b'\t'),
                    _ => None,
                };
                // A file may report one size and deliver more (growing files, special files).
                let mut limited = (&mut rest).take(self.limits.max_file_size.saturating_add(1));
                self.scan_text(&mut limited, head, delimited, member, out);
                if limited.limit() == 0 {
                    Self::not_scanned(
                        out,
                        member,
                        "read past the size limit: the rest was not scanned",
                    );
                }
            }
            _ => {
                // Container formats need random access: read whole (bounded by the limit).
                let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 26));
                if let Err(e) = rest
                    .take(self.limits.max_file_size + 1)
                    .read_to_end(&mut bytes)
                {
                    Self::not_scanned(out, member, format!("read error: {e}"));
                    return;
                }
                if bytes.len() as u64 > self.limits.max_file_size {
                    Self::not_scanned(out, member, "larger than the size limit");
                    return;
                }
                out.bytes += bytes.len() as u64;
                match format {
                    Format::Xlsx | Format::Xls | Format::Ods => {
                        self.scan_sheets(bytes, format, member, out)
                    }
                    Format::Docx => self.scan_office(&bytes, OfficeKind::Docx, member, out),
                    Format::Pptx => self.scan_office(&bytes, OfficeKind::Pptx, member, out),
                    Format::Pdf => self.scan_pdf(&bytes, member, out),
                    Format::Zip => self.scan_zip(&bytes, member, depth, out),
                    Format::Text | Format::Csv | Format::Tsv => {}
                }
            }
        }
    }

    fn push(out: &mut FileScan, member: &str, findings: Vec<Finding>) {
        let member = crate::redact(member);
        out.findings
            .extend(findings.into_iter().map(|finding| FileFinding {
                member: member.clone(),
                finding,
            }));
    }

    fn scan_text(
        &self,
        reader: &mut dyn Read,
        head: &[u8],
        delimited: Option<u8>,
        member: &str,
        out: &mut FileScan,
    ) {
        let encoding = detect_encoding(head);
        if member.is_empty() {
            out.encoding = Some(encoding.name().to_owned());
        }
        let mut stream = TextStream::new(self.scanner, TextOptions { delimited });
        let mut found = Vec::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut decoder =
            (encoding != encoding_rs::UTF_8).then(|| encoding.new_decoder_with_bom_removal());
        let mut decoded = String::new();
        let mut total = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    Self::not_scanned(out, member, format!("read error after {total} bytes: {e}"));
                    break;
                }
            };
            total += n as u64;
            match decoder.as_mut() {
                // UTF-8 (and ASCII) are scanned as bytes: no decoding on the fast path.
                None => stream.push(&buf[..n], &mut found),
                Some(d) => {
                    decode_chunk(d, &buf[..n], false, &mut decoded);
                    stream.push(decoded.as_bytes(), &mut found);
                }
            }
        }
        if let Some(d) = decoder.as_mut() {
            decode_chunk(d, &[], true, &mut decoded);
            stream.push(decoded.as_bytes(), &mut found);
        }
        stream.finish(&mut found);
        out.bytes += total;
        Self::push(out, member, found);
    }

    fn scan_sheets(&self, bytes: Vec<u8>, format: Format, member: &str, out: &mut FileScan) {
        let sheets = match read_sheets(bytes, format, MAX_CELLS) {
            Ok(s) => s,
            Err(e) => {
                Self::not_scanned(out, member, e);
                return;
            }
        };
        let mut found = Vec::new();
        for sheet in sheets {
            if let Some(problem) = &sheet.problem {
                Self::not_scanned(out, member, format!("sheet {}: {problem}", sheet.name));
            }
            // A sheet may be named after a person's number.
            let shown_sheet = crate::redact(&sheet.name);
            let text: std::collections::HashMap<(u32, u32), &str> = sheet
                .cells
                .iter()
                .filter_map(|(r, c, v)| match v {
                    CellValue::Text(t) => Some(((*r, *c), t.as_str())),
                    CellValue::Number(_) => None,
                })
                .collect();
            // The first row with text is the header row.
            let header_row = text.keys().map(|(r, _)| *r).min();
            let names = |at: Option<&&str>, kind: Kind| {
                at.is_some_and(|t| self.scanner.label_names(kind, t))
            };
            for (row, col, value) in &sheet.cells {
                let (row, col) = (*row, *col);
                // Context: the column's header, or a label to the left or above (form-style
                // sheets).
                let header = |kind: Kind| {
                    (header_row.is_some_and(|h| h < row)
                        && names(header_row.and_then(|h| text.get(&(h, col))), kind))
                        || names(col.checked_sub(1).and_then(|c| text.get(&(row, c))), kind)
                        || names(row.checked_sub(1).and_then(|r| text.get(&(r, col))), kind)
                };
                let loc = || Location::Cell {
                    sheet: shown_sheet.clone(),
                    cell: cell_name(row, col),
                };
                match value {
                    CellValue::Text(t) => self.scanner.scan_unit(t, header, |_| loc(), &mut found),
                    CellValue::Number(f) => {
                        found.extend(self.scanner.scan_numeric_cell(*f, header, loc()))
                    }
                }
            }
        }
        Self::push(out, member, found);
    }

    fn scan_office(&self, bytes: &[u8], kind: OfficeKind, member: &str, out: &mut FileScan) {
        let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(z) => z,
            Err(e) => {
                Self::not_scanned(out, member, format!("not a valid Office file: {e}"));
                return;
            }
        };
        let mut parts: Vec<String> = zip
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| kind.is_text_part(n))
            .map(|n| n.into_owned())
            .collect();
        parts.sort_by_key(|p| kind.part_order(p));
        if parts.is_empty() {
            Self::not_scanned(
                out,
                member,
                "no document text found (encrypted or not an Office document)",
            );
            return;
        }
        let mut found = Vec::new();
        for part in parts {
            let shown_part = crate::redact(&part);
            let xml = match zip.by_name(&part) {
                Ok(f) => {
                    let mut s = Vec::new();
                    let limit = self.limits.max_file_size;
                    if let Err(e) = f.take(limit).read_to_end(&mut s) {
                        Self::not_scanned(out, member, format!("{part}: {e}"));
                        continue;
                    }
                    s
                }
                Err(e) => {
                    Self::not_scanned(out, member, format!("{part}: {e}"));
                    continue;
                }
            };
            match paragraphs(&xml, kind.para_tag(), kind.text_tag()) {
                Ok(paras) => {
                    let mut prev: Option<&str> = None;
                    for (i, p) in paras.iter().enumerate() {
                        let label_above = prev;
                        self.scanner.scan_unit(
                            p,
                            |k| label_above.is_some_and(|l| self.scanner.label_names(k, l)),
                            |_| Location::Part {
                                part: shown_part.clone(),
                                paragraph: i as u64 + 1,
                            },
                            &mut found,
                        );
                        if !p.trim().is_empty() {
                            prev = Some(p);
                        }
                    }
                }
                Err(e) => Self::not_scanned(out, member, format!("{part}: malformed XML: {e}")),
            }
        }
        Self::push(out, member, found);
    }

    fn scan_pdf(&self, bytes: &[u8], member: &str, out: &mut FileScan) {
        let Some(pdf) = self.pdf else {
            Self::not_scanned(out, member, "PDF text extraction is not available");
            return;
        };
        match pdf.pages(bytes) {
            Ok(pages) => {
                let mut found = Vec::new();
                if pages.iter().all(|p| p.trim().is_empty()) {
                    Self::not_scanned(out, member, "PDF has no text layer (scanned image?)");
                }
                for (i, page) in pages.iter().enumerate() {
                    self.scanner.scan_unit(
                        page,
                        |_| false,
                        |_| Location::Page { page: i as u64 + 1 },
                        &mut found,
                    );
                }
                Self::push(out, member, found);
            }
            Err(e) => Self::not_scanned(out, member, format!("PDF: {e}")),
        }
    }

    fn scan_zip(&self, bytes: &[u8], member: &str, depth: u32, out: &mut FileScan) {
        if depth > self.limits.max_archive_depth {
            Self::not_scanned(
                out,
                member,
                format!(
                    "archive nested deeper than {}",
                    self.limits.max_archive_depth
                ),
            );
            return;
        }
        let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(z) => z,
            Err(e) => {
                Self::not_scanned(out, member, format!("not a valid zip archive: {e}"));
                return;
            }
        };
        let mut total = 0u64;
        for i in 0..zip.len() {
            let fallback_name = zip
                .name_for_index(i)
                .and_then(Result::ok)
                .map_or_else(|| "?".to_owned(), |n| n.into_owned());
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    let name = fallback_name;
                    let reason = if e.to_string().to_lowercase().contains("password") {
                        "encrypted".to_owned()
                    } else {
                        e.to_string()
                    };
                    Self::not_scanned(out, &join(member, &name), reason);
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let name = zip_name(entry.name_raw());
            let path = join(member, &name);
            if entry.encrypted() {
                Self::not_scanned(out, &path, "encrypted");
                continue;
            }
            let size = entry.size();
            if size > self.limits.max_file_size {
                Self::not_scanned(
                    out,
                    &path,
                    format!(
                        "larger than the size limit ({size} > {} bytes)",
                        self.limits.max_file_size
                    ),
                );
                continue;
            }
            // The declared compressed size cannot exceed the archive that holds it.
            let compressed = entry.compressed_size().clamp(1, bytes.len() as u64);
            if size / compressed > self.limits.max_ratio {
                Self::not_scanned(
                    out,
                    &path,
                    format!(
                        "compression ratio {} exceeds {} (zip bomb?)",
                        size / compressed,
                        self.limits.max_ratio
                    ),
                );
                continue;
            }
            if total.saturating_add(size) > self.limits.max_archive_total {
                Self::not_scanned(out, &path, "archive total size limit reached");
                continue;
            }
            total += size;
            // The declared size may lie: never read more than declared + 1.
            let mut limited = (&mut entry).take(size.saturating_add(1));
            self.scan_into(&name, &path, &mut limited, size, depth + 1, out);
        }
    }
}

/// Cells kept per workbook at most: a workbook's memory is bounded by what it holds.
const MAX_CELLS: usize = 20_000_000;

#[derive(Debug)]
enum CellValue {
    Text(String),
    Number(f64),
}

#[derive(Debug)]
struct SheetCells {
    name: String,
    /// (row, column, value), 0-based, text and numeric cells only.
    cells: Vec<(u32, u32, CellValue)>,
    problem: Option<String>,
}

impl SheetCells {
    /// Keeps a cell unless the workbook's cell budget is spent (then says so and returns false).
    fn keep(&mut self, total: &mut usize, max: usize, cell: (u32, u32, CellValue)) -> bool {
        if *total >= max {
            self.problem = Some(format!("more than {max} cells: the rest was not scanned"));
            return false;
        }
        *total += 1;
        self.cells.push(cell);
        true
    }
}

/// Reads the text and numeric cells of every sheet. Spreadsheets (xlsx) are streamed cell by
/// cell, so a file that declares a huge used range but holds few cells costs only those cells;
/// at most `max_cells` are kept per workbook.
fn read_sheets(
    bytes: Vec<u8>,
    format: Format,
    max_cells: usize,
) -> Result<Vec<SheetCells>, String> {
    use calamine::{Data, DataRef, Reader};
    let mut out = Vec::new();
    let mut total = 0usize;
    if format == Format::Xlsx {
        let mut wb = calamine::Xlsx::new(Cursor::new(bytes))
            .map_err(|e| describe_sheet_error(&e.to_string()))?;
        for name in wb.sheet_names() {
            let mut sheet = SheetCells {
                name: name.clone(),
                cells: Vec::new(),
                problem: None,
            };
            match wb.worksheet_cells_reader(&name) {
                Err(e) => sheet.problem = Some(describe_sheet_error(&e.to_string())),
                Ok(mut reader) => loop {
                    match reader.next_cell() {
                        Ok(Some(cell)) => {
                            let (r, c) = cell.get_position();
                            let v = match cell.get_value() {
                                DataRef::String(t) | DataRef::DateTimeIso(t) => {
                                    CellValue::Text(t.clone())
                                }
                                DataRef::SharedString(t) => CellValue::Text((*t).to_owned()),
                                DataRef::Int(i) => CellValue::Number(*i as f64),
                                DataRef::Float(f) => CellValue::Number(*f),
                                _ => continue,
                            };
                            if !sheet.keep(&mut total, max_cells, (r, c, v)) {
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            sheet.problem = Some(describe_sheet_error(&e.to_string()));
                            break;
                        }
                    }
                },
            }
            out.push(sheet);
        }
        return Ok(out);
    }
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| describe_sheet_error(&e.to_string()))?;
    for name in wb.sheet_names() {
        let mut sheet = SheetCells {
            name: name.clone(),
            cells: Vec::new(),
            problem: None,
        };
        match wb.worksheet_range(&name) {
            Err(e) => sheet.problem = Some(describe_sheet_error(&e.to_string())),
            Ok(range) => {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                for (r, c, d) in range.used_cells() {
                    let v = match d {
                        Data::String(t) | Data::DateTimeIso(t) => CellValue::Text(t.clone()),
                        Data::Int(i) => CellValue::Number(*i as f64),
                        Data::Float(f) => CellValue::Number(*f),
                        _ => continue,
                    };
                    if !sheet.keep(&mut total, max_cells, (r0 + r as u32, c0 + c as u32, v)) {
                        break;
                    }
                }
            }
        }
        out.push(sheet);
    }
    Ok(out)
}

/// Zip member names: UTF-8 when valid, else Shift_JIS (Japanese Windows writes CP932 names
/// without the UTF-8 flag).
fn zip_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(raw).0.into_owned(),
    }
}

fn join(member: &str, name: &str) -> String {
    if member.is_empty() {
        name.to_owned()
    } else {
        format!("{member}!{name}")
    }
}

fn read_up_to(r: &mut dyn Read, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    n
}

/// BOM, then UTF-8 validity, then a statistical guess among the Japanese encodings.
pub fn detect_encoding(head: &[u8]) -> &'static encoding_rs::Encoding {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(head) {
        return enc;
    }
    match std::str::from_utf8(head) {
        Ok(_) => return encoding_rs::UTF_8,
        // An incomplete character cut at the end of the block is still UTF-8.
        Err(e) if e.error_len().is_none() && head.len() - e.valid_up_to() < 4 => {
            return encoding_rs::UTF_8;
        }
        Err(_) => {}
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    det.feed(head, false);
    det.guess(Some(b"jp"), chardetng::Utf8Detection::Allow)
}

fn decode_chunk(d: &mut encoding_rs::Decoder, input: &[u8], last: bool, out: &mut String) {
    out.clear();
    out.reserve(
        d.max_utf8_buffer_length(input.len())
            .unwrap_or(input.len() * 3),
    );
    let (_res, _read, _had_errors) = d.decode_to_string(input, out, last);
}

fn describe_sheet_error(e: &str) -> String {
    let lower = e.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") || lower.contains("cfb") {
        format!("encrypted or protected workbook ({e})")
    } else {
        format!("malformed workbook: {e}")
    }
}

/// `A1` style cell name from 0-based row and column.
pub fn cell_name(row: u32, col: u32) -> String {
    let mut c = col + 1;
    let mut letters = Vec::new();
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

#[derive(Debug, Clone, Copy)]
enum OfficeKind {
    Docx,
    Pptx,
}

impl OfficeKind {
    fn is_text_part(self, n: &str) -> bool {
        match self {
            OfficeKind::Docx => {
                n == "word/document.xml"
                    || (n.starts_with("word/header") || n.starts_with("word/footer"))
                        && n.ends_with(".xml")
                    || matches!(
                        n,
                        "word/comments.xml" | "word/footnotes.xml" | "word/endnotes.xml"
                    )
            }
            OfficeKind::Pptx => {
                (n.starts_with("ppt/slides/slide")
                    || n.starts_with("ppt/notesSlides/notesSlide")
                    || n.starts_with("ppt/comments/"))
                    && n.ends_with(".xml")
            }
        }
    }

    /// Document body first, then the rest; slides in numeric order.
    fn part_order(self, n: &str) -> (u8, u64, String) {
        let num: u64 = n
            .rsplit('/')
            .next()
            .unwrap_or("")
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0);
        let rank = match self {
            OfficeKind::Docx if n == "word/document.xml" => 0,
            OfficeKind::Pptx if n.starts_with("ppt/slides/") => 0,
            _ => 1,
        };
        (rank, num, n.to_owned())
    }

    fn para_tag(self) -> &'static str {
        match self {
            OfficeKind::Docx => "w:p",
            OfficeKind::Pptx => "a:p",
        }
    }

    fn text_tag(self) -> &'static str {
        match self {
            OfficeKind::Docx => "w:t",
            OfficeKind::Pptx => "a:t",
        }
    }
}

/// The text of each paragraph, runs joined (Word splits a number across runs freely);
/// tabs and breaks become whitespace. PowerPoint comments (`p:text`) count as paragraphs.
fn paragraphs(xml: &[u8], para: &str, text: &str) -> Result<Vec<String>, String> {
    use quick_xml::events::Event;
    let xml = std::str::from_utf8(xml).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_text = false;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.name();
                let n: &str = name.as_ref();
                if n == para {
                    depth += 1;
                } else if n == text || n == "p:text" {
                    in_text = true;
                }
            }
            Ok(Event::Empty(e)) => {
                let name = e.name();
                let n: &str = name.as_ref();
                match n {
                    "w:tab" | "a:tab" => current.push('\t'),
                    "w:br" | "a:br" | "w:cr" => current.push('\n'),
                    _ => {}
                }
            }
            Ok(Event::Text(t)) if in_text => current.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) if in_text => current.push_str(&t.into_inner()),
            Ok(Event::GeneralRef(r)) if in_text => {
                // Entity and character references between text events (&amp; &#x31; …).
                let name = r.into_inner();
                let resolved = quick_xml::escape::unescape(&format!("&{name};"))
                    .map_err(|e| e.to_string())?
                    .into_owned();
                current.push_str(&resolved);
            }
            Ok(Event::End(e)) => {
                let name = e.name();
                let n: &str = name.as_ref();
                if n == text || n == "p:text" {
                    in_text = false;
                    if n == "p:text" {
                        out.push(std::mem::take(&mut current));
                    }
                } else if n == para {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        out.push(std::mem::take(&mut current));
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("at byte {}: {e}", reader.error_position())),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(11, 1), "B12");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(4, 701), "ZZ5");
        assert_eq!(cell_name(0, 702), "AAA1");
    }

    #[test]
    fn paragraphs_join_runs() {
        let xml = r#"<w:document><w:body><w:p><w:r><w:t>個人番号 6214</w:t></w:r><w:r><w:t xml:space="preserve">-9832-</w:t></w:r><w:r><w:t>0257</w:t></w:r></w:p><w:p><w:r><w:t>a&amp;b</w:t><w:tab/><w:t>c</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(
            paragraphs(xml.as_bytes(), "w:p", "w:t").unwrap(),
            ["個人番号 6214-9832-0257", "a&b\tc"]
        );
        assert!(paragraphs(b"<w:p><w:t>x</w:p>", "w:p", "w:t").is_err());
    }

    #[test]
    fn encodings() {
        assert_eq!(detect_encoding("個人番号".as_bytes()), encoding_rs::UTF_8);
        let (sjis, _, _) =
            encoding_rs::SHIFT_JIS.encode("個人番号,氏名\n山田太郎,621498320257\n扶養控除等申告書");
        assert_eq!(detect_encoding(&sjis), encoding_rs::SHIFT_JIS);
        let (euc, _, _) =
            encoding_rs::EUC_JP.encode("個人番号,氏名\n山田太郎,621498320257\n扶養控除等申告書");
        assert_eq!(detect_encoding(&euc), encoding_rs::EUC_JP);
        assert_eq!(
            detect_encoding(&[0xFF, 0xFE, b'a', 0]),
            encoding_rs::UTF_16LE
        );
    }
}
