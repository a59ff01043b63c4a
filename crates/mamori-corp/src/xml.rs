//! The XML variant (XML・Unicode downloads and Web-API `type=12` responses):
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <corporations>
//!   <lastUpdateDate>2021-07-20</lastUpdateDate>
//!   <count>1</count>
//!   <divideNumber>1</divideNumber>
//!   <divideSize>1</divideSize>
//!   <corporation>
//!     <sequenceNumber>1</sequenceNumber>
//!     …the 30 elements of [`COLUMNS`] in order, empty values self-closing (`<closeDate/>`)
//!   </corporation>
//! </corporations>
//! ```
//!
//! The reader accepts the elements of a `<corporation>` in any order, with or without
//! whitespace; missing elements are blank (older API versions lack 最新履歴, フリガナ and
//! 検索対象除外). The writer produces the layout above (2-space indentation, LF), so reading
//! and writing back a file written by it is byte-identical.

use std::io::{self, BufRead, Read, Write};

use quick_xml::Reader;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::csv::Envelope;
use crate::record::{
    COLUMN_COUNT, COLUMNS, Column, Corporation, Diagnostic, Scratch, parse_nta_date, write_date,
};

/// A fatal error: malformed XML or an I/O error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlError {
    /// 1-based line (approximate: the line where the reader stopped).
    pub line: u64,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for XmlError {}

/// A `BufRead` that counts the newlines consumed through it.
struct Lines<R> {
    inner: R,
    newlines: u64,
}

impl<R: BufRead> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.inner.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Lines<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.newlines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        }
        self.inner.consume(amt);
    }
}

/// A streaming reader of the XML variant.
pub struct XmlReader<R: BufRead> {
    reader: Reader<Lines<R>>,
    buf: Vec<u8>,
    envelope: EnvelopeParts,
    /// A `<corporation>` start was consumed while reading the envelope.
    pending: Option<u64>,
    done: bool,
    fields: [String; COLUMN_COUNT],
}

#[derive(Default)]
struct EnvelopeParts {
    last_update_date: Option<String>,
    count: Option<String>,
    divide_number: Option<String>,
    divide_size: Option<String>,
}

enum Found {
    Corporation(u64),
    End,
}

impl<R: BufRead> XmlReader<R> {
    /// Opens a reader and reads the envelope (everything before the first `<corporation>`).
    pub fn new(inner: R) -> Result<XmlReader<R>, XmlError> {
        let mut r = XmlReader {
            reader: Reader::from_reader(Lines { inner, newlines: 0 }),
            buf: Vec::new(),
            envelope: EnvelopeParts::default(),
            pending: None,
            done: false,
            fields: Default::default(),
        };
        match r.seek_corporation(true)? {
            Found::Corporation(line) => r.pending = Some(line),
            Found::End => r.done = true,
        }
        Ok(r)
    }

    fn line(&self) -> u64 {
        self.reader.get_ref().newlines + 1
    }

    fn err(&self, message: impl Into<String>) -> XmlError {
        XmlError {
            line: self.line(),
            message: message.into(),
        }
    }

    /// The envelope (`lastUpdateDate`, `count`, `divideNumber`, `divideSize`), if complete.
    pub fn envelope(&self) -> Option<Envelope> {
        let e = &self.envelope;
        Some(Envelope {
            last_update_date: parse_nta_date(e.last_update_date.as_deref()?)?,
            count: e.count.as_deref()?.parse().ok()?,
            divide_number: e.divide_number.as_deref()?.parse().ok()?,
            divide_size: e.divide_size.as_deref()?.parse().ok()?,
        })
    }

    /// Reads text up to the end of the current element (entity and character references
    /// resolved, CDATA included).
    fn read_text(&mut self, out: &mut String) -> Result<(), XmlError> {
        loop {
            self.buf.clear();
            let ev = self.reader.read_event_into(&mut self.buf);
            match ev {
                Ok(Event::Text(t)) => out.push_str(&t.xml10_content()),
                Ok(Event::CData(t)) => out.push_str(&t.into_inner()),
                Ok(Event::GeneralRef(r)) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => match &*r.into_inner() {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            _ => None,
                        },
                        Err(_) => None,
                    };
                    match resolved {
                        Some(c) => out.push(c),
                        None => return Err(self.err("unknown entity reference")),
                    }
                }
                Ok(Event::End(_)) => return Ok(()),
                Ok(Event::Start(_)) | Ok(Event::Empty(_)) => {
                    return Err(self.err("unexpected element inside a value"));
                }
                Ok(Event::Eof) => return Err(self.err("unexpected end of file")),
                Ok(_) => {}
                Err(e) => return Err(self.err(e.to_string())),
            }
        }
    }

    fn seek_corporation(&mut self, envelope: bool) -> Result<Found, XmlError> {
        loop {
            self.buf.clear();
            let ev = self.reader.read_event_into(&mut self.buf);
            let name = match ev {
                Ok(Event::Start(e)) => e.local_name().as_ref().to_owned(),
                Ok(Event::Empty(_)) => continue,
                Ok(Event::Eof) => return Ok(Found::End),
                Ok(Event::End(e)) if e.local_name().as_ref() == "corporations" => {
                    return Ok(Found::End);
                }
                Ok(_) => continue,
                Err(e) => return Err(self.err(e.to_string())),
            };
            match name.as_str() {
                "corporation" => return Ok(Found::Corporation(self.line())),
                "corporations" => {}
                other if envelope => {
                    let mut text = String::new();
                    self.read_text(&mut text)?;
                    let e = &mut self.envelope;
                    match other {
                        "lastUpdateDate" => e.last_update_date = Some(text),
                        "count" => e.count = Some(text),
                        "divideNumber" => e.divide_number = Some(text),
                        "divideSize" => e.divide_size = Some(text),
                        _ => {}
                    }
                }
                _ => {
                    let mut skip = String::new();
                    self.read_text(&mut skip)?;
                }
            }
        }
    }

    /// The next row: `Ok(Some(Ok(row)))`, `Ok(Some(Err(diagnostics)))` for a row that was
    /// skipped, `Ok(None)` at the end. Malformed XML is a fatal [`XmlError`].
    pub fn next_row(&mut self) -> Result<Option<Result<Corporation, Vec<Diagnostic>>>, XmlError> {
        if self.done {
            return Ok(None);
        }
        let line = match self.pending.take() {
            Some(l) => l,
            None => match self.seek_corporation(false)? {
                Found::Corporation(l) => l,
                Found::End => {
                    self.done = true;
                    return Ok(None);
                }
            },
        };
        for f in &mut self.fields {
            f.clear();
        }
        let mut diags = Vec::new();
        loop {
            self.buf.clear();
            let ev = self.reader.read_event_into(&mut self.buf);
            let (name, empty) = match ev {
                Ok(Event::Start(e)) => (e.local_name().as_ref().to_owned(), false),
                Ok(Event::Empty(e)) => (e.local_name().as_ref().to_owned(), true),
                Ok(Event::End(_)) => break,
                Ok(Event::Eof) => return Err(self.err("unexpected end of file in <corporation>")),
                Ok(_) => continue,
                Err(e) => return Err(self.err(e.to_string())),
            };
            let idx = COLUMNS.iter().position(|(_, el)| *el == name);
            let mut text = String::new();
            if !empty {
                self.read_text(&mut text)?;
            }
            match idx {
                Some(i) => self.fields[i] = text,
                None => diags.push(Diagnostic {
                    line: self.line(),
                    column: None,
                    message: format!("unknown element <{name}>"),
                }),
            }
        }
        if !diags.is_empty() {
            return Ok(Some(Err(diags)));
        }
        let mut refs: [&str; COLUMN_COUNT] = [""; COLUMN_COUNT];
        for (r, f) in refs.iter_mut().zip(&self.fields) {
            *r = f;
        }
        Ok(Some(Corporation::from_fields(&refs).map_err(|errors| {
            errors
                .into_iter()
                .map(|(i, message)| Diagnostic {
                    line,
                    column: Some(Column::from_index(i)),
                    message,
                })
                .collect()
        })))
    }
}

/// A whole XML file read into memory.
#[derive(Clone, Debug, Default)]
pub struct XmlFile {
    /// The envelope, if complete.
    pub envelope: Option<Envelope>,
    /// Valid rows in file order.
    pub rows: Vec<Corporation>,
    /// Problems of the rows that were skipped.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a whole XML file.
pub fn read_xml<R: BufRead>(r: R) -> Result<XmlFile, XmlError> {
    let mut reader = XmlReader::new(r)?;
    let mut out = XmlFile {
        envelope: reader.envelope(),
        ..XmlFile::default()
    };
    while let Some(row) = reader.next_row()? {
        match row {
            Ok(c) => out.rows.push(c),
            Err(d) => out.diagnostics.extend(d),
        }
    }
    Ok(out)
}

/// Writes the XML variant.
pub struct XmlWriter<W: Write> {
    w: quick_xml::Writer<W>,
    scratch: Scratch,
}

impl<W: Write> XmlWriter<W> {
    /// Writes the declaration, `<corporations>` and the envelope.
    pub fn new(out: W, envelope: &Envelope) -> io::Result<XmlWriter<W>> {
        let mut w = quick_xml::Writer::new_with_indent(out, b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.write_event(Event::Start(BytesStart::new("corporations")))?;
        let mut date = String::new();
        write_date(&mut date, envelope.last_update_date);
        let mut x = XmlWriter {
            w,
            scratch: Scratch::default(),
        };
        x.element("lastUpdateDate", &date)?;
        x.element("count", &envelope.count.to_string())?;
        x.element("divideNumber", &envelope.divide_number.to_string())?;
        x.element("divideSize", &envelope.divide_size.to_string())?;
        Ok(x)
    }

    fn element(&mut self, name: &str, value: &str) -> io::Result<()> {
        if value.is_empty() {
            self.w.write_event(Event::Empty(BytesStart::new(name)))
        } else {
            self.w.write_event(Event::Start(BytesStart::new(name)))?;
            self.w.write_event(Event::Text(BytesText::new(value)))?;
            self.w.write_event(Event::End(BytesEnd::new(name)))
        }
    }

    /// Writes one `<corporation>`.
    pub fn write_row(&mut self, c: &Corporation) -> io::Result<()> {
        self.w
            .write_event(Event::Start(BytesStart::new("corporation")))?;
        let mut scratch = std::mem::take(&mut self.scratch);
        {
            let fields = c.to_fields(&mut scratch);
            for (i, f) in fields.iter().enumerate() {
                self.element(COLUMNS[i].1, f)?;
            }
        }
        self.scratch = scratch;
        self.w.write_event(Event::End(BytesEnd::new("corporation")))
    }

    /// Writes `</corporations>` and a final newline, flushes and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.w
            .write_event(Event::End(BytesEnd::new("corporations")))?;
        let mut out = self.w.into_inner();
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(out)
    }
}

/// Writes rows as an XML document into a byte vector.
pub fn write_xml(rows: &[Corporation], envelope: &Envelope) -> io::Result<Vec<u8>> {
    let mut w = XmlWriter::new(Vec::new(), envelope)?;
    for r in rows {
        w.write_row(r)?;
    }
    w.finish()
}
