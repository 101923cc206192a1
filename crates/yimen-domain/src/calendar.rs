//! The working-day calendar: weekends, public holidays and make-up working days, and the
//! deadlines and traffic lights computed from them.
//!
//! A year missing from the calendar is counted with weekends only, and every result that
//! touched such a year carries `estimated = true` so the deadline can be flagged where shown.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Weekday};

use super::lang::Lang;

/// The calendar shipped with the program.
pub const BUILTIN_HOLIDAYS: &str = include_str!("../../../data/holidays.toml");

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeSet<i32>,
    /// Days off that would otherwise be working days, with the holiday's name.
    holidays: BTreeMap<Date, String>,
    /// Weekend days that are working days.
    workdays: BTreeSet<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    year: Vec<YearSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearSpec {
    year: i32,
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<String>,
    #[serde(default)]
    holidays: Vec<HolidaySpec>,
    #[serde(default)]
    workdays: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidaySpec {
    name: String,
    from: String,
    to: String,
}

/// A deadline and whether the calendar had to guess (weekends only) to reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    #[serde(with = "crate::wire_time::day")]
    pub date: Date,
    /// True when a day counted lies in a year the calendar has no data for.
    pub estimated: bool,
}

/// The traffic light of an open case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
    /// Suspended: the clock is not running.
    Paused,
}

impl Light {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Light::Green => lang.pick("绿灯", "green"),
            Light::Yellow => lang.pick("黄灯", "yellow"),
            Light::Red => lang.pick("红灯（超期）", "red (overdue)"),
            Light::Paused => lang.pick("暂停计时", "paused"),
        }
    }
}

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()
}

impl Calendar {
    /// The calendar in data/holidays.toml, built into the binary.
    pub fn builtin() -> Calendar {
        // The built-in file is checked by a unit test; should it ever fail, weekends-only is
        // the honest fallback (every deadline is then flagged as estimated).
        Calendar::from_toml(BUILTIN_HOLIDAYS).unwrap_or_default()
    }

    pub fn from_toml(src: &str) -> Result<Calendar, String> {
        let file: File = toml::from_str(src).map_err(|e| super::catalog::one_line_toml_error(src, &e))?;
        let mut cal = Calendar::default();
        for y in file.year {
            cal.years.insert(y.year);
            for h in y.holidays {
                let from = parse_date(&h.from).ok_or_else(|| format!("{}: bad date '{}'", y.year, h.from))?;
                let to = parse_date(&h.to).ok_or_else(|| format!("{}: bad date '{}'", y.year, h.to))?;
                if to < from || (to - from).whole_days() > 31 {
                    return Err(format!("{}: holiday {} runs from {from} to {to}", y.year, h.name));
                }
                for i in 0..=(to - from).whole_days() {
                    cal.holidays.insert(add_days(from, i), h.name.clone());
                }
            }
            for w in y.workdays {
                let d = parse_date(&w).ok_or_else(|| format!("{}: bad date '{w}'", y.year))?;
                cal.workdays.insert(d);
            }
        }
        Ok(cal)
    }

    pub fn covers(&self, d: Date) -> bool {
        self.years.contains(&d.year())
    }

    pub fn holiday_name(&self, d: Date) -> Option<&str> {
        self.holidays.get(&d).map(String::as_str)
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains_key(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The `n`th working day after `start` (the count starts the day after). `n = 0` is
    /// `start` itself: an on-the-spot item is due the day it is accepted.
    pub fn add_working_days(&self, start: Date, n: u32) -> Deadline {
        let mut d = start;
        let mut left = n;
        let mut estimated = false;
        while left > 0 {
            match d.next_day() {
                Some(next) => d = next,
                None => break,
            }
            estimated |= !self.covers(d);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Deadline { date: d, estimated }
    }

    /// Working days in `(from, to]`; 0 when `to <= from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = match d.next_day() {
                Some(next) => next,
                None => break,
            };
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// Whether any day in `(from, to]` lies outside the calendar.
    pub fn range_estimated(&self, from: Date, to: Date) -> bool {
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        (a.year()..=b.year()).any(|y| !self.years.contains(&y))
    }

    /// The light and the working days left (negative when overdue) of a case due on `due`.
    pub fn light(&self, due: Date, today: Date) -> (Light, i64) {
        if today > due {
            let late = self.working_days_between(due, today).max(1);
            (Light::Red, -i64::from(late))
        } else {
            let left = i64::from(self.working_days_between(today, due));
            (if left <= 1 { Light::Yellow } else { Light::Green }, left)
        }
    }

    /// The note to show next to a deadline that the calendar could only estimate.
    pub fn estimate_note(&self, from: Date, to: Date, lang: Lang) -> Option<String> {
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        let missing: Vec<String> =
            (a.year()..=b.year()).filter(|y| !self.years.contains(y)).map(|y| y.to_string()).collect();
        if missing.is_empty() {
            return None;
        }
        let years = missing.join(", ");
        Some(match lang {
            Lang::Zh => format!("节假日日历缺少 {years} 年的数据：仅按周末计算"),
            Lang::En => format!("calendar has no data for {years}: weekends only"),
        })
    }
}

/// A convenience for tests and the demo: `d + days` without overflow panics.
pub fn add_days(d: Date, days: i64) -> Date {
    d.checked_add(Duration::days(days)).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn cal() -> Calendar {
        Calendar::from_toml(BUILTIN_HOLIDAYS).expect("built-in calendar parses")
    }

    #[test]
    fn the_2026_arrangement() {
        let c = cal();
        // 元旦 off, and the Sunday after is a make-up working day.
        assert!(!c.is_working_day(date!(2026 - 01 - 01)));
        assert!(!c.is_working_day(date!(2026 - 01 - 02)));
        assert!(c.is_working_day(date!(2026 - 01 - 04)));
        // 春节: Sat Feb 14 works, Feb 15–23 off (Mon Feb 16–Mon Feb 23 included), Sat Feb 28 works.
        assert!(c.is_working_day(date!(2026 - 02 - 14)));
        for d in 15..=23 {
            let day = Date::from_calendar_date(2026, time::Month::February, d).unwrap();
            assert!(!c.is_working_day(day), "{day}");
        }
        assert!(c.is_working_day(date!(2026 - 02 - 24)));
        assert!(c.is_working_day(date!(2026 - 02 - 28)));
        assert!(!c.is_working_day(date!(2026 - 03 - 01)));
        assert!(c.is_working_day(date!(2026 - 05 - 09)));
        assert!(c.is_working_day(date!(2026 - 09 - 20)));
        assert!(c.is_working_day(date!(2026 - 10 - 10)));
        assert!(!c.is_working_day(date!(2026 - 10 - 05)));
        assert_eq!(c.holiday_name(date!(2026 - 10 - 01)), Some("国庆节"));
    }

    #[test]
    fn deadline_across_national_day() {
        let c = cal();
        // Accepted Wed Sep 30: Oct 1–7 off; Oct 8 (Thu), 9 (Fri), 10 (Sat, make-up), 12, 13.
        let d = c.add_working_days(date!(2026 - 09 - 30), 5);
        assert_eq!(d, Deadline { date: date!(2026 - 10 - 13), estimated: false });
        // Across the Spring Festival: accepted Fri Feb 13; Feb 14 (Sat, make-up) is day 1.
        assert_eq!(c.add_working_days(date!(2026 - 02 - 13), 1).date, date!(2026 - 02 - 14));
        assert_eq!(c.add_working_days(date!(2026 - 02 - 13), 2).date, date!(2026 - 02 - 24));
        assert_eq!(c.add_working_days(date!(2026 - 11 - 29), 0).date, date!(2026 - 11 - 29));
    }

    #[test]
    fn beyond_the_calendar_is_flagged() {
        let c = cal();
        let d = c.add_working_days(date!(2026 - 12 - 28), 5);
        // Dec 29, 30, 31, then Jan 1 2027 (a Friday, counted as working: no 2027 data), Jan 4.
        assert_eq!(d, Deadline { date: date!(2027 - 01 - 04), estimated: true });
        assert_eq!(
            c.estimate_note(date!(2026 - 12 - 28), d.date, Lang::En).as_deref(),
            Some("calendar has no data for 2027: weekends only")
        );
        assert!(c.estimate_note(date!(2026 - 01 - 01), date!(2026 - 12 - 31), Lang::En).is_none());
    }

    #[test]
    fn lights() {
        let c = cal();
        let due = date!(2026 - 12 - 04); // a Friday
        assert_eq!(c.light(due, date!(2026 - 11 - 30)), (Light::Green, 4));
        assert_eq!(c.light(due, date!(2026 - 12 - 03)), (Light::Yellow, 1));
        assert_eq!(c.light(due, due), (Light::Yellow, 0));
        assert_eq!(c.light(due, date!(2026 - 12 - 07)), (Light::Red, -1));
    }
}
