//! The per-ticket export for spreadsheets and scripts: one row per ticket taken in a period,
//! personal data masked. CSV (optionally for Excel: a BOM, formula-looking cells escaped) or
//! JSON Lines.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Acting, DeskError, HallContext};
use yimen_domain::mask;
use yimen_domain::ticket::Ticket;

/// One exported ticket. Times are RFC 3339 in the hall's offset; ID numbers and phones masked.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Row {
    pub id: u64,
    pub number: String,
    pub date: String,
    pub category: String,
    pub item: String,
    pub item_name: String,
    pub kind: String,
    pub priority: String,
    pub status: String,
    pub window: String,
    pub clerk: String,
    pub village: String,
    pub taken_at: String,
    pub called_at: String,
    pub accepted_at: String,
    pub suspended_at: String,
    pub transferred_at: String,
    pub completed_at: String,
    pub closed_at: String,
    pub deadline: String,
    pub deferred: usize,
    pub notice: bool,
    pub rating: String,
    pub rated_at: String,
    pub id_number: String,
    pub phone: String,
    /// Whether the deadline is an estimate (a year's holidays not imported), as the
    /// calendar is now (`Ticket::deadline_estimated`).
    pub deadline_estimated: bool,
    /// An open case's working days left at the export's moment (negative: overdue; a
    /// suspended case's as when suspended), as every screen and report counts them.
    pub working_days_left: Option<i64>,
}

pub const COLUMNS: [&str; 28] = [
    "id",
    "number",
    "date",
    "category",
    "item",
    "item_name",
    "kind",
    "priority",
    "status",
    "window",
    "clerk",
    "village",
    "taken_at",
    "called_at",
    "accepted_at",
    "suspended_at",
    "transferred_at",
    "completed_at",
    "closed_at",
    "deadline",
    "deferred",
    "notice",
    "rating",
    "rated_at",
    "id_number",
    "phone",
    "deadline_estimated",
    "working_days_left",
];

/// One ticket's export row, its times in the hall's offset and its numbers masked unless
/// `full_ids`.
pub fn row(desk: &dyn HallContext, t: &Ticket, full_ids: bool) -> Row {
    let ts =
        |o: Option<OffsetDateTime>| o.map(|t| yimen_domain::clock::rfc3339_local(desk.clock(), t)).unwrap_or_default();
    Row {
        id: t.id,
        number: t.number.to_string(),
        date: t.date.to_string(),
        category: t.category.clone(),
        item: t.item.clone(),
        item_name: t.item_name.clone(),
        kind: t.kind.code().into(),
        priority: t.priority.map(|p| format!("{p:?}").to_lowercase()).unwrap_or_default(),
        status: t.status.code().into(),
        window: t.window.clone().unwrap_or_default(),
        clerk: t.clerk.clone().unwrap_or_default(),
        village: t.citizen.village.clone().unwrap_or_default(),
        taken_at: ts(Some(t.taken_at)),
        called_at: ts(t.called_at),
        accepted_at: ts(t.accepted_at),
        suspended_at: ts(t.suspension.as_ref().map(|s| s.since)),
        transferred_at: ts(t.transferred_at),
        completed_at: ts(t.completed_at),
        closed_at: ts(t.closed_at),
        deadline: t.deadline.map(|d| d.date.to_string()).unwrap_or_default(),
        deferred: t.deferred.len(),
        notice: !t.notice.is_empty(),
        rating: t.rating.as_ref().map(|r| r.score.to_string()).unwrap_or_default(),
        rated_at: ts(t.rating.as_ref().map(|r| r.at)),
        id_number: t
            .citizen
            .id_number
            .as_ref()
            .map(|i| if full_ids { i.to_string() } else { mask::id_number(i.as_str()) })
            .unwrap_or_default(),
        phone: t.citizen.phone.as_ref().map(|p| mask::phone(p.as_str())).unwrap_or_default(),
        deadline_estimated: t.deadline_estimated(desk.calendar()),
        working_days_left: t.light(desk.calendar(), desk.clock().today()).map(|(_, left)| left),
    }
}

/// Tickets taken from `from` to `to`, read day by day through the day index. ID numbers are
/// masked unless `full_ids`, which a supervisor must ask for and which is recorded in the
/// audit chain.
pub fn rows(desk: &Acting<'_>, from: Date, to: Date, full_ids: bool) -> Result<Vec<Row>, DeskError> {
    desk.require_supervisor()?;
    super::check_period(from, to)?;
    if full_ids {
        desk.record_reveal(&format!("export with full ID numbers {from} ~ {to}"))?;
    }
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        out.extend(desk.list_day(d, None)?.iter().map(|t| row(desk, t, full_ids)));
        d = match d.next_day() {
            Some(n) => n,
            None => break,
        };
    }
    Ok(out)
}
