//! The one clock of the program. Times are stored in UTC; the hall's local date and time use
//! the configured UTC offset (default +08:00), never the operating system's local-offset
//! detection, which fails in threaded programs. `YIMEN_NOW` (RFC 3339) fixes "now" for tests
//! and back-filling, and every event written under it says so.

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

pub const NOW_ENV: &str = "YIMEN_NOW";
pub const DEFAULT_OFFSET: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// Why `YIMEN_NOW` is refused (the value as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NowError {
    NotRfc3339(String),
    OutOfYears(String),
}

impl NowError {
    pub fn text(&self, zh: bool) -> String {
        let (start, end) = (NOW_YEARS.start(), NOW_YEARS.end());
        match (self, zh) {
            (NowError::NotRfc3339(s), true) => format!("{NOW_ENV}={s} 不是 2026-11-30T09:00:00+08:00 这样的时间"),
            (NowError::NotRfc3339(s), false) => {
                format!("{NOW_ENV}={s} is not an RFC 3339 time such as 2026-11-30T09:00:00+08:00")
            }
            (NowError::OutOfYears(s), true) => format!("{NOW_ENV}={s} 不在 {start}–{end} 年之间"),
            (NowError::OutOfYears(s), false) => format!("{NOW_ENV}={s} is outside the years {start}–{end}"),
        }
    }
}

/// The years `YIMEN_NOW` may name.
pub const NOW_YEARS: std::ops::RangeInclusive<i32> = 1970..=2999;

/// `t` at `offset`; a time so close to the end of the representable years that it has no
/// such local form (only a damaged or hand-made record holds one) stays as it is, rather than
/// panicking as `OffsetDateTime::to_offset` would.
pub fn in_offset(t: OffsetDateTime, offset: UtcOffset) -> OffsetDateTime {
    t.checked_to_offset(offset).unwrap_or(t)
}

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    offset: UtcOffset,
    fixed: Option<OffsetDateTime>,
}

impl Clock {
    pub fn new(offset: UtcOffset, fixed: Option<OffsetDateTime>) -> Clock {
        Clock { offset, fixed: fixed.map(|t| in_offset(t, UtcOffset::UTC)) }
    }

    /// The system clock, or `YIMEN_NOW` when set. A malformed `YIMEN_NOW` is an error, never
    /// silently ignored.
    ///
    /// # Errors
    /// `YIMEN_NOW` is not RFC 3339, or outside [`NOW_YEARS`].
    pub fn from_env(offset: UtcOffset) -> Result<Clock, NowError> {
        match std::env::var(NOW_ENV) {
            Ok(s) if !s.trim().is_empty() => {
                let t = OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|_| NowError::NotRfc3339(s.clone()))?;
                // A hall's "now" lies within years a calendar and a deadline can be counted in.
                if !NOW_YEARS.contains(&t.year()) {
                    return Err(NowError::OutOfYears(s));
                }
                Ok(Clock::new(offset, Some(t)))
            }
            _ => Ok(Clock::new(offset, None)),
        }
    }

    /// Now, in UTC, to the microsecond (what the store keeps).
    pub fn now(&self) -> OffsetDateTime {
        let t = self.fixed.unwrap_or_else(OffsetDateTime::now_utc);
        t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
    }

    pub fn is_override(&self) -> bool {
        self.fixed.is_some()
    }

    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    pub fn local(&self, t: OffsetDateTime) -> OffsetDateTime {
        in_offset(t, self.offset)
    }

    /// The hall's local date now.
    pub fn today(&self) -> Date {
        self.local(self.now()).date()
    }

    pub fn date_of(&self, t: OffsetDateTime) -> Date {
        self.local(t).date()
    }
}

/// Parses "+08:00", "+8", "-05:30" or "UTC".
pub fn parse_offset(s: &str) -> Option<UtcOffset> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("utc") || s == "Z" {
        return Some(UtcOffset::UTC);
    }
    let (sign, rest) = match s.chars().next()? {
        '+' => (1i8, &s[1..]),
        '-' => (-1i8, &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h.parse::<i8>().ok()?, m.parse::<i8>().ok()?),
        None => (rest.parse::<i8>().ok()?, 0),
    };
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

pub fn format_offset(o: UtcOffset) -> String {
    let (h, m, _) = o.as_hms();
    let sign = if h < 0 || m < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", h.abs(), m.abs())
}

/// How a moment is written for people, in the hall's time: every screen, slip, report and log
/// line names one of these (time's format descriptions), so no time is formatted by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// "09:05"
    Minute,
    /// "2026-11-29 09:05"
    DayMinute,
    /// "2026-11-29 09:05:03"
    DaySecond,
    /// "20261129-090503", for file names.
    FileStamp,
}

impl Shown {
    /// `local` (already in the hall's offset) written this way.
    pub fn write(self, local: OffsetDateTime) -> String {
        // Formatting an OffsetDateTime with these descriptions cannot fail (every component
        // is present); an empty string would be the only outcome if it ever did.
        local.format(self.format()).unwrap_or_default()
    }

    fn format(self) -> &'static [time::format_description::BorrowedFormatItem<'static>] {
        use time::macros::format_description as f;
        match self {
            Shown::Minute => f!("[hour]:[minute]"),
            Shown::DayMinute => f!("[year]-[month]-[day] [hour]:[minute]"),
            Shown::DaySecond => f!("[year]-[month]-[day] [hour]:[minute]:[second]"),
            Shown::FileStamp => f!("[year][month][day]-[hour][minute][second]"),
        }
    }
}

impl Clock {
    /// `t` in the hall's time, written as `how`.
    pub fn show(&self, t: OffsetDateTime, how: Shown) -> String {
        how.write(self.local(t))
    }
}

/// `t` in the hall's time as RFC 3339 ("2026-11-29T09:05:03+08:00"), for machines.
pub fn rfc3339_local(clock: &Clock, t: OffsetDateTime) -> String {
    clock.local(t).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn local_day_boundary_uses_the_offset() {
        // 16:30 UTC is 00:30 the next day in the hall.
        let c = Clock::new(DEFAULT_OFFSET, Some(datetime!(2026-11-29 16:30 UTC)));
        assert_eq!(c.today(), time::macros::date!(2026 - 11 - 30));
        assert!(c.is_override());
        let c = Clock::new(UtcOffset::UTC, Some(datetime!(2026-11-29 16:30 UTC)));
        assert_eq!(c.today(), time::macros::date!(2026 - 11 - 29));
    }

    #[test]
    fn moments_are_written_in_the_hall_time() {
        let c = Clock::new(DEFAULT_OFFSET, Some(datetime!(2026-11-29 01:05:03.250 UTC)));
        let t = c.now();
        assert_eq!(c.show(t, Shown::Minute), "09:05");
        assert_eq!(c.show(t, Shown::DayMinute), "2026-11-29 09:05");
        assert_eq!(c.show(t, Shown::DaySecond), "2026-11-29 09:05:03");
        assert_eq!(c.show(t, Shown::FileStamp), "20261129-090503");
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+08:00"), Some(DEFAULT_OFFSET));
        assert_eq!(parse_offset("+8"), Some(DEFAULT_OFFSET));
        assert_eq!(format_offset(parse_offset("-05:30").unwrap()), "-05:30");
        assert_eq!(parse_offset("8"), None);
        assert_eq!(parse_offset("+25:00"), None);
    }
}
