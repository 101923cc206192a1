//! The hall's display board (叫号屏): the latest calls and how many wait per category. It
//! carries numbers and windows only, never a name, so it may be shown to the whole hall.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::catalog::Catalog;
use super::ticket::{Status, Ticket};

/// The calls a board lists, newest first.
pub const CALLS_SHOWN: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub number: String,
    pub window: String,
    /// When it was last called or recalled (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Still at the call (not yet served): the citizen should come now.
    pub calling: bool,
    /// How many times it was called again.
    pub recalls: u8,
    /// The applicant's masked name (张*英), only where the hall calls by name
    /// (`board_call_name = masked`); never the whole name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub letter: char,
    /// The category's name in Chinese and English.
    pub name: String,
    pub name_en: String,
    pub count: usize,
    /// Minutes a citizen waits per person ahead in this category, from the day's recent calls
    /// (see [`minutes_per_person`]).
    #[serde(default)]
    pub minutes_per_person: u32,
    /// The estimated wait of the last one waiting, in minutes: `count × minutes_per_person`.
    #[serde(default)]
    pub minutes: u32,
}

/// The estimated wait of someone with `ahead` people before them, in minutes.
pub fn estimate(ahead: usize, minutes_per_person: u32) -> u32 {
    u32::try_from(ahead).unwrap_or(u32::MAX).saturating_mul(minutes_per_person)
}

/// How many of a category's last calls the wait estimate looks at.
pub const ESTIMATE_CALLS: usize = 10;
/// The estimate before a category has two calls today, in minutes per person ahead.
pub const DEFAULT_MINUTES_PER_PERSON: u32 = 5;

/// Minutes per person ahead in a category: the median gap between its last
/// [`ESTIMATE_CALLS`] first calls today (how fast its windows take the next one, whatever the
/// number of windows; the median, so a lunch break does not make the afternoon's estimate an
/// hour), rounded, within 1–60; [`DEFAULT_MINUTES_PER_PERSON`] before there are two calls.
pub fn minutes_per_person(today: &[Ticket], category: &str) -> u32 {
    let mut calls: Vec<OffsetDateTime> =
        today.iter().filter(|t| t.category == category).filter_map(|t| t.called_at).collect();
    calls.sort_unstable();
    let recent = &calls[calls.len().saturating_sub(ESTIMATE_CALLS + 1)..];
    let mut gaps: Vec<i64> = recent.windows(2).map(|w| (w[1] - w[0]).whole_seconds()).collect();
    if gaps.is_empty() {
        return DEFAULT_MINUTES_PER_PERSON;
    }
    gaps.sort_unstable();
    let median = gaps[gaps.len() / 2];
    u32::try_from(((median + 30) / 60).clamp(1, 60)).unwrap_or(DEFAULT_MINUTES_PER_PERSON)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub calls: Vec<Call>,
    pub waiting: Vec<Waiting>,
}

impl Board {
    /// The board of a day, from that day's tickets.
    pub fn of(today: &[Ticket], catalog: &Catalog) -> Board {
        let mut calls: Vec<Call> = today
            .iter()
            .filter_map(|t| {
                Some(Call {
                    number: t.number.to_string(),
                    window: t.window.clone()?,
                    at: t.last_called_at.or(t.called_at)?,
                    calling: t.status == Status::Called,
                    recalls: t.recalls,
                    name: None,
                })
            })
            .collect();
        calls.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.number.cmp(&a.number)));
        calls.truncate(CALLS_SHOWN);
        let waiting = catalog
            .categories
            .iter()
            .map(|c| Waiting {
                letter: c.letter,
                name: c.name.clone(),
                name_en: c.name_en.clone(),
                count: today.iter().filter(|t| t.status == Status::Waiting && t.category == c.code).count(),
                minutes_per_person: minutes_per_person(today, &c.code),
                minutes: 0,
            })
            .map(|mut w| {
                w.minutes = estimate(w.count, w.minutes_per_person);
                w
            })
            .collect();
        Board { calls, waiting }
    }

    /// The call to announce: the newest still at its call, else the newest.
    pub fn headline(&self) -> Option<&Call> {
        self.calls.iter().find(|c| c.calling).or(self.calls.first())
    }
}

#[cfg(test)]
mod estimate_tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::catalog::Catalog;
    use crate::queue::QueueNumber;
    use crate::ticket::{Context, Ticket};

    #[test]
    fn the_wait_per_person_is_the_recent_pace_of_calls() {
        let catalog = Catalog::builtin();
        let item = catalog.item("SB03").unwrap();
        let cal = Calendar::default();
        let start = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let ctx = Context {
            at: start,
            today: start.date(),
            clerk: "x".into(),
            window: None,
            calendar: &cal,
            clock_override: false,
        };
        let mut today: Vec<Ticket> = (1..=12)
            .map(|i| {
                Ticket::take(
                    i,
                    QueueNumber::parse(&format!("B{i}")).unwrap(),
                    item,
                    None,
                    Default::default(),
                    None,
                    None,
                    &ctx,
                )
                .0
            })
            .collect();
        assert_eq!(minutes_per_person(&today, "shebao"), DEFAULT_MINUTES_PER_PERSON, "before two calls");
        // Calls every 4 minutes, then two after a long break: the median gap stays 4.
        let mut at = start;
        for (i, t) in today.iter_mut().enumerate() {
            at += time::Duration::minutes(if i >= 10 { 60 } else { 4 });
            t.called_at = Some(at);
        }
        assert_eq!(minutes_per_person(&today, "shebao"), 4);
        assert_eq!(minutes_per_person(&today, "minzheng"), DEFAULT_MINUTES_PER_PERSON);
    }
}
