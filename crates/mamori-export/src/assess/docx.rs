//! The assessment report as a Word document for the 総括責任者.

use docx_rs::{
    AlignmentType, Paragraph, Pic, Run, Shading, ShdType, Table, TableCell, TableRow, WidthType,
};
use mamori_assess::{Coverage, Outcome, State};

use super::{AssessmentReport, View};
use crate::ExportError;
use crate::docx::{a4_document, pack, para};
use crate::map::{circled, status_colours, svg_to_png};

/// A4 portrait text width with 20 mm margins, in twentieths of a point.
const TEXT_WIDTH: usize = 11906 - 2 * 1134;
/// The same in EMU (170 mm).
const TEXT_WIDTH_EMU: u32 = 170 * 36_000;

/// A table cell: text (lines become paragraphs), an optional fill and text colour.
struct Cell {
    text: String,
    fill: Option<&'static str>,
    ink: Option<&'static str>,
    bold: bool,
}

impl Cell {
    fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            fill: None,
            ink: None,
            bold: false,
        }
    }

    fn coloured(text: impl Into<String>, fill: &'static str, ink: &'static str) -> Cell {
        Cell {
            text: text.into(),
            fill: Some(fill),
            ink: Some(ink),
            bold: true,
        }
    }
}

fn outcome_cell(o: Outcome, lang: mamori_catalog::Lang) -> Cell {
    let (fill, ink) = match o {
        Outcome::Compliant => ("E2F0D9", "000000"),
        Outcome::Partial => ("FFF2CC", "000000"),
        Outcome::NonCompliant => ("F8CBAD", "000000"),
        Outcome::NotApplicable => ("EDEDED", "000000"),
        Outcome::NotAssessed => ("D9D9D9", "000000"),
    };
    Cell::coloured(o.name(lang), fill, ink)
}

fn coverage_cell(c: Coverage, lang: mamori_catalog::Lang) -> Cell {
    let (fill, ink) = status_colours(c);
    Cell::coloured(
        c.name(lang),
        fill.trim_start_matches('#'),
        ink.trim_start_matches('#'),
    )
}

fn make_cell(c: &Cell, width: usize, header: bool) -> TableCell {
    let mut cell = TableCell::new().width(width, WidthType::Dxa);
    let fill = if header { Some("D9E2F3") } else { c.fill };
    if let Some(f) = fill {
        cell = cell.shading(Shading::new().shd_type(ShdType::Clear).fill(f));
    }
    let lines: Vec<&str> = if c.text.is_empty() {
        vec![""]
    } else {
        c.text.lines().collect()
    };
    for line in lines {
        let mut run = Run::new().add_text(line).size(18);
        if header || c.bold {
            run = run.bold();
        }
        if let Some(ink) = c.ink {
            run = run.color(ink);
        }
        cell = cell.add_paragraph(Paragraph::new().add_run(run));
    }
    cell
}

/// A table with a shaded header row; widths are fractions of the text width.
fn grid(headers: &[&str], widths: &[usize], rows: Vec<Vec<Cell>>) -> Table {
    let total: usize = widths.iter().sum::<usize>().max(1);
    let w: Vec<usize> = widths.iter().map(|x| TEXT_WIDTH * x / total).collect();
    let mut out = vec![
        TableRow::new(
            headers
                .iter()
                .zip(&w)
                .map(|(h, w)| make_cell(&Cell::plain(*h), *w, true))
                .collect(),
        )
        .cant_split(),
    ];
    for r in rows {
        out.push(TableRow::new(
            r.iter()
                .zip(&w)
                .map(|(c, w)| make_cell(c, *w, false))
                .collect(),
        ));
    }
    Table::new(out)
        .set_grid(w)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

fn plain_rows(rows: Vec<Vec<String>>) -> Vec<Vec<Cell>> {
    rows.into_iter()
        .map(|r| r.into_iter().map(Cell::plain).collect())
        .collect()
}

fn heading(n: usize, text: &str) -> Paragraph {
    para(&format!("{n}. {text}"))
        .style("Heading1")
        .keep_next(true)
}

/// The report as a Word document (A4 portrait): title, organisation and dates (with 和暦),
/// the overall result, the summary, gaps, the safety-measure map as a picture with the status
/// of each measure, PPC coverage, the LGWAN difference (with `base`), every requirement with
/// its result, comment and evidence (stale evidence flagged), the remediation plan and the
/// sign-off block.
pub fn assessment_docx(r: &AssessmentReport) -> Result<Vec<u8>, ExportError> {
    let v = View::new(r);
    let (l, lang) = (v.l, v.lang());
    let a = r.assessment;
    let mut doc = a4_document();

    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(Run::new().add_text(v.title()))
            .style("Title")
            .align(AlignmentType::Center),
    );
    doc = doc.add_paragraph(para(r.organisation).align(AlignmentType::Right));
    doc = doc
        .add_paragraph(para(&v.kv(l.generated, &v.date(r.generated))).align(AlignmentType::Right));
    // The overall result, prominently.
    let (fill, ink) = if v.compliant() {
        ("E2F0D9", "1E5631")
    } else {
        ("F8CBAD", "9C0006")
    };
    doc = doc.add_table(
        Table::new(vec![TableRow::new(vec![
            TableCell::new()
                .width(TEXT_WIDTH, WidthType::Dxa)
                .shading(Shading::new().shd_type(ShdType::Clear).fill(fill))
                .add_paragraph(
                    Paragraph::new().align(AlignmentType::Center).add_run(
                        Run::new()
                            .add_text(v.kv(l.overall, v.overall()))
                            .bold()
                            .size(36)
                            .color(ink),
                    ),
                )
                .add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_text(v.overall_line()).size(20)),
                ),
        ])])
        .set_grid(vec![TEXT_WIDTH])
        .width(TEXT_WIDTH, WidthType::Dxa),
    );
    doc = doc.add_paragraph(para(""));
    doc = doc.add_table(grid(
        &["", ""],
        &[1, 3],
        plain_rows(
            v.facts()
                .into_iter()
                .filter(|(k, _)| *k != l.overall)
                .map(|(k, val)| vec![k.to_owned(), val])
                .collect(),
        ),
    ));

    let mut n = 0;
    n += 1;
    doc = doc.add_paragraph(heading(n, l.summary));
    let mut headers = vec![l.obligation];
    headers.extend(v.tally_headers());
    doc = doc.add_table(grid(
        &headers,
        &[4, 2, 2, 2, 2, 2, 2, 2],
        plain_rows(
            v.tally_rows()
                .into_iter()
                .map(|(name, counts)| {
                    let mut row = vec![name];
                    row.extend(counts.iter().map(ToString::to_string));
                    row
                })
                .collect(),
        ),
    ));
    doc = doc.add_paragraph(para(""));
    let mut headers = vec![l.category];
    headers.extend(v.tally_headers());
    doc = doc.add_table(grid(
        &headers,
        &[4, 2, 2, 2, 2, 2, 2, 2],
        plain_rows(
            v.ev.categories
                .iter()
                .map(|c| {
                    let mut row = vec![c.group.map(|g| g.name.get(lang)).unwrap_or("—").to_owned()];
                    row.extend(Outcome::ALL.iter().map(|o| c.tally.count(*o).to_string()));
                    row.push(c.tally.met.to_string());
                    row.push(c.tally.total().to_string());
                    row
                })
                .collect(),
        ),
    ));

    n += 1;
    doc = doc.add_paragraph(heading(n, l.gaps));
    if v.ev.gaps.is_empty() {
        doc = doc.add_paragraph(para(l.no_gaps));
    } else {
        doc = doc.add_table(grid(
            &[
                l.id,
                l.title,
                l.obligation,
                l.outcome,
                l.comment,
                l.remediation,
            ],
            &[3, 5, 3, 3, 6, 6],
            v.ev.gaps
                .iter()
                .map(|g| {
                    let comment = if g.comment.is_empty() {
                        v.reason(g.reason).to_owned()
                    } else {
                        format!("{}\n{}", v.reason(g.reason), g.comment)
                    };
                    vec![
                        Cell::plain(g.item.id.clone()),
                        Cell::plain(v.item_title(g.item)),
                        Cell::plain(v.obligation(g.obligation)),
                        outcome_cell(g.outcome, lang),
                        Cell::plain(comment),
                        Cell::plain(
                            g.remediation
                                .as_ref()
                                .map(|x| v.remediation(x))
                                .unwrap_or_default(),
                        ),
                    ]
                })
                .collect(),
        ));
    }

    if let Some(svg) = v.map_svg(None) {
        n += 1;
        doc = doc.add_paragraph(heading(n, l.measures));
        match svg_to_png(&svg, 2.0) {
            Ok((png, w, h)) => {
                let height = u64::from(TEXT_WIDTH_EMU) * u64::from(h) / u64::from(w.max(1));
                let pic = Pic::new_with_dimensions(png, w, h)
                    .id("rIdMamoriMap1")
                    .size(TEXT_WIDTH_EMU, u32::try_from(height).unwrap_or(u32::MAX));
                doc = doc.add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_image(pic)),
                );
                doc = doc.add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_text(l.map).size(18)),
                );
            }
            Err(e) => {
                doc = doc.add_paragraph(para(&e.to_string()));
            }
        }
        doc = doc.add_table(grid(
            &[l.number, l.measure, l.requirement, l.status],
            &[1, 6, 5, 2],
            v.statuses
                .iter()
                .map(|s| {
                    vec![
                        Cell::plain(circled(s.number)),
                        Cell::plain(s.measure.name.get(lang)),
                        Cell::plain(s.items.join(", ")),
                        coverage_cell(s.status, lang),
                    ]
                })
                .collect(),
        ));
    }

    if let (Some(cov), Some(ppc)) = (&v.ppc, r.ppc) {
        n += 1;
        doc = doc.add_paragraph(heading(n, l.ppc));
        doc = doc.add_table(grid(
            &[l.id, l.measure, l.via, l.implementing, l.coverage],
            &[2, 5, 2, 7, 3],
            cov.iter()
                .map(|c| {
                    let cat = ppc
                        .category_of(c.measure)
                        .map(|g| format!("{}\n", g.name.get(lang)))
                        .unwrap_or_default();
                    vec![
                        Cell::plain(c.measure.id.clone()),
                        Cell::plain(format!("{cat}{}", c.measure.title.get(lang))),
                        Cell::plain(View::circled_list(&c.via_measures)),
                        Cell::plain(v.implementing(c)),
                        coverage_cell(c.status, lang),
                    ]
                })
                .collect(),
        ));
    }

    if let Some(summary) = v.diff_summary() {
        n += 1;
        doc = doc.add_paragraph(heading(n, l.diff));
        doc = doc.add_paragraph(para(&summary));
        doc = doc.add_table(grid(
            &[
                l.kind,
                l.id,
                l.title,
                l.obligation,
                l.base_id,
                l.base_title,
                l.base_obligation,
                l.obligation_differs,
            ],
            &[5, 3, 7, 3, 3, 7, 3, 3],
            v.diff_rows()
                .into_iter()
                .map(|row| {
                    let differs = !row[7].is_empty();
                    row.into_iter()
                        .enumerate()
                        .map(|(k, text)| match k {
                            7 if differs => Cell::coloured(text, "FFF2CC", "000000"),
                            _ => Cell::plain(text),
                        })
                        .collect()
                })
                .collect(),
        ));
    }

    // Every requirement with its result, comment and evidence (stale evidence flagged).
    n += 1;
    doc = doc.add_paragraph(heading(n, l.requirements));
    doc = doc.add_table(grid(
        &[
            l.id,
            l.title,
            l.obligation,
            l.outcome,
            l.comment,
            l.evidence,
            l.stale,
        ],
        &[15, 30, 15, 18, 35, 35, 22],
        r.catalog
            .items
            .iter()
            .map(|item| {
                let (_, titles, stale) = v.evidence_lines(item);
                let comment = a
                    .result_ref(&item.id)
                    .map(|x| x.comment.clone())
                    .unwrap_or_default();
                let stale = if stale.is_empty() {
                    Cell::plain(stale)
                } else {
                    Cell::coloured(stale, "FFF2CC", "000000")
                };
                vec![
                    Cell::plain(item.id.clone()),
                    Cell::plain(v.item_title(item)),
                    Cell::plain(v.obligation(item.obligation)),
                    outcome_cell(a.outcome(&item.id), lang),
                    Cell::plain(comment),
                    Cell::plain(titles),
                    stale,
                ]
            })
            .collect(),
    ));

    n += 1;
    doc = doc.add_paragraph(heading(n, l.plan));
    if v.plan.is_empty() {
        doc = doc.add_paragraph(para(l.no_plan));
    } else {
        doc = doc.add_table(grid(
            &[l.due, l.id, l.title, l.remediation, l.owner, l.status],
            &[4, 2, 4, 6, 3, 2],
            v.plan
                .iter()
                .map(|(item, rem)| {
                    vec![
                        Cell::plain(rem.due.map(|d| v.date(d)).unwrap_or_else(|| "—".into())),
                        Cell::plain(item.id.clone()),
                        Cell::plain(v.item_title(item)),
                        Cell::plain(rem.action.clone()),
                        Cell::plain(rem.owner.clone()),
                        Cell::plain(rem.status.name(lang)),
                    ]
                })
                .collect(),
        ));
    }

    n += 1;
    doc = doc.add_paragraph(heading(n, l.signoff));
    let blank = |role: &str| {
        vec![
            role.to_owned(),
            String::new(),
            l.blank_date.to_owned(),
            String::new(),
        ]
    };
    if let Some(line) = v.approval() {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(line).bold()));
    }
    let rows = match (a.state, &a.signed_by) {
        (State::SignedOff, Some(by)) => vec![
            vec![
                l.ciso.to_owned(),
                by.clone(),
                v.signed_date(),
                String::new(),
            ],
            blank(l.chief),
        ],
        _ => vec![blank(l.chief), blank(l.ciso)],
    };
    doc = doc.add_table(grid(
        &[l.role, l.name, l.sign_date, l.seal],
        &[4, 4, 4, 1],
        plain_rows(rows),
    ));
    pack(doc)
}
