//! The NTA CSV layout: a streaming reader with per-row diagnostics and a writer that
//! produces exactly the 公表サイト layout.
//!
//! Layout (domain notes §1): no header row; 30 columns per row; text columns double-quoted
//! with RFC 4180 `""` escapes, numbers/codes/dates bare, empty fields empty; CRLF after every
//! row. The Unicode variant is UTF-8 (a BOM is accepted and reproduced), the other variant
//! Shift_JIS (decoded and encoded as Windows-31J/CP932 by `encoding_rs`). Web-API responses
//! start with an envelope line `lastUpdateDate,count,divideNumber,divideSize`; the reader
//! recognises it on line 1 and the writer can write it.

use std::io::{self, Read, Write};

use encoding_rs::{EncoderResult, SHIFT_JIS};
use jiff::civil::Date;

use crate::record::{
    COLUMN_COUNT, Column, Corporation, Diagnostic, Scratch, nta_quote_mask, parse_nta_date,
    write_date,
};

/// Character encoding of a CSV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// CSV・Unicode (UTF-8, JIS 第一〜第四水準).
    Utf8,
    /// CSV・Shift-JIS (JIS 第一・第二水準; read and written as CP932).
    ShiftJis,
}

/// The envelope line of Web-API CSV responses (項番 1–4 of the リソース定義書).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// 最終更新年月日.
    pub last_update_date: Date,
    /// 総件数.
    pub count: u64,
    /// 分割番号 (1-based).
    pub divide_number: u32,
    /// 分割数.
    pub divide_size: u32,
}

const CHUNK: usize = 64 * 1024;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A streaming reader of NTA CSV rows.
///
/// Rows that fail validation are returned as diagnostics and skipped; the reader never
/// panics on bad input. I/O errors end the stream.
pub struct CsvReader<R> {
    inner: R,
    encoding: TextEncoding,
    bom: bool,
    buf: Vec<u8>,
    /// Start of the unconsumed part of `buf`.
    start: usize,
    /// Scan position for the end of the current record, and whether it is inside quotes.
    scan: usize,
    in_quotes: bool,
    eof: bool,
    /// Line number (1-based) where the next record starts.
    line: u64,
    first: bool,
    envelope: Option<Envelope>,
    // Reused per-record buffers.
    unquoted: Vec<u8>,
    ranges: Vec<(usize, usize, bool)>,
    decoded: String,
    text_ranges: Vec<(usize, usize)>,
}

impl CsvReader<io::Empty> {
    /// A reader over bytes already in memory (one stored line, a response body): no buffer
    /// beyond a copy of `bytes`, nothing more to read.
    pub fn from_bytes(bytes: &[u8], encoding: TextEncoding) -> CsvReader<io::Empty> {
        let mut r = CsvReader::with_capacity(io::empty(), encoding, 0);
        r.buf.extend_from_slice(bytes);
        r.eof = true;
        r
    }
}

impl<R: Read> CsvReader<R> {
    /// Opens a reader and detects the encoding from the first 64 KiB: a UTF-8 BOM → UTF-8;
    /// valid UTF-8 → UTF-8; anything else → Shift_JIS.
    pub fn new(inner: R) -> io::Result<CsvReader<R>> {
        let mut r = CsvReader::with_encoding(inner, TextEncoding::Utf8);
        while r.buf.len() < CHUNK && !r.eof {
            r.fill()?;
        }
        if r.buf.starts_with(UTF8_BOM) {
            r.bom = true;
            r.start = UTF8_BOM.len();
            r.scan = r.start;
        } else {
            r.encoding = match std::str::from_utf8(&r.buf) {
                Ok(_) => TextEncoding::Utf8,
                // A multi-byte character cut at the end of the sniffed block.
                Err(e) if e.error_len().is_none() && !r.eof => TextEncoding::Utf8,
                Err(_) => TextEncoding::ShiftJis,
            };
        }
        Ok(r)
    }

    /// A reader for a known encoding (a UTF-8 BOM is still skipped and remembered).
    pub fn with_encoding(inner: R, encoding: TextEncoding) -> CsvReader<R> {
        CsvReader::with_capacity(inner, encoding, CHUNK * 2)
    }

    fn with_capacity(inner: R, encoding: TextEncoding, capacity: usize) -> CsvReader<R> {
        CsvReader {
            inner,
            encoding,
            bom: false,
            buf: Vec::with_capacity(capacity),
            start: 0,
            scan: 0,
            in_quotes: false,
            eof: false,
            line: 1,
            first: true,
            envelope: None,
            unquoted: Vec::new(),
            ranges: Vec::new(),
            decoded: String::new(),
            text_ranges: Vec::new(),
        }
    }

    /// The encoding in use.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Whether the file started with a UTF-8 BOM.
    pub fn had_bom(&self) -> bool {
        self.bom
    }

    /// The envelope line, once line 1 has been read and was one.
    pub fn envelope(&self) -> Option<Envelope> {
        self.envelope
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.scan -= self.start;
            self.start = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        let n = loop {
            match self.inner.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(old + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(())
    }

    /// The next raw record: (start, end excluding the line ending) in `buf`, and whether it
    /// ended inside an open quote (only possible at end of file).
    fn next_raw(&mut self) -> io::Result<Option<(usize, usize, bool)>> {
        loop {
            let hay = &self.buf[self.scan..];
            let mut found = None;
            let mut i = 0;
            while let Some(p) = memchr::memchr2(b'"', b'\n', &hay[i..]) {
                let at = i + p;
                if hay[at] == b'"' {
                    self.in_quotes = !self.in_quotes;
                } else if !self.in_quotes {
                    found = Some(self.scan + at);
                    break;
                }
                i = at + 1;
            }
            match found {
                Some(nl) => {
                    let start = self.start;
                    let end = if nl > start && self.buf[nl - 1] == b'\r' {
                        nl - 1
                    } else {
                        nl
                    };
                    self.start = nl + 1;
                    self.scan = self.start;
                    self.in_quotes = false;
                    return Ok(Some((start, end, false)));
                }
                None => {
                    self.scan = self.buf.len();
                    if self.eof {
                        if self.start >= self.buf.len() {
                            return Ok(None);
                        }
                        let (start, mut end) = (self.start, self.buf.len());
                        if end > start && self.buf[end - 1] == b'\r' {
                            end -= 1;
                        }
                        let open = self.in_quotes;
                        self.start = self.buf.len();
                        self.scan = self.start;
                        self.in_quotes = false;
                        return Ok(Some((start, end, open)));
                    }
                    self.fill()?;
                }
            }
        }
    }

    /// The next row: `Ok(Some(Ok(row)))`, `Ok(Some(Err(diagnostics)))` for a row that was
    /// skipped, `Ok(None)` at the end.
    pub fn next_row(&mut self) -> io::Result<Option<Result<Corporation, Vec<Diagnostic>>>> {
        loop {
            let Some((start, end, open)) = self.next_raw()? else {
                return Ok(None);
            };
            let line = self.line;
            let newlines = bytecount(&self.buf[start..end]);
            self.line += 1 + newlines;
            if start == end {
                // Blank line (typically none; tolerated and skipped).
                continue;
            }
            let first = std::mem::replace(&mut self.first, false);
            let result = self.parse_record(start, end, open, line, first);
            if let Some(env) = self.as_envelope().filter(|_| first) {
                self.envelope = Some(env);
                continue;
            }
            return Ok(Some(result));
        }
    }

    fn as_envelope(&self) -> Option<Envelope> {
        if self.text_ranges.len() != 4 {
            return None;
        }
        let f = |i: usize| {
            let (a, b) = self.text_ranges[i];
            &self.decoded[a..b]
        };
        Some(Envelope {
            last_update_date: parse_nta_date(f(0))?,
            count: f(1).parse().ok()?,
            divide_number: f(2).parse().ok()?,
            divide_size: f(3).parse().ok()?,
        })
    }

    fn parse_record(
        &mut self,
        start: usize,
        end: usize,
        open: bool,
        line: u64,
        first: bool,
    ) -> Result<Corporation, Vec<Diagnostic>> {
        let diag = |column: Option<usize>, message: String| Diagnostic {
            line,
            column: column.map(Column::from_index),
            message,
        };
        let mut diags = Vec::new();
        if open {
            diags.push(diag(
                None,
                "unterminated quoted field at end of file".into(),
            ));
        }
        // Split into fields, unquoting into `unquoted`.
        self.unquoted.clear();
        self.ranges.clear();
        let rec = &self.buf[start..end];
        let mut i = 0;
        loop {
            let field_start = self.unquoted.len();
            let idx = self.ranges.len();
            if rec.get(i) == Some(&b'"') {
                i += 1;
                loop {
                    match rec.get(i) {
                        None => break,
                        Some(b'"') if rec.get(i + 1) == Some(&b'"') => {
                            self.unquoted.push(b'"');
                            i += 2;
                        }
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b) => {
                            self.unquoted.push(*b);
                            i += 1;
                        }
                    }
                }
                self.ranges.push((field_start, self.unquoted.len(), true));
                match rec.get(i) {
                    None => break,
                    Some(b',') => i += 1,
                    Some(_) => {
                        diags.push(diag(
                            Some(idx),
                            "text after the closing quote of a quoted field".into(),
                        ));
                        let skip = memchr::memchr(b',', &rec[i..]).map_or(rec.len(), |p| i + p);
                        if skip >= rec.len() {
                            break;
                        }
                        i = skip + 1;
                    }
                }
            } else {
                let stop = memchr::memchr(b',', &rec[i..]).map_or(rec.len(), |p| i + p);
                let raw = &rec[i..stop];
                if raw.contains(&b'"') {
                    diags.push(diag(Some(idx), "quote inside an unquoted field".into()));
                }
                self.unquoted.extend_from_slice(raw);
                self.ranges.push((field_start, self.unquoted.len(), false));
                if stop >= rec.len() {
                    break;
                }
                i = stop + 1;
            }
        }
        // Decode.
        self.decoded.clear();
        self.text_ranges.clear();
        for (idx, &(a, b, _)) in self.ranges.iter().enumerate() {
            let bytes = &self.unquoted[a..b];
            let s = self.decoded.len();
            match self.encoding {
                TextEncoding::Utf8 => match std::str::from_utf8(bytes) {
                    Ok(t) => self.decoded.push_str(t),
                    Err(_) => diags.push(diag(Some(idx), "invalid UTF-8".into())),
                },
                TextEncoding::ShiftJis => {
                    if bytes.is_ascii() {
                        // ASCII is the same in Shift_JIS.
                        self.decoded
                            .push_str(std::str::from_utf8(bytes).unwrap_or_default());
                    } else {
                        let mut dec = SHIFT_JIS.new_decoder_without_bom_handling();
                        let need = dec
                            .max_utf8_buffer_length_without_replacement(bytes.len())
                            .unwrap_or(bytes.len() * 3);
                        self.decoded.reserve(need);
                        let (res, _) = dec.decode_to_string_without_replacement(
                            bytes,
                            &mut self.decoded,
                            true,
                        );
                        if !matches!(res, encoding_rs::DecoderResult::InputEmpty) {
                            self.decoded.truncate(s);
                            diags.push(diag(Some(idx), "invalid Shift_JIS".into()));
                        }
                    }
                }
            }
            self.text_ranges.push((s, self.decoded.len()));
        }
        if self.ranges.len() != COLUMN_COUNT {
            // An envelope line is recognised by the caller; report everything else.
            if !(first && self.ranges.len() == 4) {
                diags.push(diag(
                    None,
                    format!(
                        "expected {COLUMN_COUNT} columns, found {}",
                        self.ranges.len()
                    ),
                ));
            }
            return Err(diags);
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut fields: [&str; COLUMN_COUNT] = [""; COLUMN_COUNT];
        for (f, &(a, b)) in fields.iter_mut().zip(&self.text_ranges) {
            *f = &self.decoded[a..b];
        }
        match Corporation::from_fields(&fields) {
            Ok(mut c) => {
                let mut mask = 0u32;
                for (i, r) in self.ranges.iter().enumerate() {
                    if r.2 {
                        mask |= 1 << i;
                    }
                }
                if mask != nta_quote_mask(&fields) {
                    c.source.quoted = Some(mask);
                }
                Ok(c)
            }
            Err(errors) => Err(errors.into_iter().map(|(i, m)| diag(Some(i), m)).collect()),
        }
    }
}

impl<R: Read> Iterator for CsvReader<R> {
    type Item = io::Result<Result<Corporation, Vec<Diagnostic>>>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

fn bytecount(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// A whole CSV file read into memory.
#[derive(Clone, Debug, Default)]
pub struct CsvFile {
    /// Detected encoding.
    pub encoding: Option<TextEncoding>,
    /// Whether the file started with a UTF-8 BOM.
    pub bom: bool,
    /// The envelope line, if line 1 was one.
    pub envelope: Option<Envelope>,
    /// Valid rows in file order.
    pub rows: Vec<Corporation>,
    /// Problems of the rows that were skipped.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a whole CSV file (encoding detected).
pub fn read_csv<R: Read>(r: R) -> io::Result<CsvFile> {
    let mut reader = CsvReader::new(r)?;
    let mut out = CsvFile {
        encoding: Some(reader.encoding()),
        bom: reader.had_bom(),
        ..CsvFile::default()
    };
    while let Some(row) = reader.next_row()? {
        match row {
            Ok(c) => out.rows.push(c),
            Err(d) => out.diagnostics.extend(d),
        }
    }
    out.envelope = reader.envelope();
    Ok(out)
}

/// Writes rows in the NTA CSV layout.
///
/// Text columns are double-quoted when non-empty (with `""` escapes), everything else is
/// bare, rows end in CRLF. Rows read from a file carry their [`SourceForm`], so reading and
/// writing back is byte-identical.
///
/// [`SourceForm`]: crate::record::SourceForm In Shift_JIS, characters outside CP932 are replaced by
/// their 新字体 form when that exists in CP932, else by 〓 (counted by [`replacements`]).
///
/// [`replacements`]: CsvWriter::replacements
pub struct CsvWriter<W: Write> {
    out: W,
    encoding: TextEncoding,
    line: String,
    bytes: Vec<u8>,
    scratch: Scratch,
    replaced: u64,
}

impl<W: Write> CsvWriter<W> {
    /// A writer in the given encoding. Wrap `out` in a `BufWriter` for files.
    pub fn new(out: W, encoding: TextEncoding) -> CsvWriter<W> {
        CsvWriter {
            out,
            encoding,
            line: String::with_capacity(1024),
            bytes: Vec::with_capacity(1024),
            scratch: Scratch::default(),
            replaced: 0,
        }
    }

    /// Writes a UTF-8 BOM (nothing for Shift_JIS). Call before the first row.
    pub fn write_bom(&mut self) -> io::Result<()> {
        if self.encoding == TextEncoding::Utf8 {
            self.out.write_all(UTF8_BOM)?;
        }
        Ok(())
    }

    /// Writes the Web-API envelope line.
    pub fn write_envelope(&mut self, e: &Envelope) -> io::Result<()> {
        self.line.clear();
        write_date(&mut self.line, e.last_update_date);
        use std::fmt::Write as _;
        let _ = write!(
            self.line,
            ",{},{},{}\r\n",
            e.count, e.divide_number, e.divide_size
        );
        self.out.write_all(self.line.as_bytes())
    }

    /// Writes one row.
    pub fn write_row(&mut self, c: &Corporation) -> io::Result<()> {
        self.line.clear();
        render_line(c, &mut self.scratch, &mut self.line);
        self.line.push_str("\r\n");
        match self.encoding {
            TextEncoding::Utf8 => self.out.write_all(self.line.as_bytes()),
            TextEncoding::ShiftJis => {
                self.bytes.clear();
                self.replaced += encode_shift_jis(&self.line, &mut self.bytes) as u64;
                self.out.write_all(&self.bytes)
            }
        }
    }

    /// How many characters could not be encoded and were replaced (Shift_JIS only).
    pub fn replacements(&self) -> u64 {
        self.replaced
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Appends one row in the NTA CSV layout to `line`, without the line end: text columns
/// double-quoted when the source did or the layout asks (with `""` escapes), the rest bare.
pub fn render_line(c: &Corporation, scratch: &mut Scratch, line: &mut String) {
    let fields = c.to_fields(scratch);
    let mask = c.source.quoted.unwrap_or_else(|| nta_quote_mask(&fields));
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let needs = f.contains([',', '"', '\r', '\n']);
        if mask & (1 << i) != 0 || needs {
            line.push('"');
            if f.contains('"') {
                for ch in f.chars() {
                    if ch == '"' {
                        line.push('"');
                    }
                    line.push(ch);
                }
            } else {
                line.push_str(f);
            }
            line.push('"');
        } else {
            line.push_str(f);
        }
    }
}

/// Writes rows to a byte vector (convenience for tests and small files).
pub fn write_csv(rows: &[Corporation], encoding: TextEncoding, bom: bool) -> io::Result<Vec<u8>> {
    let mut w = CsvWriter::new(Vec::new(), encoding);
    if bom {
        w.write_bom()?;
    }
    for r in rows {
        w.write_row(r)?;
    }
    w.into_inner()
}

/// The Shift_JIS encoding of every BMP character, from encoding_rs once: `0` when the
/// character has none, `0x100 | byte` for a single byte, the two bytes otherwise (a lead byte
/// is at least 0x81, so two-byte values are at least 0x8100). encoding_rs's legacy CJK
/// encoders search their tables per character (they are built for size); this table makes
/// encoding a lookup, which matters for the Web-API's Shift_JIS answers and the 全件 export.
fn sjis_table() -> &'static [u16] {
    static TABLE: std::sync::OnceLock<Box<[u16]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = vec![0u16; 0x1_0000];
        let mut enc = SHIFT_JIS.new_encoder();
        for (cp, slot) in t.iter_mut().enumerate() {
            let Some(c) = u32::try_from(cp).ok().and_then(char::from_u32) else {
                continue;
            };
            let mut utf8 = [0u8; 4];
            let mut sjis = [0u8; 4];
            let (res, _, written) =
                enc.encode_from_utf8_without_replacement(c.encode_utf8(&mut utf8), &mut sjis, true);
            *slot = match (res, written) {
                (EncoderResult::InputEmpty, 1) => 0x100 | u16::from(sjis[0]),
                (EncoderResult::InputEmpty, 2) => u16::from_be_bytes([sjis[0], sjis[1]]),
                _ => 0,
            };
        }
        t.into_boxed_slice()
    })
}

/// What a character without a Shift_JIS encoding becomes: its 新字体 when that one has one
/// (髙 → 高), else 〓 — as a [`sjis_table`] value.
fn substitute(ch: char) -> u16 {
    let t = sjis_table();
    let code = |c: char| t.get(c as usize).copied().filter(|v| *v != 0);
    crate::fold::shinjitai(ch)
        .and_then(code)
        .or_else(|| code('〓'))
        .unwrap_or(0x81AC)
}

/// Encodes `s` as Shift_JIS (CP932), appending to `out`. Characters outside CP932 are
/// replaced by the 新字体 of [`crate::fold::shinjitai`] when encodable, else by 〓 (U+3013);
/// returns the number of replaced characters.
///
/// The Web-API's Shift_JIS answers and the 全件 export run through here, so it is written
/// for speed: no character is longer in Shift_JIS than in UTF-8 (ASCII stays one byte, a
/// two- or three-byte character becomes one or two, a four-byte one a two-byte
/// substitute), so the output is written into space reserved once; ASCII is copied eight
/// bytes at a time and three-byte characters are decoded in place, each kind of run in a
/// loop of its own (0.6 → 0.36 ns per byte of a 全件 file in memory).
pub fn encode_shift_jis(s: &str, out: &mut Vec<u8>) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let t = sjis_table();
    let b = s.as_bytes();
    let start = out.len();
    out.resize(start + b.len(), 0);
    let o_buf = &mut out[start..];
    let mut o = 0;
    let mut i = 0;
    let mut replaced = 0;
    // Text alternates between runs of ASCII and runs of Japanese: each kind of run has a
    // loop of its own (a branch that changes its mind once per run, not per character).
    // `o <= i` throughout, so the output has room wherever the input has bytes.
    while i < b.len() {
        // ASCII: copy eight bytes, keep as many as lead the word without a high bit.
        loop {
            let word = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok());
            match (word, o_buf.get_mut(o..o + 8)) {
                (Some(w), Some(dst)) => {
                    dst.copy_from_slice(&w);
                    let high = u64::from_le_bytes(w) & HIGH;
                    if high == 0 {
                        i += 8;
                        o += 8;
                        continue;
                    }
                    let k = (high.trailing_zeros() / 8) as usize;
                    i += k;
                    o += k;
                }
                _ => {
                    // The last few bytes.
                    while let Some(&c) = b.get(i).filter(|c| **c < 0x80) {
                        o_buf[o] = c;
                        i += 1;
                        o += 1;
                    }
                }
            }
            break;
        }
        // Three-byte characters with two-byte codes (kanji, kana, full-width forms).
        while let Some(&[l, c1, c2]) = b.get(i..i + 3).and_then(|w| <&[u8; 3]>::try_from(w).ok()) {
            if l & 0xF0 != 0xE0 {
                break;
            }
            let cp = (usize::from(l & 0x0F) << 12)
                | (usize::from(c1 & 0x3F) << 6)
                | usize::from(c2 & 0x3F);
            let v = t.get(cp).copied().unwrap_or(0);
            if v < 0x8100 {
                break;
            }
            if let Some(dst) = o_buf.get_mut(o..o + 2) {
                dst.copy_from_slice(&v.to_be_bytes());
            }
            i += 3;
            o += 2;
        }
        // Anything else, one character: two- and four-byte ones, half-width katakana,
        // characters without a code.
        let Some(&lead) = b.get(i).filter(|c| **c >= 0x80) else {
            continue;
        };
        let len = match lead {
            0xF0.. => 4,
            0xE0.. => 3,
            _ => 2,
        };
        let ch = s.get(i..).and_then(|r| r.chars().next()).unwrap_or('〓');
        let v = match t.get(ch as usize) {
            Some(&v) if v != 0 => v,
            _ => {
                replaced += 1;
                substitute(ch)
            }
        };
        if v >= 0x8100 {
            o_buf[o] = (v >> 8) as u8;
            o_buf[o + 1] = v as u8;
            o += 2;
        } else {
            o_buf[o] = v as u8;
            o += 1;
        }
        i += len;
    }
    out.truncate(start + o);
    replaced
}
