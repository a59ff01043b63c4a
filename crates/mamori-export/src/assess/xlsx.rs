//! The assessment report as an Excel workbook: one printable sheet per view.

use mamori_assess::Outcome;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};

use super::{AssessmentReport, View};
use crate::ExportError;
use crate::xlsx::setup_sheet;

fn row(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// Text for an Excel page header: `&` is a control character there.
fn header_text(s: &str) -> String {
    s.replace('&', "&&")
}

fn wrap() -> Format {
    Format::new().set_text_wrap().set_border(FormatBorder::Thin)
}

/// The result cell: light green, amber, red or grey behind the outcome.
fn outcome_format(o: Outcome) -> Format {
    let fill = match o {
        Outcome::Compliant => 0xE2F0D9,
        Outcome::Partial => 0xFFF2CC,
        Outcome::NonCompliant => 0xF8CBAD,
        Outcome::NotApplicable => 0xEDEDED,
        Outcome::NotAssessed => 0xD9D9D9,
    };
    wrap().set_background_color(Color::RGB(fill))
}

fn write_row(
    sheet: &mut Worksheet,
    r: u32,
    cells: &[String],
    f: &Format,
) -> Result<(), ExportError> {
    for (c, v) in cells.iter().enumerate() {
        sheet.write_with_format(r, col(c), v.as_str(), f)?;
    }
    Ok(())
}

/// Page header and footer: organisation, title, report date; page numbers.
fn page_marks(sheet: &mut Worksheet, v: &View) {
    sheet.set_header(format!(
        "&L{}&C{}&R{}",
        header_text(v.r.organisation),
        header_text(&v.title()),
        header_text(&v.date(v.r.generated))
    ));
    sheet.set_footer("&C&P / &N");
}

/// The report as an Excel workbook: 概要, ギャップ, 分類別, 要件一覧, PPC対応 (with `ppc`),
/// LGWAN差分 (with `base`), 是正計画. Sheet names are English when `lang` is English.
pub fn assessment_xlsx(r: &AssessmentReport) -> Result<Vec<u8>, ExportError> {
    let v = View::new(r);
    let l = v.l;
    let lang = v.lang();
    let body = wrap();
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E2F3))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let mut wb = Workbook::new();

    // 概要: facts, tallies by 区分 × outcome, the numbered measures.
    let sheet = wb.add_worksheet();
    sheet.set_name(l.summary)?;
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    page_marks(sheet, &v);
    sheet.set_column_width(0, 24.0)?;
    for c in 1..8 {
        sheet.set_column_width(c, 12.0)?;
    }
    sheet.write_with_format(0, 0, v.title().as_str(), &bold.clone().set_font_size(14))?;
    let mut y = 2u32;
    let overall = if v.compliant() {
        body.clone()
            .set_bold()
            .set_background_color(Color::RGB(0xE2F0D9))
    } else {
        body.clone()
            .set_bold()
            .set_background_color(Color::RGB(0xF8CBAD))
    };
    for (k, val) in v.facts() {
        sheet.write_with_format(y, 0, k, &head)?;
        let f = if k == l.overall { &overall } else { &body };
        sheet.merge_range(y, 1, y, 7, val.as_str(), f)?;
        y += 1;
    }
    y += 1;
    sheet.write_with_format(y, 0, l.obligation, &head)?;
    for (c, h) in v.tally_headers().iter().enumerate() {
        sheet.write_with_format(y, col(c + 1), *h, &head)?;
    }
    y += 1;
    for (name, counts) in v.tally_rows() {
        sheet.write_with_format(y, 0, name.as_str(), &head)?;
        for (c, n) in counts.iter().enumerate() {
            sheet.write_with_format(y, col(c + 1), *n as f64, &body)?;
        }
        y += 1;
    }
    if !v.statuses.is_empty() {
        y += 1;
        sheet.write_with_format(y, 0, l.measures, &bold)?;
        y += 1;
        sheet.write_with_format(y, 0, l.number, &head)?;
        sheet.merge_range(y, 1, y, 4, l.measure, &head)?;
        sheet.merge_range(y, 5, y, 6, l.requirement, &head)?;
        sheet.write_with_format(y, 7, l.status, &head)?;
        y += 1;
        for s in &v.statuses {
            sheet.write_with_format(y, 0, crate::map::circled(s.number).as_str(), &body)?;
            sheet.merge_range(y, 1, y, 4, s.measure.name.get(lang), &body)?;
            sheet.merge_range(y, 5, y, 6, s.items.join(", ").as_str(), &body)?;
            let (fill, _) = crate::map::status_colours(s.status);
            let fill = u32::from_str_radix(fill.trim_start_matches('#'), 16).unwrap_or(0xFFFFFF);
            let f = body
                .clone()
                .set_background_color(Color::RGB(fill))
                .set_font_color(
                    if matches!(
                        s.status,
                        mamori_assess::Coverage::Met
                            | mamori_assess::Coverage::NotMet
                            | mamori_assess::Coverage::NotAssessed
                    ) {
                        Color::White
                    } else {
                        Color::Black
                    },
                );
            sheet.write_with_format(y, 7, s.status.name(lang), &f)?;
            y += 1;
        }
    }
    if !v.ev.unknown_items.is_empty() {
        y += 1;
        sheet.write_with_format(y, 0, l.unknown_items, &head)?;
        sheet.merge_range(y, 1, y, 7, v.ev.unknown_items.join(", ").as_str(), &body)?;
    }

    // ギャップ: 必須 first, then 推奨, then 必要に応じて検討.
    let sheet = wb.add_worksheet();
    setup_sheet(
        sheet,
        l.gaps,
        &[
            (l.id, 8.0),
            (l.category, 14.0),
            (l.title, 30.0),
            (l.obligation, 12.0),
            (l.outcome, 12.0),
            (l.reason, 16.0),
            (l.comment, 40.0),
            (l.remediation, 44.0),
        ],
        v.ev.gaps.len(),
    )?;
    page_marks(sheet, &v);
    for (i, g) in v.ev.gaps.iter().enumerate() {
        let y = row(i + 1);
        write_row(
            sheet,
            y,
            &[
                g.item.id.clone(),
                v.category(g.item),
                v.item_title(g.item),
                v.obligation(g.obligation).to_owned(),
            ],
            &body,
        )?;
        sheet.write_with_format(y, 4, g.outcome.name(lang), &outcome_format(g.outcome))?;
        sheet.write_with_format(y, 5, v.reason(g.reason), &body)?;
        sheet.write_with_format(y, 6, g.comment.as_str(), &body)?;
        let rem = g
            .remediation
            .as_ref()
            .map(|x| v.remediation(x))
            .unwrap_or_default();
        sheet.write_with_format(y, 7, rem.as_str(), &body)?;
    }

    // 分類別.
    let sheet = wb.add_worksheet();
    let mut headers: Vec<(&str, f64)> = vec![(l.category, 24.0)];
    headers.extend(v.tally_headers().into_iter().map(|h| (h, 11.0)));
    headers.push((l.blocking, 12.0));
    setup_sheet(sheet, l.by_category, &headers, v.ev.categories.len())?;
    page_marks(sheet, &v);
    for (i, c) in v.ev.categories.iter().enumerate() {
        let y = row(i + 1);
        let name = c.group.map(|g| g.name.get(lang)).unwrap_or("—");
        sheet.write_with_format(y, 0, name, &body)?;
        let required = &c.by_obligation[0];
        let mut counts: Vec<usize> = Outcome::ALL.iter().map(|o| c.tally.count(*o)).collect();
        counts.push(c.tally.met);
        counts.push(c.tally.total());
        counts.push(required.total() - required.met);
        for (k, n) in counts.iter().enumerate() {
            sheet.write_with_format(y, col(k + 1), *n as f64, &body)?;
        }
    }

    // 要件一覧.
    let sheet = wb.add_worksheet();
    setup_sheet(
        sheet,
        l.requirements,
        &[
            (l.id, 8.0),
            (l.category, 12.0),
            (l.subcategory, 16.0),
            (l.title, 28.0),
            (l.requirement, 50.0),
            (l.obligation, 12.0),
            (l.outcome, 12.0),
            (l.comment, 36.0),
            (l.evidence_count, 8.0),
            (l.evidence, 36.0),
            (l.stale, 24.0),
            (l.remediation, 36.0),
        ],
        r.catalog.items.len(),
    )?;
    page_marks(sheet, &v);
    for (i, item) in r.catalog.items.iter().enumerate() {
        let y = row(i + 1);
        let res = r.assessment.result(&item.id);
        write_row(
            sheet,
            y,
            &[
                item.id.clone(),
                v.category(item),
                v.subcategory(item),
                v.item_title(item),
                v.requirement_text(item),
                v.obligation(item.obligation).to_owned(),
            ],
            &body,
        )?;
        sheet.write_with_format(y, 6, res.outcome.name(lang), &outcome_format(res.outcome))?;
        sheet.write_with_format(y, 7, res.comment.as_str(), &body)?;
        let (n, titles, stale) = v.evidence_lines(item);
        sheet.write_with_format(y, 8, n as f64, &body)?;
        sheet.write_with_format(y, 9, titles.as_str(), &body)?;
        sheet.write_with_format(y, 10, stale.as_str(), &body)?;
        let rem = res
            .remediation
            .as_ref()
            .map(|x| v.remediation(x))
            .unwrap_or_default();
        sheet.write_with_format(y, 11, rem.as_str(), &body)?;
    }

    // PPC対応.
    if let (Some(cov), Some(ppc)) = (&v.ppc, r.ppc) {
        let sheet = wb.add_worksheet();
        setup_sheet(
            sheet,
            l.ppc,
            &[
                (l.id, 8.0),
                (l.category, 22.0),
                (l.measure, 40.0),
                (l.via, 10.0),
                (l.implementing, 60.0),
                (l.coverage, 12.0),
            ],
            cov.len(),
        )?;
        page_marks(sheet, &v);
        for (i, c) in cov.iter().enumerate() {
            let y = row(i + 1);
            write_row(
                sheet,
                y,
                &[
                    c.measure.id.clone(),
                    ppc.category_of(c.measure)
                        .map(|g| g.name.get(lang).to_owned())
                        .unwrap_or_default(),
                    c.measure.title.get(lang).to_owned(),
                    View::circled_list(&c.via_measures),
                    v.implementing(c),
                    c.status.name(lang).to_owned(),
                ],
                &body,
            )?;
        }
    }

    // LGWAN差分.
    if v.diff.is_some() {
        let rows = v.diff_rows();
        let sheet = wb.add_worksheet();
        setup_sheet(
            sheet,
            l.diff,
            &[
                (l.kind, 20.0),
                (l.id, 8.0),
                (l.title, 30.0),
                (l.obligation, 12.0),
                (l.base_id, 8.0),
                (l.base_title, 30.0),
                (l.base_obligation, 12.0),
                (l.obligation_differs, 10.0),
            ],
            rows.len(),
        )?;
        page_marks(sheet, &v);
        for (i, cells) in rows.iter().enumerate() {
            write_row(sheet, row(i + 1), cells, &body)?;
        }
    }

    // 是正計画 (by due date, undated last).
    let sheet = wb.add_worksheet();
    setup_sheet(
        sheet,
        l.plan,
        &[
            (l.due, 26.0),
            (l.id, 8.0),
            (l.title, 30.0),
            (l.obligation, 12.0),
            (l.outcome, 12.0),
            (l.remediation, 50.0),
            (l.owner, 16.0),
            (l.status, 10.0),
        ],
        v.plan.len(),
    )?;
    page_marks(sheet, &v);
    for (i, (item, rem)) in v.plan.iter().enumerate() {
        let y = row(i + 1);
        let outcome = r.assessment.outcome(&item.id);
        write_row(
            sheet,
            y,
            &[
                rem.due.map(|d| v.date(d)).unwrap_or_else(|| "—".into()),
                item.id.clone(),
                v.item_title(item),
                v.obligation(item.obligation).to_owned(),
            ],
            &body,
        )?;
        sheet.write_with_format(y, 4, outcome.name(lang), &outcome_format(outcome))?;
        sheet.write_with_format(y, 5, rem.action.as_str(), &body)?;
        sheet.write_with_format(y, 6, rem.owner.as_str(), &body)?;
        sheet.write_with_format(y, 7, rem.status.name(lang), &body)?;
    }

    Ok(wb.save_to_buffer()?)
}
