//! The per-ticket export as files. The rows themselves come from `yimen_app::report::export`.
//!
//! - CSV for machines (RFC 4180): the stable English column names of [`COLUMNS`] and codes
//!   (`yibao`, `on_the_spot`, `completed`), times in RFC 3339 with the hall's offset —
//!   documented in docs/reports.md and never translated.
//! - CSV for Excel (`--excel`): the people's table of [`people`] — headers and values in the
//!   interface language, times as `2026-11-30 11:45:41` (which spreadsheets read as times),
//!   every long digit string (an ID number, a phone, a bank card) written `="…"` so a
//!   spreadsheet keeps it as text and loses no digit; a UTF-8 byte-order mark for Excel on
//!   Chinese Windows; formula-looking text escaped.
//! - The .xlsx of [`crate::xlsx`], from the same people's table.
//! - JSON Lines, the rows as they are.

use time::{Date, PrimitiveDateTime};
use yimen_app::report::export::{COLUMNS, Row};
use yimen_domain::Lang;
use yimen_domain::catalog::{Catalog, Kind};
use yimen_domain::queue::Priority;
use yimen_domain::ticket::{Rating, Status};

use crate::render::{csv_cell, with_bom};

/// How a column's cells are typed for people (in a spreadsheet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Words (a category, a status, a name).
    Text,
    /// A string of digits that is not a number to count with: an ID number, a phone, a
    /// queue number. Always text, so no digit or leading zero is ever lost.
    Digits,
    /// A count or a score.
    Number,
    /// A moment, in the hall's local time to the second.
    Moment,
    /// A calendar day.
    Day,
}

/// One column of the people's table: its machine name (a [`COLUMNS`] entry), its headers in
/// Chinese and English, and how its cells are typed.
pub struct Column {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub kind: CellKind,
}

impl Column {
    pub fn head(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

const fn col(code: &'static str, zh: &'static str, en: &'static str, kind: CellKind) -> Column {
    Column { code, zh, en, kind }
}

/// The people's table's columns, in the order of [`COLUMNS`].
pub const TABLE: [Column; 28] = [
    col("id", "办件编号", "Ticket id", CellKind::Number),
    col("number", "排队号", "Queue number", CellKind::Digits),
    col("date", "取号日期", "Date", CellKind::Day),
    col("category", "类别", "Category", CellKind::Text),
    col("item", "事项编码", "Item code", CellKind::Digits),
    col("item_name", "事项名称", "Item", CellKind::Text),
    col("kind", "办件类型", "Kind", CellKind::Text),
    col("priority", "优先", "Priority", CellKind::Text),
    col("status", "状态", "Status", CellKind::Text),
    col("window", "窗口", "Window", CellKind::Digits),
    col("clerk", "经办人", "Clerk", CellKind::Text),
    col("village", "村（社区）", "Village", CellKind::Text),
    col("taken_at", "取号时间", "Taken at", CellKind::Moment),
    col("called_at", "叫号时间", "Called at", CellKind::Moment),
    col("accepted_at", "受理时间", "Accepted at", CellKind::Moment),
    col("suspended_at", "挂起时间", "Suspended at", CellKind::Moment),
    col("transferred_at", "转办时间", "Transferred at", CellKind::Moment),
    col("completed_at", "办结时间", "Completed at", CellKind::Moment),
    col("closed_at", "结束时间", "Closed at", CellKind::Moment),
    col("deadline", "承诺办结日期", "Promised by", CellKind::Day),
    col("deferred", "容缺材料数", "Deferred materials", CellKind::Number),
    col("notice", "一次性告知", "One-time notice", CellKind::Text),
    col("rating", "评价", "Rating", CellKind::Number),
    col("rated_at", "评价时间", "Rated at", CellKind::Moment),
    col("id_number", "身份证号码", "ID number", CellKind::Digits),
    col("phone", "联系电话", "Phone", CellKind::Digits),
    col("deadline_estimated", "期限为估算", "Deadline estimated", CellKind::Text),
    col("working_days_left", "剩余工作日", "Working days left", CellKind::Number),
];

/// A cell of the people's table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// Digits kept as text (see [`CellKind::Digits`]).
    Digits(String),
    Number(f64),
    Moment(PrimitiveDateTime),
    Day(Date),
}

impl Cell {
    /// The cell as a spreadsheet shows it (times to the second, no offset).
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::Digits(s) => s.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Moment(t) => format!("{} {:02}:{:02}:{:02}", t.date(), t.hour(), t.minute(), t.second()),
            Cell::Day(d) => d.to_string(),
        }
    }
}

/// The people's headers in `lang`.
pub fn people_head(lang: Lang) -> Vec<String> {
    TABLE.iter().map(|c| c.head(lang).to_string()).collect()
}

/// The rows as people read them, in `lang`: a category's, kind's, priority's and status's
/// name instead of its code, the item's name as the catalog gives it in `lang`, 是/否 for a
/// flag, times in the hall's local time to the second (the rows carry the hall's offset).
pub fn people(rows: &[Row], catalog: &Catalog, lang: Lang) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| {
            let v = serde_json::to_value(r).unwrap_or_default();
            TABLE
                .iter()
                .map(|c| {
                    let raw = match &v[c.code] {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    people_cell(c, &raw, r, catalog, lang)
                })
                .collect()
        })
        .collect()
}

fn people_cell(c: &Column, raw: &str, r: &Row, catalog: &Catalog, lang: Lang) -> Cell {
    if raw.is_empty() {
        return Cell::Empty;
    }
    let yes_no = |b: bool| Cell::Text(if b { lang.pick("是", "yes") } else { lang.pick("否", "no") }.into());
    match c.code {
        "category" => {
            Cell::Text(catalog.category(raw).map(|k| k.display_name(lang).to_string()).unwrap_or_else(|| raw.into()))
        }
        "item_name" => Cell::Text(catalog.item_label(&r.item, raw, lang)),
        "kind" => Cell::Text(
            [Kind::OnTheSpot, Kind::Promised]
                .into_iter()
                .find(|k| k.code() == raw)
                .map(|k| k.label(lang).to_string())
                .unwrap_or_else(|| raw.into()),
        ),
        "priority" => Cell::Text(
            Priority::ALL
                .into_iter()
                .find(|p| format!("{p:?}").to_lowercase() == raw)
                .map(|p| p.label(lang).to_string())
                .unwrap_or_else(|| raw.into()),
        ),
        "status" => Cell::Text(
            Status::ALL
                .iter()
                .find(|s| s.code() == raw)
                .map(|s| s.label(lang).to_string())
                .unwrap_or_else(|| raw.into()),
        ),
        "rating" => match raw.parse::<u8>() {
            Ok(n) => Cell::Text(format!("{n} {}", Rating::level_label(n, lang))),
            Err(_) => Cell::Text(raw.into()),
        },
        "notice" => yes_no(r.notice),
        "deadline_estimated" => yes_no(r.deadline_estimated),
        _ => match c.kind {
            CellKind::Text => Cell::Text(raw.into()),
            CellKind::Digits => Cell::Digits(raw.into()),
            CellKind::Number => raw.parse().map(Cell::Number).unwrap_or_else(|_| Cell::Text(raw.into())),
            CellKind::Moment => local_moment(raw).map(Cell::Moment).unwrap_or_else(|| Cell::Text(raw.into())),
            CellKind::Day => Date::parse(raw, &time::format_description::well_known::Iso8601::DATE)
                .map(Cell::Day)
                .unwrap_or_else(|_| Cell::Text(raw.into())),
        },
    }
}

/// An RFC 3339 time written in the hall's offset, as the wall clock showed it, to the second.
fn local_moment(raw: &str) -> Option<PrimitiveDateTime> {
    let t = time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339).ok()?;
    let t = PrimitiveDateTime::new(t.date(), t.time());
    t.replace_nanosecond(0).ok()
}

/// Whether a spreadsheet would lose something of `s` when reading it as a number: a digit
/// string of 11 digits or more (a mobile phone has 11; Excel shows 12 and more in scientific
/// notation and keeps only 15 significant digits) or one with a leading zero.
pub fn digits_at_risk(s: &str) -> bool {
    s.len() > 1 && s.bytes().all(|b| b.is_ascii_digit()) && (s.len() >= 11 || s.starts_with('0'))
}

/// A CSV cell for a spreadsheet: a digit string at risk as the text formula `="…"` (Excel and
/// LibreOffice both show the digits as text), anything else made safe by [`csv_cell`].
pub fn excel_cell(s: &str) -> String {
    if digits_at_risk(s) { format!("=\"{s}\"") } else { csv_cell(s) }
}

/// The machine CSV (`excel` false) or the people's CSV for a spreadsheet (`excel` true; see
/// the module's documentation).
///
/// # Errors
/// The CSV writer's, as text.
pub fn csv(rows: &[Row], excel: bool, catalog: &Catalog, lang: Lang) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if excel {
        w.write_record(people_head(lang)).map_err(|e| e.to_string())?;
        for r in people(rows, catalog, lang) {
            w.write_record(r.iter().map(|c| excel_cell(&c.shown()))).map_err(|e| e.to_string())?;
        }
    } else {
        w.write_record(COLUMNS).map_err(|e| e.to_string())?;
        for r in rows {
            let v = serde_json::to_value(r).map_err(|e| e.to_string())?;
            let cells = COLUMNS.iter().map(|c| match &v[*c] {
                serde_json::Value::String(s) => csv_cell(s),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            });
            w.write_record(cells).map_err(|e| e.to_string())?;
        }
    }
    let body = w.into_inner().map_err(|e| e.to_string())?;
    Ok(with_bom(body, excel))
}

/// JSON Lines: one row per line, as the rows are.
///
/// # Errors
/// The serializer's, as text.
pub fn jsonl(rows: &[Row]) -> Result<String, String> {
    let mut out = String::new();
    for r in rows {
        out.push_str(&serde_json::to_string(r).map_err(|e| e.to_string())?);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_people_table_has_every_machine_column_in_order() {
        assert_eq!(TABLE.map(|c| c.code), COLUMNS);
    }

    #[test]
    fn long_digit_strings_are_kept_as_text() {
        assert_eq!(excel_cell("430822194706061658"), "=\"430822194706061658\"");
        assert_eq!(excel_cell("13800138000"), "=\"13800138000\"");
        assert_eq!(excel_cell("2026"), "2026");
        assert_eq!(excel_cell("07318888888"), "=\"07318888888\"");
        assert_eq!(excel_cell("6222021234567890123"), "=\"6222021234567890123\"");
        assert_eq!(excel_cell("4308**********1658"), "4308**********1658");
        assert_eq!(excel_cell("=1+1"), "'=1+1");
        assert_eq!(excel_cell("12"), "12");
    }

    #[test]
    fn moments_drop_the_offset_and_the_fraction() {
        let t = local_moment("2026-11-30T11:45:41.137748+08:00").map(|t| Cell::Moment(t).shown());
        assert_eq!(t.as_deref(), Some("2026-11-30 11:45:41"));
    }
}
