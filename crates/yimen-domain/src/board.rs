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
    /// When it was called (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Still at the call (not yet served): the citizen should come now.
    pub calling: bool,
    /// How many times it was called again.
    pub recalls: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub letter: char,
    /// The category's name in Chinese and English.
    pub name: String,
    pub name_en: String,
    pub count: usize,
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
                    at: t.called_at?,
                    calling: t.status == Status::Called,
                    recalls: t.recalls,
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
            })
            .collect();
        Board { calls, waiting }
    }

    /// The call to announce: the newest still at its call, else the newest.
    pub fn headline(&self) -> Option<&Call> {
        self.calls.iter().find(|c| c.calling).or(self.calls.first())
    }
}
