//! Excel rendering of the specification as a checklist: filters, frozen header, printable.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use crate::ExportError;
use crate::spec::Spec;

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E2F3))
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
}

fn body_format() -> Format {
    Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top)
}

/// Names a sheet and sets it up as a printable list: shaded header row with column widths,
/// a filter over `rows` data rows, frozen header, A4 landscape fitted to the page width, header
/// row repeated on every printed page.
pub fn setup_sheet(
    sheet: &mut Worksheet,
    name: &str,
    headers: &[(&str, f64)],
    rows: usize,
) -> Result<(), ExportError> {
    sheet.set_name(name)?;
    let header = header_format();
    for (col, (title, width)) in headers.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_with_format(0, col, *title, &header)?;
        sheet.set_column_width(col, *width)?;
    }
    let last_col = u16::try_from(headers.len().saturating_sub(1)).unwrap_or(0);
    let last_row = u32::try_from(rows).unwrap_or(u32::MAX);
    sheet.autofilter(0, 0, last_row, last_col)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

pub(crate) fn render(spec: &Spec) -> Result<Vec<u8>, ExportError> {
    let l = spec.labels;
    let body = body_format();
    let mut wb = Workbook::new();

    let reqs: Vec<_> = spec.requirements().collect();
    let sheet = wb.add_worksheet();
    setup_sheet(
        sheet,
        l.checklist,
        &[
            (l.id, 9.0),
            (l.category, 14.0),
            (l.requirement, 22.0),
            (l.condition, 10.0),
            (l.judgment, 16.0),
            (l.recommended, 10.0),
            (l.chosen, 10.0),
            (l.justification, 40.0),
            (l.text, 80.0),
        ],
        reqs.len(),
    )?;
    sheet.set_header(format!("&L{}&R{}", spec.system, spec.date_wareki));
    sheet.set_footer("&C&P / &N");
    for (i, (section, r)) in reqs.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let cells = [
            r.id.clone(),
            format!("{} {}", section.id, section.name),
            r.name.clone(),
            r.condition.clone(),
            r.trace.clone(),
            r.recommended_name.clone(),
            r.chosen_name.clone(),
            r.justification.clone().unwrap_or_default(),
            r.plain_text(),
        ];
        for (col, v) in cells.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            sheet.write_with_format(row, col, v.as_str(), &body)?;
        }
    }

    let sheet = wb.add_worksheet();
    setup_sheet(
        sheet,
        l.conditions,
        &[
            (l.id, 6.0),
            (l.condition, 24.0),
            (l.answer, 8.0),
            (l.reason, 80.0),
        ],
        spec.answers.len(),
    )?;
    for (i, a) in spec.answers.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        sheet.write_with_format(row, 0, a.id.as_str(), &body)?;
        sheet.write_with_format(row, 1, a.name.as_str(), &body)?;
        sheet.write_with_format(row, 2, a.mark, &body)?;
        sheet.write_with_format(row, 3, a.reason.as_str(), &body)?;
    }

    let sheet = wb.add_worksheet();
    setup_sheet(
        sheet,
        l.open_placeholders,
        &[(l.id, 9.0), (l.requirement, 24.0), (l.to_fill, 40.0)],
        spec.open_placeholders.len(),
    )?;
    for (i, p) in spec.open_placeholders.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        sheet.write_with_format(row, 0, p.requirement.as_str(), &body)?;
        sheet.write_with_format(row, 1, p.name.as_str(), &body)?;
        sheet.write_with_format(row, 2, p.label.as_str(), &body)?;
    }

    Ok(wb.save_to_buffer()?)
}
