//! Streaming scan of UTF-8 text of any length: memory bounded by the chunk size.

use crate::Scanner;
use crate::finding::{Evidence, Finding, Location};
use crate::matcher::{Kind, context, for_each_token};

/// The longest token in bytes (13 full-width digits and 3 three-byte separators) plus margin.
const MAX_TOKEN: usize = 13 * 3 + 12 * 3 + 8;

/// How to read a text.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Treat the first line as a header of delimiter-separated columns (CSV/TSV): a column
    /// titled e.g. 個人番号 is context for every value in it.
    pub delimited: Option<u8>,
}

/// UTF-8 characters in `b`: a plain loop for the short spans between numbers in a line, SIMD
/// for long ones.
#[inline]
fn chars(b: &[u8]) -> u64 {
    if b.len() < 64 {
        b.iter().filter(|c| (**c & 0xC0) != 0x80).count() as u64
    } else {
        bytecount::num_chars(b) as u64
    }
}

/// Position bookkeeping: line number and character column of `abs`.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    abs: u64,
    line: u64,
    /// Characters between the start of the line and `abs`.
    column: u64,
    /// Absolute offset where the current line starts.
    line_start: u64,
}

/// Scans UTF-8 text pushed in chunks. Numbers split across chunks are found; positions are
/// reported as 1-based line and character column.
pub struct TextStream<'a> {
    scanner: &'a Scanner,
    options: TextOptions,
    buf: Vec<u8>,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Index in `buf` where scanning resumes.
    resume: usize,
    cursor: Cursor,
    /// Header columns naming each kind, once the first line is complete.
    header: Option<HeaderColumns>,
    header_done: bool,
    bytes: u64,
    /// Reused between chunks.
    tokens: Vec<crate::matcher::Token>,
}

#[derive(Debug, Default, Clone)]
struct HeaderColumns {
    individual: Vec<usize>,
    corporate: Vec<usize>,
}

impl std::fmt::Debug for TextStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextStream")
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

impl<'a> TextStream<'a> {
    pub fn new(scanner: &'a Scanner, options: TextOptions) -> TextStream<'a> {
        TextStream {
            scanner,
            options,
            buf: Vec::with_capacity(1 << 20),
            base: 0,
            resume: 0,
            cursor: Cursor {
                abs: 0,
                line: 1,
                column: 0,
                line_start: 0,
            },
            header: None,
            header_done: options.delimited.is_none(),
            bytes: 0,
            tokens: Vec::new(),
        }
    }

    /// Bytes of text seen so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Adds a chunk and reports the numbers that are now complete.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<Finding>) {
        self.bytes += chunk.len() as u64;
        self.buf.extend_from_slice(chunk);
        self.process(false, out);
    }

    /// Ends the text and reports what remains.
    pub fn finish(&mut self, out: &mut Vec<Finding>) {
        self.process(true, out);
    }

    fn process(&mut self, eof: bool, out: &mut Vec<Finding>) {
        if !self.header_done {
            match memchr::memchr(b'\n', &self.buf) {
                Some(nl) => self.read_header(nl),
                None if eof => self.read_header(self.buf.len()),
                None => {}
            }
        }
        let window = self.scanner.keywords.window;
        let keep = window + MAX_TOKEN;
        let to = if eof {
            self.buf.len()
        } else {
            self.buf.len().saturating_sub(keep)
        };
        if to > self.resume {
            let buf = std::mem::take(&mut self.buf);
            let mut tokens = std::mem::take(&mut self.tokens);
            self.resume = for_each_token(&buf, self.resume, to, true, |t| tokens.push(t));
            // Line numbers for all tokens in one pass over the newlines.
            let from = usize::try_from(self.cursor.abs - self.base).unwrap_or(0);
            let last = tokens.last().map_or(from, |t| t.start.max(from));
            let mut newlines = memchr::memchr_iter(b'\n', &buf[from..last])
                .map(|p| p + from)
                .peekable();
            let mut cur = self.cursor;
            let mut cur_idx = from;
            let first = out.len();
            for t in &tokens {
                let mut new_line = false;
                while let Some(&p) = newlines.peek() {
                    if p >= t.start {
                        break;
                    }
                    cur.line += 1;
                    cur.line_start = self.base + (p + 1) as u64;
                    new_line = true;
                    newlines.next();
                }
                let ls = usize::try_from(cur.line_start.saturating_sub(self.base)).unwrap_or(0);
                cur.column = if new_line || ls > cur_idx {
                    chars(&buf[ls.min(t.start)..t.start])
                } else {
                    cur.column + chars(&buf[cur_idx.min(t.start)..t.start])
                };
                cur.abs = self.base + t.start as u64;
                cur_idx = t.start;
                // A titled column settles it; otherwise look for keywords around the number.
                let evidence = if self.header_names(&buf, t.kind, t.start, cur) {
                    Evidence::Header
                } else {
                    Evidence::from_context(context(&buf, t, &self.scanner.keywords))
                };
                out.push(self.scanner.unhashed_finding(
                    t,
                    evidence,
                    Location::Line {
                        line: cur.line,
                        column: cur.column + 1,
                    },
                ));
            }
            // One finding per token, in order: hash them together.
            self.scanner.fill_hashes(&tokens, &mut out[first..]);
            tokens.clear();
            if cur.abs > self.cursor.abs {
                self.cursor = cur;
            }
            self.buf = buf;
            self.tokens = tokens;
        }
        // Keep `window` bytes before the resume point for the next token's context, and the
        // whole current line for CSV column lookup when it is short.
        let mut drop = self.resume.saturating_sub(window);
        if self.options.delimited.is_some() {
            let line_start = self.cursor_line_start_at(drop);
            if let Some(ls) = line_start.checked_sub(self.base) {
                let ls = usize::try_from(ls).unwrap_or(drop);
                if ls <= drop && drop - ls < 64 * 1024 {
                    drop = ls;
                }
            }
        }
        if drop > 0 {
            let buf = std::mem::take(&mut self.buf);
            self.advance(&buf, drop);
            self.buf = buf;
            self.buf.drain(..drop);
            self.base += drop as u64;
            self.resume -= drop;
        }
    }

    /// Line start of the line containing buffer index `i` (absolute).
    fn cursor_line_start_at(&self, i: usize) -> u64 {
        let abs_i = self.base + i as u64;
        if abs_i < self.cursor.abs {
            return self.cursor.line_start;
        }
        let from = usize::try_from(self.cursor.abs - self.base).unwrap_or(0);
        match memchr::memrchr(b'\n', &self.buf[from..i]) {
            Some(nl) => self.base + (from + nl + 1) as u64,
            None => self.cursor.line_start,
        }
    }

    /// Moves the cursor forward to buffer index `i` and returns it.
    fn advance(&mut self, buf: &[u8], i: usize) -> Cursor {
        let target = self.base + i as u64;
        if target <= self.cursor.abs {
            return self.cursor;
        }
        let from = usize::try_from(self.cursor.abs - self.base).unwrap_or(0);
        let seg = &buf[from..i];
        let newlines = memchr::memchr_iter(b'\n', seg).count() as u64;
        let (tail, line_start) = match memchr::memrchr(b'\n', seg) {
            Some(nl) => (&seg[nl + 1..], self.base + (from + nl + 1) as u64),
            None => (seg, self.cursor.line_start),
        };
        // SIMD character count: this runs over every byte of a long line.
        let chars = bytecount::num_chars(tail) as u64;
        self.cursor = Cursor {
            abs: target,
            line: self.cursor.line + newlines,
            column: if newlines > 0 {
                chars
            } else {
                self.cursor.column + chars
            },
            line_start,
        };
        self.cursor
    }

    fn read_header(&mut self, end: usize) {
        self.header_done = true;
        let Some(delim) = self.options.delimited else {
            return;
        };
        let line = String::from_utf8_lossy(&self.buf[..end]);
        let mut cols = HeaderColumns::default();
        for (i, field) in line
            .trim_end_matches('\r')
            .split(char::from(delim))
            .enumerate()
        {
            if self.scanner.label_names(Kind::Individual, field) {
                cols.individual.push(i);
            }
            if self.scanner.label_names(Kind::Corporate, field) {
                cols.corporate.push(i);
            }
        }
        self.header = Some(cols);
    }

    /// Whether the column holding buffer index `at` (at position `pos`) is titled with this
    /// kind of number.
    fn header_names(&self, buf: &[u8], kind: Kind, at: usize, pos: Cursor) -> bool {
        let (Some(delim), Some(h)) = (self.options.delimited, &self.header) else {
            return false;
        };
        let cols = match kind {
            Kind::Individual => &h.individual,
            Kind::Corporate => &h.corporate,
        };
        if cols.is_empty() {
            return false;
        }
        // The header line itself is not data.
        if pos.line == 1 {
            return false;
        }
        let Some(ls) = pos.line_start.checked_sub(self.base) else {
            return false;
        };
        let ls = usize::try_from(ls).unwrap_or(usize::MAX);
        if ls > at {
            return false;
        }
        // Count delimiters outside double quotes between the line start and the value.
        let mut col = 0usize;
        let mut quoted = false;
        for b in &buf[ls..at] {
            match *b {
                b'"' => quoted = !quoted,
                b if b == delim && !quoted => col += 1,
                _ => {}
            }
        }
        cols.contains(&col)
    }
}
