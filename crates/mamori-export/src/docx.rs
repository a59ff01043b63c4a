//! Word rendering of the specification chapter (A4, headings, tables, highlighted placeholders).

use docx_rs::{
    AlignmentType, Docx, PageMargin, Paragraph, Run, RunFonts, Shading, ShdType, Style, StyleType,
    Table, TableCell, TableRow, WidthType,
};
use mamori_catalog::Level;

use crate::ExportError;
use crate::spec::{Piece, Spec};

const FONT_JA: &str = "IPAexMincho";
const FONT_JA_GOTHIC: &str = "IPAexGothic";
/// A4 portrait in twentieths of a point, with 20 mm margins.
const A4: (u32, u32) = (11906, 16838);
const MARGIN: i32 = 1134;
const TEXT_WIDTH: usize = (A4.0 as usize) - 2 * (MARGIN as usize);

fn heading(id: &str, name: &str, size_half_points: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .size(size_half_points)
        .bold()
        .fonts(
            RunFonts::new()
                .east_asia(FONT_JA_GOTHIC)
                .ascii(FONT_JA_GOTHIC)
                .hi_ansi(FONT_JA_GOTHIC),
        )
}

pub(crate) fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

fn cell(text: &str, width: usize) -> TableCell {
    TableCell::new()
        .width(width, WidthType::Dxa)
        .add_paragraph(para(text).size(18))
}

fn header_cell(text: &str, width: usize) -> TableCell {
    TableCell::new()
        .width(width, WidthType::Dxa)
        .shading(Shading::new().shd_type(ShdType::Clear).fill("D9E2F3"))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(text).bold().size(18)))
}

/// A table with a shaded header row; widths are fractions of the text width.
pub(crate) fn table(headers: &[&str], widths: &[usize], rows: Vec<Vec<String>>) -> Table {
    let total: usize = widths.iter().sum();
    let w: Vec<usize> = widths.iter().map(|x| TEXT_WIDTH * x / total).collect();
    let mut out = vec![TableRow::new(
        headers
            .iter()
            .zip(&w)
            .map(|(h, w)| header_cell(h, *w))
            .collect(),
    )];
    for r in rows {
        out.push(TableRow::new(
            r.iter().zip(&w).map(|(c, w)| cell(c, *w)).collect(),
        ));
    }
    Table::new(out)
        .set_grid(w)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

pub(crate) fn render(spec: &Spec) -> Result<Vec<u8>, ExportError> {
    let l = spec.labels;
    let paren = |s: &str| crate::markdown::paren(spec, s);
    let mut doc = a4_document();

    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(Run::new().add_text(format!("{}{}", l.title, paren(&spec.system))))
            .style("Title")
            .align(AlignmentType::Center),
    );
    let mut meta = vec![
        vec![l.system.to_owned(), spec.system.clone()],
        vec![l.date.to_owned(), spec.date_wareki.clone()],
        vec![
            l.catalog.to_owned(),
            format!("{} {}", spec.catalog, spec.catalog_version),
        ],
    ];
    if !spec.overview.is_empty() {
        meta.push(vec![l.overview.to_owned(), spec.overview.clone()]);
    }
    doc = doc.add_table(table(&["", ""], &[1, 4], meta));
    doc = doc.add_paragraph(para(""));
    doc = doc.add_paragraph(para(l.intro));

    doc = doc.add_paragraph(para(&format!("1. {}", l.conditions)).style("Heading1"));
    doc = doc.add_table(table(
        &[l.id, l.condition, l.answer, l.reason],
        &[1, 5, 1, 9],
        spec.answers
            .iter()
            .map(|a| {
                vec![
                    a.id.clone(),
                    a.name.clone(),
                    a.mark.to_owned(),
                    a.reason.clone(),
                ]
            })
            .collect(),
    ));

    doc = doc.add_paragraph(para(&format!("2. {}", l.requirements)).style("Heading1"));
    doc = doc.add_paragraph(para(l.omitted_note));
    let mut n = 0;
    for section in &spec.sections {
        let shown = section.shown();
        if shown.is_empty() {
            continue;
        }
        n += 1;
        doc = doc.add_paragraph(
            para(&format!("2.{n} {}{}", section.name, paren(&section.id))).style("Heading2"),
        );
        for r in shown {
            doc = doc.add_paragraph(
                para(&format!(
                    "{} {}{}",
                    r.id,
                    r.name,
                    spec.level_tag(&r.chosen_name)
                ))
                .style("Heading3")
                .keep_next(true),
            );
            let mut p = Paragraph::new();
            for piece in &r.text {
                p = p.add_run(match piece {
                    Piece::Text(t) | Piece::Filled(t) => Run::new().add_text(t),
                    Piece::Open(label) => Run::new()
                        .add_text(spec.open_mark(label))
                        .bold()
                        .highlight("yellow"),
                });
            }
            doc = doc.add_paragraph(p);
        }
    }

    doc = doc.add_paragraph(
        para(&format!("3. {}", l.decision_table))
            .style("Heading1")
            .page_break_before(true),
    );
    doc = doc.add_table(table(
        &[
            l.id,
            l.requirement,
            l.condition,
            l.judgment,
            l.recommended,
            l.chosen,
            l.justification,
        ],
        &[3, 5, 3, 4, 2, 3, 8],
        spec.requirements()
            .map(|(_, r)| {
                vec![
                    r.id.clone(),
                    r.name.clone(),
                    r.condition.clone(),
                    r.trace.clone(),
                    r.recommended_name.clone(),
                    if r.overridden {
                        format!("{}{}", r.chosen_name, paren(l.override_mark))
                    } else {
                        r.chosen_name.clone()
                    },
                    r.justification.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    ));

    doc = doc.add_paragraph(para(&format!("4. {}", l.summary)).style("Heading1"));
    let names = Level::ALL.map(|lv| lv.name(spec.lang));
    doc = doc.add_table(table(
        &[l.category, names[0], names[1], names[2], names[3], l.total],
        &[5, 2, 2, 2, 2, 2],
        spec.counts
            .iter()
            .map(|c| {
                let mut row = vec![format!("{}{}", c.name, paren(&c.category))];
                row.extend(c.levels.iter().map(|v| v.to_string()));
                row.push(c.total.to_string());
                row
            })
            .collect(),
    ));
    doc = doc.add_paragraph(para(&format!("{}: {}", l.overrides, spec.overrides)));

    doc = doc.add_paragraph(para(&format!("5. {}", l.open_placeholders)).style("Heading1"));
    if spec.open_placeholders.is_empty() {
        doc = doc.add_paragraph(para(l.no_open_placeholders));
    }
    for p in &spec.open_placeholders {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(format!("・{} {}: ", p.requirement, p.name)))
                .add_run(
                    Run::new()
                        .add_text(spec.open_mark(&p.label))
                        .bold()
                        .highlight("yellow"),
                ),
        );
    }

    pack(doc)
}

/// An empty A4 document with 20 mm margins, the Japanese fonts and the heading styles
/// (Title, Heading1–3) every mamori document uses.
pub(crate) fn a4_document() -> Docx {
    Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN),
        )
        .default_fonts(
            RunFonts::new()
                .east_asia(FONT_JA)
                .ascii(FONT_JA)
                .hi_ansi(FONT_JA),
        )
        .default_size(21)
        .add_style(heading("Title", "Title", 36))
        .add_style(heading("Heading1", "heading 1", 28).outline_lvl(0))
        .add_style(heading("Heading2", "heading 2", 24).outline_lvl(1))
        .add_style(heading("Heading3", "heading 3", 22).outline_lvl(2))
}

/// The .docx bytes of a finished document.
pub(crate) fn pack(doc: Docx) -> Result<Vec<u8>, ExportError> {
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .map_err(|e| ExportError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}
