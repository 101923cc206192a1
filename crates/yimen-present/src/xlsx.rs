//! Excel workbooks (.xlsx, Office Open XML) written by rust_xlsxwriter: the per-ticket export
//! and the reports, for the supervisor who sends figures up in a spreadsheet. Headers and
//! values in the interface language; ID numbers, phones and queue numbers as text cells (no
//! digit is ever lost); times as real Excel date-times in the hall's local time; a frozen,
//! filtered header row; column widths that count a Chinese character as two.

use rust_xlsxwriter::{Chart, ChartType, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use time::{Date, PrimitiveDateTime};

use crate::export::Cell;
use crate::render::Section;
use yimen_app::report::Header;
use yimen_domain::Lang;
use yimen_domain::text::escape_for_output;

fn err(e: XlsxError) -> String {
    format!("xlsx: {e}")
}

/// The formats a workbook uses, made once.
struct Formats {
    head: Format,
    text: Format,
    moment: Format,
    day: Format,
    percent: Format,
    title: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            head: Format::new().set_bold().set_background_color(0xDDEBF7).set_border_bottom(FormatBorder::Thin),
            // "@": the cell stays text when someone edits it.
            text: Format::new().set_num_format("@"),
            moment: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            day: Format::new().set_num_format("yyyy-mm-dd"),
            percent: Format::new().set_num_format("0.0%"),
            title: Format::new().set_bold().set_font_size(14),
        }
    }
}

fn day(d: Date) -> Result<ExcelDateTime, XlsxError> {
    // Excel's calendar starts in 1900; a year beyond u16 cannot occur in a hall's records.
    ExcelDateTime::from_ymd(u16::try_from(d.year()).unwrap_or(1900), u8::from(d.month()), d.day())
}

fn moment(t: PrimitiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    day(t.date())?.and_hms(u16::from(t.hour()), t.minute(), t.second())
}

/// Column width in Excel's units (about one digit's width): the widest cell in terminal
/// cells, where a Chinese character counts two, plus a margin; at most 60.
fn width_of<'a>(cells: impl Iterator<Item = &'a str>) -> f64 {
    let w = cells.map(crate::width).max().unwrap_or(0).clamp(4, 60);
    w as f64 + 2.0
}

/// A worksheet name Excel accepts: no `[]:*?/\`, at most 31 characters, not yet used.
fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let base: String =
        title.chars().filter(|c| !"[]:*?/\\'".contains(*c) && !c.is_control()).take(28).collect::<String>();
    let base = if base.trim().is_empty() { "Sheet".to_string() } else { base.trim().to_string() };
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        name = format!("{base}{n}");
        n += 1;
    }
    used.push(name.clone());
    name
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, f: &Formats) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            ws.write_string(row, col, escape_for_output(s, false))?;
        }
        Cell::Digits(s) => {
            ws.write_string_with_format(row, col, escape_for_output(s, false), &f.text)?;
        }
        Cell::Number(n) => {
            ws.write_number(row, col, *n)?;
        }
        Cell::Moment(t) => {
            ws.write_datetime_with_format(row, col, moment(*t)?, &f.moment)?;
        }
        Cell::Day(d) => {
            ws.write_datetime_with_format(row, col, day(*d)?, &f.day)?;
        }
    }
    Ok(())
}

/// A table on a sheet: the header row at `top`, frozen and filtered, then the rows; widths
/// fitted to the widest cells. Returns the last row written.
fn table(ws: &mut Worksheet, top: u32, head: &[String], rows: &[Vec<Cell>], f: &Formats) -> Result<u32, XlsxError> {
    for (i, h) in head.iter().enumerate() {
        ws.write_string_with_format(top, col(i), h, &f.head)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, c) in row.iter().enumerate() {
            write_cell(ws, top + 1 + r as u32, col(i), c, f)?;
        }
    }
    let last = top + rows.len() as u32;
    ws.set_freeze_panes(top + 1, 0)?;
    // Printed as people expect: A4 landscape, as wide as one page, the header on every page.
    ws.set_paper_size(9).set_landscape().set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(top, top)?;
    if !head.is_empty() {
        ws.autofilter(top, 0, last, col(head.len() - 1))?;
    }
    for (i, h) in head.iter().enumerate() {
        let shown: Vec<String> = rows.iter().filter_map(|r| r.get(i)).map(Cell::shown).collect();
        // The filter button takes about two characters beside the header.
        let w = width_of(shown.iter().map(String::as_str).chain([format!("{h}  ").as_str()]));
        ws.set_column_width(col(i), w)?;
    }
    Ok(last)
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// The per-ticket export as a workbook: one sheet, the people's table (`head` and `rows` from
/// [`crate::export::people`]).
///
/// # Errors
/// The writer's, as one line.
pub fn export(sheet: &str, head: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, String> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(sheet, &mut Vec::new())).map_err(err)?;
    table(ws, 0, head, rows, &f).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// A report cell typed for a spreadsheet: a count or a mean as a number, a share ("85.0%") as
/// a percentage, a day as a date; a label, a queue number or "-" as text. The first column
/// holds labels and stays text.
fn report_cell(s: &str, first: bool) -> Cell {
    if s.is_empty() {
        return Cell::Empty;
    }
    if !first {
        let plain = s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            && s.bytes().any(|b| b.is_ascii_digit())
            && !(s.len() > 1 && s.starts_with('0') && !s.starts_with("0."))
            && s.len() <= 15
            // A code or an ID number stays text, whole.
            && !crate::export::digits_at_risk(s);
        if plain && let Ok(n) = s.parse::<f64>() {
            return Cell::Number(n);
        }
        if let Some(p) = s.strip_suffix('%')
            && let Ok(n) = p.parse::<f64>()
        {
            return Cell::Number(n / 100.0);
        }
    }
    if s.len() == 10
        && let Ok(d) = Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
    {
        return Cell::Day(d);
    }
    if crate::export::digits_at_risk(s) { Cell::Digits(s.into()) } else { Cell::Text(s.into()) }
}

/// A report as a workbook: a first sheet with the hall, the period, who printed it and when,
/// the calendar's warning and the audit anchor (chain length and head, records digest); then
/// one sheet per section, with a column chart where the section asks for one (by category,
/// arrivals by hour).
///
/// # Errors
/// The writer's, as one line.
pub fn report(title: &str, when: &str, header: &Header, sections: &[Section], lang: Lang) -> Result<Vec<u8>, String> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let mut used = Vec::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(lang.pick("报告信息", "About"), &mut used)).map_err(err)?;
        ws.set_paper_size(9).set_print_fit_to_pages(1, 0);
        ws.write_string_with_format(
            0,
            0,
            escape_for_output(&format!("{} {title} {when}", header.hall), false),
            &f.title,
        )
        .map_err(err)?;
        let mut rows: Vec<(&str, String)> = vec![
            (lang.pick("大厅", "Hall"), header.hall.clone()),
            (lang.pick("报告", "Report"), title.to_string()),
            (lang.pick("期间", "Period"), when.to_string()),
            (lang.pick("打印时间", "Printed at"), header.printed_at.clone()),
            (lang.pick("打印人", "Printed by"), header.printed_by.clone().unwrap_or_else(|| "-".into())),
            (lang.pick("审计链事件数", "Audit chain events"), header.chain_events.to_string()),
            (lang.pick("审计链头", "Audit chain head"), header.chain_head.clone()),
            (lang.pick("数据摘要", "Records digest"), header.sources.clone()),
        ];
        if let Some(n) = &header.calendar_note {
            rows.push((lang.pick("提示", "Note"), n.clone()));
        }
        for (i, (k, v)) in rows.iter().enumerate() {
            let r = 2 + i as u32;
            ws.write_string_with_format(r, 0, *k, &f.head).map_err(err)?;
            ws.write_string_with_format(r, 1, escape_for_output(v, false), &f.text).map_err(err)?;
        }
        ws.set_column_width(0, width_of(rows.iter().map(|(k, _)| *k))).map_err(err)?;
        ws.set_column_width(1, width_of(rows.iter().map(|(_, v)| v.as_str()))).map_err(err)?;
    }
    for sec in sections {
        let name = sheet_name(&sec.title, &mut used);
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(err)?;
        let rows: Vec<Vec<Cell>> =
            sec.rows.iter().map(|r| r.iter().enumerate().map(|(i, c)| report_cell(c, i == 0)).collect()).collect();
        table(ws, 0, &sec.head, &rows, &f).map_err(err)?;
        // Shares are written again with a percentage format.
        for (r, row) in sec.rows.iter().enumerate() {
            for (i, c) in row.iter().enumerate() {
                if i > 0
                    && c.ends_with('%')
                    && let Cell::Number(n) = rows[r][i]
                {
                    ws.write_number_with_format(1 + r as u32, col(i), n, &f.percent).map_err(err)?;
                }
            }
        }
        if sec.chart && !sec.rows.is_empty() {
            let last = sec.rows.len() as u32;
            let mut chart = Chart::new(ChartType::Column);
            chart.title().set_name(&sec.title);
            for i in 1..sec.head.len() {
                if rows.iter().all(|r| matches!(r.get(i), Some(Cell::Number(_)) | Some(Cell::Empty) | None)) {
                    chart
                        .add_series()
                        .set_name((name.as_str(), 0, col(i)))
                        .set_categories((name.as_str(), 1, 0, last, 0))
                        .set_values((name.as_str(), 1, col(i), last, col(i)));
                }
            }
            ws.insert_chart(1, col(sec.head.len() + 1), &chart).map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_cells_are_typed() {
        assert_eq!(report_cell("12", false), Cell::Number(12.0));
        assert_eq!(report_cell("12", true), Cell::Text("12".into()));
        assert_eq!(report_cell("-3", false), Cell::Number(-3.0));
        assert_eq!(report_cell("4.5", false), Cell::Number(4.5));
        assert_eq!(report_cell("85.0%", false), Cell::Number(0.85));
        assert_eq!(report_cell("-", false), Cell::Text("-".into()));
        assert_eq!(report_cell("A012", false), Cell::Text("A012".into()));
        assert_eq!(report_cell("0731", false), Cell::Digits("0731".into()));
        assert!(matches!(report_cell("2026-11-30", false), Cell::Day(_)));
        assert_eq!(report_cell("430822194706061658", false), Cell::Digits("430822194706061658".into()));
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = Vec::new();
        assert_eq!(sheet_name("超期在办件（按 2026-11-30 的情况）", &mut used), "超期在办件（按 2026-11-30 的情况）");
        assert_eq!(sheet_name("a/b:c", &mut used), "abc");
        assert_eq!(sheet_name("ABC", &mut used), "ABC2");
        assert_eq!(sheet_name("[]", &mut used), "Sheet");
    }
}
