//! How a ticket maps to the keys of the index tables (see `tables`). Pure functions: the
//! store keeps its indexes through `reindex`, and the benchmark's SQLite baseline applies the
//! same `reindex`, so both sides index exactly the same things.

use time::Date;

use yimen_domain::pinyin;
use yimen_domain::ticket::{Status, Ticket};

/// A date as the Julian day number every day-keyed table uses.
pub fn julian(d: Date) -> i32 {
    d.to_julian_day()
}

/// An instant in Unix microseconds (the waiting queue's order).
fn micros(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1000) as i64
}

/// A category letter as one byte (letters are ASCII; anything else maps to `?`).
pub fn letter_byte(c: char) -> u8 {
    if c.is_ascii() { c as u8 } else { b'?' }
}

/// The days (Julian, in the hall's time) a ticket's figures count on: the day it was taken and
/// the day of each step recorded on it.
fn counted_days(t: &Ticket, offset: time::UtcOffset) -> Vec<i32> {
    let steps = [
        t.called_at,
        t.accepted_at,
        t.completed_at,
        t.closed_at,
        t.transferred_at,
        t.suspension.as_ref().map(|s| s.since),
        t.rating.as_ref().map(|r| r.at),
    ];
    std::iter::once(julian(t.date))
        .chain(steps.into_iter().flatten().map(|x| julian(yimen_domain::clock::in_offset(x, offset).date())))
        .collect()
}

/// The `waiting-1` key: day, priority rank, queued-at, id.
fn waiting_key(t: &Ticket) -> (i32, u8, i64, u64) {
    let (priority, queued, id) = t.queue_rank();
    (julian(t.date), priority, micros(queued), id)
}

/// The `followup-1` key of a bad rating awaiting follow-up.
pub fn followup_key(t: &Ticket) -> Option<(i32, u64)> {
    let due = t.rating.as_ref().filter(|r| r.awaits_follow_up())?.follow_up_due?;
    Some((julian(due), t.id))
}

/// The `open-1` key: deadline day (none last), id.
fn open_key(t: &Ticket) -> (i32, u64) {
    (t.deadline.map(|d| julian(d.date)).unwrap_or(i32::MAX), t.id)
}

/// The search tokens of a ticket; see `SEARCH`.
pub(crate) fn search_tokens(t: &Ticket) -> Vec<String> {
    let mut out = Vec::new();
    let c = &t.citizen;
    let people = c.name.iter().chain(t.proxy.as_ref().map(|p| &p.name));
    for name in people {
        out.push(format!("n:{}", name.to_lowercase()));
        out.extend(pinyin::initials(name).into_iter().map(|p| format!("y:{p}")));
        out.extend(pinyin::full(name).into_iter().map(|p| format!("f:{p}")));
    }
    if let Some(id) = &c.id_number {
        out.push(format!("i:{}", id.as_str()));
        out.push(format!("i4:{}", &id.as_str()[14..]));
    }
    if let Some(p) = &c.phone {
        let digits = p.digits();
        out.push(format!("p4:{}", &digits[digits.len().saturating_sub(4)..]));
        out.push(format!("p:{digits}"));
        // A landline is also found by its local part, without the area code.
        if let Some((_, local)) = p.as_str().split_once('-') {
            out.push(format!("p:{local}"));
        }
    }
    if let Some(v) = &c.village {
        out.push(format!("v:{v}"));
        out.extend(pinyin::initials(v).into_iter().map(|p| format!("y:{p}")));
        out.extend(pinyin::full(v).into_iter().map(|p| format!("f:{p}")));
    }
    out.sort();
    out.dedup();
    out
}

/// What a ticket's write changes in the index tables, from the ticket before (`None`: new) and
/// after. The store applies it to redb; the benchmark's SQLite baseline applies the same.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reindex {
    /// Days whose cached totals are stale now (`daytotals-1`).
    pub stale_days: Vec<i32>,
    pub waiting_out: Option<(i32, u8, i64, u64)>,
    /// The new `waiting-1` key and its category letter.
    pub waiting_in: Option<((i32, u8, i64, u64), u8)>,
    pub open_out: Option<(i32, u64)>,
    pub open_in: Option<(i32, u64)>,
    pub followup_out: Option<(i32, u64)>,
    pub followup_in: Option<(i32, u64)>,
    /// `search-1` tokens to remove and to add (each with the ticket's id).
    pub tokens_out: Vec<String>,
    pub tokens_in: Vec<String>,
}

pub fn reindex(old: Option<&Ticket>, new: &Ticket, offset: time::UtcOffset) -> Reindex {
    // Cached totals of every day this ticket counts on, before or after, are stale now.
    let mut stale_days = counted_days(new, offset);
    if let Some(o) = old {
        stale_days.extend(counted_days(o, offset));
    }
    stale_days.sort_unstable();
    stale_days.dedup();
    let (was, now) = (old.and_then(followup_key), followup_key(new));
    // Tokens derive only from the people on the ticket; most transitions leave them alone.
    let (tokens_out, tokens_in) = if old.is_some_and(|o| o.citizen == new.citizen && o.proxy == new.proxy) {
        (Vec::new(), Vec::new())
    } else {
        let old_tokens = old.map(search_tokens).unwrap_or_default();
        let new_tokens = search_tokens(new);
        (
            old_tokens.iter().filter(|t| !new_tokens.contains(t)).cloned().collect(),
            new_tokens.iter().filter(|t| !old_tokens.contains(t)).cloned().collect(),
        )
    };
    Reindex {
        stale_days,
        waiting_out: old.filter(|o| o.status == Status::Waiting).map(waiting_key),
        waiting_in: (new.status == Status::Waiting).then(|| (waiting_key(new), letter_byte(new.number.letter))),
        open_out: old.filter(|o| o.status.is_open_case()).map(open_key),
        open_in: new.status.is_open_case().then(|| open_key(new)),
        followup_out: was.filter(|_| was != now),
        followup_in: now.filter(|_| was != now),
        tokens_out,
        tokens_in,
    }
}
