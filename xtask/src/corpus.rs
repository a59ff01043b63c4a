//! Synthetic corpora for the My Number scanner: every supported format with numbers at known
//! places (valid and invalid check digits, every shape, in and out of context) and the list of
//! findings a correct scanner must report. Deterministic: the same seed gives the same bytes.
//!
//! The numbers are generated, never real: random bases with computed check digits.

use std::io::Write;
use std::path::{Path, PathBuf};

use mamori_mynumber::{corporate_check_digit, individual_check_digit};
use serde::Serialize;

/// A tiny deterministic generator (SplitMix64), so corpora are reproducible without a
/// dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn digits<const N: usize>(&mut self) -> [u8; N] {
        let mut d = [0u8; N];
        for x in &mut d {
            *x = self.below(10) as u8;
        }
        d
    }

    /// A valid individual number (12 digits).
    pub fn individual(&mut self) -> String {
        let base: [u8; 11] = self.digits();
        let check = individual_check_digit(&base);
        base.iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from(b'0' + d))
            .collect()
    }

    /// A valid individual number that does not start with 0 (survives storage as a number).
    pub fn individual_nonzero(&mut self) -> String {
        loop {
            let n = self.individual();
            if !n.starts_with('0') {
                return n;
            }
        }
    }

    /// A valid individual number starting with 0 (loses a digit when stored as a number).
    pub fn individual_leading_zero(&mut self) -> String {
        let mut base: [u8; 11] = self.digits();
        base[0] = 0;
        base[1] = 1 + self.below(9) as u8;
        let check = individual_check_digit(&base);
        base.iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from(b'0' + d))
            .collect()
    }

    /// Twelve digits whose check digit is wrong.
    pub fn individual_invalid(&mut self) -> String {
        let valid = self.individual();
        let last = valid.as_bytes()[11] - b'0';
        let wrong = (last + 1 + self.below(9) as u8) % 10;
        format!("{}{}", &valid[..11], wrong)
    }

    /// A valid corporate number (13 digits, check digit first).
    pub fn corporate(&mut self) -> String {
        let base: [u8; 12] = self.digits();
        let check = corporate_check_digit(&base);
        std::iter::once(&check)
            .chain(base.iter())
            .map(|d| char::from(b'0' + d))
            .collect()
    }
}

fn grouped(n: &str, sep: &str) -> String {
    format!("{}{sep}{}{sep}{}", &n[..4], &n[4..8], &n[8..12])
}

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(u32::from(c) - u32::from('0') + 0xFF10).unwrap_or(c),
            '-' => '－',
            c => c,
        })
        .collect()
}

/// One finding a correct scanner reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expected {
    pub file: String,
    /// Path inside an archive, empty otherwise.
    pub member: String,
    /// As `mamori_mynumber::Location` prints it: `3:5`, `Sheet1!B2`, `word/document.xml#p2`,
    /// `page 1`.
    pub location: String,
    pub kind: &'static str,
    pub confidence: &'static str,
    pub last4: String,
}

/// A file a correct scanner reports as not scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedSkip {
    pub file: String,
    pub member: String,
    /// A word the reason must contain.
    pub reason_contains: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Manifest {
    pub files: usize,
    pub findings: Vec<Expected>,
    pub not_scanned: Vec<ExpectedSkip>,
    /// Numbers written on purpose where they must NOT be found (invalid check digits, longer
    /// runs, card-like groups, identifiers), by last four digits, for the report.
    pub decoys: usize,
}

impl Manifest {
    fn expect(
        &mut self,
        file: &str,
        member: &str,
        location: String,
        kind: &'static str,
        confidence: &'static str,
        number: &str,
    ) {
        let digits: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
        self.findings.push(Expected {
            file: file.to_owned(),
            member: member.to_owned(),
            location,
            kind,
            confidence,
            last4: digits[digits.len() - 4..].to_owned(),
        });
    }
}

/// Text lines with numbers in every shape and context; records where each valid one is.
/// Returns the text (UTF-8).
fn text_body(rng: &mut Rng, file: &str, member: &str, m: &mut Manifest) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut add = |line: String| {
        lines.push(line);
        lines.len()
    };
    add("業務メモ（テスト用の架空データ）".into());
    add(String::new());
    // In context: high.
    let n = rng.individual();
    let l = add(format!("マイナンバー：{n}"));
    m.expect(file, member, format!("{l}:8"), "individual", "high", &n);
    add(String::new());
    // Grouped without context: medium.
    let n = rng.individual();
    let g = grouped(&n, "-");
    let l = add(format!("参照 {g} を確認"));
    m.expect(file, member, format!("{l}:4"), "individual", "medium", &n);
    add(String::new());
    // Full-width grouped with context: high.
    let n = rng.individual();
    let l = add(format!("個人番号 {}", fullwidth(&grouped(&n, "-"))));
    m.expect(file, member, format!("{l}:6"), "individual", "high", &n);
    add(String::new());
    // Space-grouped, no context: medium.
    let n = rng.individual();
    let l = add(format!("番号は {} です", grouped(&n, " ")));
    m.expect(file, member, format!("{l}:5"), "individual", "medium", &n);
    add(String::new());
    // Plain, no context: low.
    let n = rng.individual();
    let l = add(format!("記録 {n} 件目"));
    m.expect(file, member, format!("{l}:4"), "individual", "low", &n);
    add(String::new());
    // Negative cue: low.
    let n = rng.individual();
    let l = add(format!("電話 {n}"));
    m.expect(file, member, format!("{l}:4"), "individual", "low", &n);
    add(String::new());
    // Label on the line above: high.
    add("扶養控除等申告書 被扶養者の個人番号".into());
    let n = rng.individual();
    let l = add(n.clone());
    m.expect(file, member, format!("{l}:1"), "individual", "high", &n);
    add(String::new());
    // Corporate number with keyword: high, and an invoice registration number: low.
    let c = rng.corporate();
    let l = add(format!("法人番号 {c}"));
    m.expect(file, member, format!("{l}:6"), "corporate", "high", &c);
    add(String::new());
    let c = rng.corporate();
    let l = add(format!("登録番号 T{c}"));
    m.expect(file, member, format!("{l}:7"), "corporate", "low", &c);
    add(String::new());
    // Decoys: none of these may be reported.
    add(format!("誤り {}", rng.individual_invalid()));
    add(format!("長い番号 {}77", rng.individual()));
    let n = rng.individual();
    add(format!(
        "カード {}-{}",
        grouped(&n, "-"),
        rng.below(9000) + 1000
    ));
    add(format!("ID{}", rng.individual()));
    add(format!("小数 {}.5", rng.individual()));
    add(format!("個人番号 {}", fullwidth(&rng.individual_invalid())));
    m.decoys += 6;
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// A zip archive of the given entries (deflated).
pub fn zip_bytes(entries: &[(&str, &[u8])]) -> std::io::Result<Vec<u8>> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).map_err(std::io::Error::other)?;
        w.write_all(data)?;
    }
    Ok(w.finish().map_err(std::io::Error::other)?.into_inner())
}

fn xlsx(
    rng: &mut Rng,
    file: &str,
    m: &mut Manifest,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("職員")?;
    ws.write(0, 0, "氏名")?;
    ws.write(0, 1, "個人番号")?;
    ws.write(0, 2, "メモ")?;
    // String cell under the header: high.
    let n = rng.individual();
    ws.write(1, 0, "山田 太郎")?;
    ws.write(1, 1, n.as_str())?;
    m.expect(file, "", "職員!B2".into(), "individual", "high", &n);
    // Numeric cell under the header: high.
    let n = rng.individual_nonzero();
    ws.write(2, 0, "佐藤 花子")?;
    ws.write(2, 1, n.parse::<f64>().unwrap_or(0.0))?;
    m.expect(file, "", "職員!B3".into(), "individual", "high", &n);
    // Lost leading zero: padded back, the header raises it one step.
    let n = rng.individual_leading_zero();
    ws.write(3, 0, "鈴木 一郎")?;
    ws.write(3, 1, n.parse::<f64>().unwrap_or(0.0))?;
    m.expect(file, "", "職員!B4".into(), "individual", "medium", &n);
    // A grouped number in a memo column without header context: medium.
    let n = rng.individual();
    ws.write(1, 2, format!("旧番号 {}", grouped(&n, "-")).as_str())?;
    m.expect(file, "", "職員!C2".into(), "individual", "medium", &n);
    // Decoys: invalid check digit as number and as text.
    ws.write(4, 1, rng.individual_invalid().parse::<f64>().unwrap_or(0.0))?;
    ws.write(5, 1, rng.individual_invalid().as_str())?;
    m.decoys += 2;

    // A form-style second sheet: the label is left of the value.
    let ws = wb.add_worksheet();
    ws.set_name("申告書")?;
    ws.write(2, 1, "本人の個人番号")?;
    let n = rng.individual();
    ws.write(2, 2, n.as_str())?;
    m.expect(file, "", "申告書!C3".into(), "individual", "high", &n);
    ws.write(4, 1, "法人番号")?;
    let c = rng.corporate();
    ws.write(4, 2, c.parse::<f64>().unwrap_or(0.0))?;
    m.expect(file, "", "申告書!C5".into(), "corporate", "high", &c);
    wb.save_to_buffer()
}

fn docx(rng: &mut Rng, file: &str, m: &mut Manifest) -> Result<Vec<u8>, String> {
    use docx_rs::{Docx, Footer, Header, Paragraph, Run};
    let n1 = rng.individual();
    let n2 = rng.individual();
    let n3 = rng.individual();
    // The number is split across three runs, as Word often stores it.
    let body = Paragraph::new()
        .add_run(Run::new().add_text("個人番号 "))
        .add_run(Run::new().add_text(&n1[..5]))
        .add_run(Run::new().add_text(&n1[5..9]).bold())
        .add_run(Run::new().add_text(&n1[9..]));
    let doc = Docx::new()
        .header(Header::new().add_paragraph(
            Paragraph::new().add_run(Run::new().add_text(format!("控え {}", grouped(&n2, "-")))),
        ))
        .footer(
            Footer::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text("社外秘"))),
        )
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("源泉徴収票（テスト用）")))
        .add_paragraph(body)
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("扶養親族の番号")))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(n3.clone())))
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(format!("誤記 {}", rng.individual_invalid()))),
        );
    m.decoys += 1;
    m.expect(
        file,
        "",
        "word/document.xml#p2".into(),
        "individual",
        "high",
        &n1,
    );
    m.expect(
        file,
        "",
        "word/document.xml#p4".into(),
        "individual",
        "low",
        &n3,
    );
    m.expect(
        file,
        "",
        "word/header1.xml#p1".into(),
        "individual",
        "medium",
        &n2,
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf.into_inner())
}

fn pptx(rng: &mut Rng, file: &str, m: &mut Manifest) -> std::io::Result<Vec<u8>> {
    let n1 = rng.individual();
    let n2 = rng.individual();
    let slide = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>研修資料</a:t></a:r></a:p><a:p><a:r><a:t>マイナンバー </a:t></a:r><a:r><a:t>{}</a:t></a:r><a:r><a:t>{}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#,
        &n1[..6],
        &n1[6..]
    );
    let notes = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:notes xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>ノート: {}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>"#,
        grouped(&n2, " ")
    );
    m.expect(
        file,
        "",
        "ppt/slides/slide1.xml#p2".into(),
        "individual",
        "high",
        &n1,
    );
    m.expect(
        file,
        "",
        "ppt/notesSlides/notesSlide1.xml#p1".into(),
        "individual",
        "medium",
        &n2,
    );
    let ct = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>"#;
    let pres = r#"<?xml version="1.0" encoding="UTF-8"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>"#;
    zip_bytes(&[
        ("[Content_Types].xml", ct.as_bytes()),
        ("ppt/presentation.xml", pres.as_bytes()),
        ("ppt/slides/slide1.xml", slide.as_bytes()),
        ("ppt/notesSlides/notesSlide1.xml", notes.as_bytes()),
    ])
}

fn ods(rng: &mut Rng, file: &str, m: &mut Manifest) -> std::io::Result<Vec<u8>> {
    let n1 = rng.individual();
    let n2 = rng.individual_nonzero();
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="名簿"><table:table-row><table:table-cell office:value-type="string"><text:p>氏名</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>マイナンバー</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>高橋</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>{n1}</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>伊藤</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="{n2}"><text:p>{n2}</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    m.expect(file, "", "名簿!B2".into(), "individual", "high", &n1);
    m.expect(file, "", "名簿!B3".into(), "individual", "high", &n2);
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    // The mimetype entry must come first and be stored uncompressed.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("mimetype", stored)
        .map_err(std::io::Error::other)?;
    w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")?;
    w.start_file("META-INF/manifest.xml", deflated)
        .map_err(std::io::Error::other)?;
    w.write_all(manifest.as_bytes())?;
    w.start_file("content.xml", deflated)
        .map_err(std::io::Error::other)?;
    w.write_all(content.as_bytes())?;
    Ok(w.finish().map_err(std::io::Error::other)?.into_inner())
}

/// A minimal PDF 1.4 with a text layer on two pages (Helvetica, ASCII text).
pub fn pdf(pages: &[&str]) -> Vec<u8> {
    let mut objects: Vec<String> = Vec::new();
    let n = pages.len();
    // 1: catalog, 2: pages, 3: font, then per page: page object and content stream.
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {n} >>",
        kids.join(" ")
    ));
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    );
    for (i, text) in pages.iter().enumerate() {
        let content_id = 5 + 2 * i;
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>"
        ));
        let escaped = text
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        let stream = format!("BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET");
        objects.push(format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ));
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Sets the "encrypted" flag (general purpose bit 0) on every entry of a zip, as a
/// password-protected archive has it; the scanner must report such members, not read them.
fn mark_encrypted(mut zip: Vec<u8>) -> Vec<u8> {
    let mut i = 0;
    while i + 8 <= zip.len() {
        let sig = &zip[i..i + 4];
        if sig == b"PK\x03\x04" {
            zip[i + 6] |= 1;
        } else if sig == b"PK\x01\x02" {
            zip[i + 8] |= 1;
        }
        i += 1;
    }
    zip
}

/// Writes the corpus into `dir` (created) and `dir/expected.json`.
pub fn write_corpus(dir: &Path) -> Result<Manifest, String> {
    let io = |e: std::io::Error| e.to_string();
    std::fs::create_dir_all(dir.join("nested")).map_err(io)?;
    let mut rng = Rng::new(0x6d61_6d6f_7269);
    let mut m = Manifest::default();
    let mut files = 0;
    let mut write = |name: &str, bytes: &[u8]| -> Result<(), String> {
        files += 1;
        std::fs::write(dir.join(name), bytes).map_err(|e| format!("{name}: {e}"))
    };

    let t = text_body(&mut rng, "notes_utf8.txt", "", &mut m);
    write("notes_utf8.txt", t.as_bytes())?;

    let t = text_body(&mut rng, "notes_sjis.txt", "", &mut m);
    write("notes_sjis.txt", &encoding_rs::SHIFT_JIS.encode(&t).0)?;

    let t = text_body(&mut rng, "notes_eucjp.txt", "", &mut m);
    write("notes_eucjp.txt", &encoding_rs::EUC_JP.encode(&t).0)?;

    let t = text_body(&mut rng, "notes_utf16.txt", "", &mut m);
    let mut utf16 = vec![0xFF, 0xFE];
    for u in t.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    write("notes_utf16.txt", &utf16)?;

    // A CSV export in Shift_JIS: the header names the column.
    let mut csv = String::from("職員番号,氏名,個人番号,電話番号\r\n");
    for i in 0..5 {
        let n = rng.individual();
        let phone = format!("0{}", rng.below(9_000_000_000) + 1_000_000_000);
        csv.push_str(&format!("{},職員{i},{n},{phone}\r\n", 1000 + i));
        m.expect(
            "staff_sjis.csv",
            "",
            format!("{}:{}", i + 2, 9 + i.to_string().len()),
            "individual",
            "high",
            &n,
        );
    }
    write("staff_sjis.csv", &encoding_rs::SHIFT_JIS.encode(&csv).0)?;

    write(
        "book.xlsx",
        &xlsx(&mut rng, "book.xlsx", &mut m).map_err(|e| e.to_string())?,
    )?;
    write("letter.docx", &docx(&mut rng, "letter.docx", &mut m)?)?;
    write(
        "slides.pptx",
        &pptx(&mut rng, "slides.pptx", &mut m).map_err(io)?,
    )?;
    write(
        "roster.ods",
        &ods(&mut rng, "roster.ods", &mut m).map_err(io)?,
    )?;

    let p1 = rng.individual();
    let p2 = rng.individual();
    let pdf_bytes = pdf(&[
        &format!("Kojin Bango (My Number): {p1}"),
        &format!("Ref {}", grouped(&p2, "-")),
    ]);
    m.expect("form.pdf", "", "page 1".into(), "individual", "high", &p1);
    m.expect("form.pdf", "", "page 2".into(), "individual", "medium", &p2);
    write("form.pdf", &pdf_bytes)?;

    // Archives: a text file, and a CSV inside a zip inside the zip.
    let inner_csv = {
        let n = rng.individual();
        m.expect(
            "nested/archive.zip",
            "inner.zip!list.csv",
            "2:3".into(),
            "individual",
            "high",
            &n,
        );
        format!("番号,個人番号\n1,{n}\n")
    };
    let inner = zip_bytes(&[("list.csv", inner_csv.as_bytes())]).map_err(io)?;
    let readme = {
        let n = rng.individual();
        m.expect(
            "nested/archive.zip",
            "docs/readme.txt",
            "1:8".into(),
            "individual",
            "high",
            &n,
        );
        format!("マイナンバー {n}\n")
    };
    let outer = zip_bytes(&[
        ("docs/readme.txt", readme.as_bytes()),
        ("inner.zip", &inner),
    ])
    .map_err(io)?;
    write("nested/archive.zip", &outer)?;

    // Hostile and broken files: reported as not scanned, never fatal.
    let bomb = zip_bytes(&[("zeros.txt", &vec![b'0'; 8 << 20])]).map_err(io)?;
    write("bomb.zip", &bomb)?;
    m.not_scanned.push(ExpectedSkip {
        file: "bomb.zip".into(),
        member: "zeros.txt".into(),
        reason_contains: "ratio".into(),
    });
    write(
        "broken.pdf",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n% truncated",
    )?;
    m.not_scanned.push(ExpectedSkip {
        file: "broken.pdf".into(),
        member: String::new(),
        reason_contains: "PDF".into(),
    });
    let mut truncated =
        xlsx(&mut Rng::new(1), "x", &mut Manifest::default()).map_err(|e| e.to_string())?;
    truncated.truncate(truncated.len() / 2);
    write("truncated.xlsx", &truncated)?;
    m.not_scanned.push(ExpectedSkip {
        file: "truncated.xlsx".into(),
        member: String::new(),
        reason_contains: "workbook".into(),
    });
    write(
        "secret.zip",
        &mark_encrypted(zip_bytes(&[("給与.csv", "個人番号\n".as_bytes())]).map_err(io)?),
    )?;
    m.not_scanned.push(ExpectedSkip {
        file: "secret.zip".into(),
        member: "給与.csv".into(),
        reason_contains: "encrypted".into(),
    });
    write("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")?;
    m.not_scanned.push(ExpectedSkip {
        file: "image.png".into(),
        member: String::new(),
        reason_contains: "unsupported".into(),
    });

    m.files = files;
    let json = serde_json::to_vec_pretty(&m).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("expected.json"), json).map_err(io)?;
    Ok(m)
}

/// Benchmark inputs of about `mb` MiB each: Japanese/ASCII prose with sparse digits (about one
/// valid number per 4 KiB) and a digit-dense CSV export (a 12-digit number on every row).
pub fn write_bench_data(dir: &Path, mb: usize) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let target = mb << 20;
    let mut rng = Rng::new(42);
    let words = [
        "情報セキュリティ",
        "庁内ネットワーク",
        "の運用について",
        "担当者は",
        "確認すること。",
        "The system shall ",
        "log every access ",
        "and keep records ",
        "令和7年度 ",
        "第3編 ",
        "資料 ",
        "会議 ",
        "予算 ",
        "年度計画 ",
        "住民サービス ",
    ];
    let sparse = dir.join("sparse.txt");
    let mut out = Vec::with_capacity(target + 4096);
    while out.len() < target {
        let mut line = String::new();
        while line.len() < 4000 {
            line.push_str(words[rng.below(words.len() as u64) as usize]);
            if rng.below(40) == 0 {
                line.push_str(&format!(
                    " {}年{}月{}日 ",
                    2000 + rng.below(26),
                    1 + rng.below(12),
                    1 + rng.below(28)
                ));
            }
        }
        line.push_str(&format!(" 個人番号 {}\n", rng.individual()));
        out.extend_from_slice(line.as_bytes());
    }
    std::fs::write(&sparse, &out).map_err(|e| e.to_string())?;

    let dense = dir.join("dense.csv");
    let mut out = Vec::with_capacity(target + 4096);
    out.extend_from_slice("受付番号,氏名,個人番号,金額,電話番号\n".as_bytes());
    let mut i = 0u64;
    while out.len() < target {
        i += 1;
        let n = if rng.below(2) == 0 {
            rng.individual()
        } else {
            rng.individual_invalid()
        };
        out.extend_from_slice(
            format!(
                "{},住民{},{n},{},0{}\n",
                100_000 + i,
                i % 1000,
                rng.below(1_000_000),
                3_000_000_000 + rng.below(999_999_999)
            )
            .as_bytes(),
        );
    }
    std::fs::write(&dense, &out).map_err(|e| e.to_string())?;
    Ok(vec![sparse, dense])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_numbers_have_the_intended_check_digits() {
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            assert!(mamori_mynumber::check_number(&r.individual()).valid);
            assert!(!mamori_mynumber::check_number(&r.individual_invalid()).valid);
            assert!(mamori_mynumber::check_number(&r.corporate()).valid);
            assert!(r.individual_leading_zero().starts_with('0'));
        }
    }
}
