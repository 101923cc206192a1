//! The working-day calendar: weekends, public holidays and make-up working days, and the
//! deadlines and traffic lights computed from them.
//!
//! A year whose arrangement is neither built in nor imported (`yimen calendar import`) is
//! estimated from the statutory holidays, without make-up working days, and every result that
//! touched such a year carries `estimated = true` so the deadline can be flagged (预估) where
//! shown.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Weekday};

use super::lang::Lang;

/// The calendar shipped with the program.
pub const BUILTIN_HOLIDAYS: &str = include_str!("../../../data/holidays.toml");

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    /// The years with the State Council's arrangement: built in or imported.
    years: BTreeMap<i32, Year>,
    /// Days off that would otherwise be working days, with the holiday's name (every year).
    holidays: BTreeMap<Date, String>,
    /// Weekend days that are working days.
    workdays: BTreeSet<Date>,
}

/// One year's arrangement as its notice gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Year {
    pub year: i32,
    /// The notice it comes from (e.g. 国务院办公厅关于2027年部分节假日安排的通知).
    pub source: Option<String>,
    /// Each holiday's name and its first and last day off.
    pub holidays: Vec<(String, Date, Date)>,
    /// The make-up working days (调休上班), always a Saturday or a Sunday.
    pub workdays: Vec<Date>,
}

/// The largest holidays file read, in bytes (a year's notice is a few hundred).
pub const MAX_FILE_BYTES: usize = 64 * 1024;

/// Why a holidays file does not read, and in which year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    pub year: Option<i32>,
    pub problem: CalendarProblem,
}

/// One way a holidays file can be wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarProblem {
    /// The TOML reader's own message (line and column; English: it comes from the toml crate).
    Toml(String),
    TooLarge(usize),
    NoYear,
    YearRange,
    Twice,
    TooMany,
    Source,
    BadDate(String),
    Name,
    Span {
        name: String,
        from: Date,
        to: Date,
    },
    NotWeekend(Date),
    Both(Date),
}

impl std::fmt::Display for CalendarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&super::lang::Localized::localized(self, Lang::En))
    }
}

impl super::lang::Localized for CalendarError {
    fn localized(&self, lang: Lang) -> String {
        use CalendarProblem::*;
        let zh = lang == Lang::Zh;
        let what = match &self.problem {
            Toml(m) if zh => format!("文件格式有误（{m}）"),
            Toml(m) => format!("not a holidays file ({m})"),
            TooLarge(n) if zh => format!("文件有 {n} 字节，超过 {MAX_FILE_BYTES} 字节：一年的通知只有几百字节"),
            TooLarge(n) => format!("the file has {n} bytes, over {MAX_FILE_BYTES}: a year's notice is a few hundred"),
            NoYear if zh => "文件里没有 [[year]]".into(),
            NoYear => "no [[year]] in the file".into(),
            YearRange if zh => "年份只能是 2000 到 2099".into(),
            YearRange => "only the years 2000 to 2099".into(),
            Twice if zh => "这一年在文件里出现了两次".into(),
            Twice => "the year is listed twice".into(),
            TooMany if zh => "放假或调休条目太多（每年最多 60 条）".into(),
            TooMany => "too many holidays or make-up days (at most 60 a year)".into(),
            Source if zh => "source（通知名称）太长或含有隐藏字符".into(),
            Source => "the source (the notice's title) is too long or holds hidden characters".into(),
            BadDate(t) if zh => format!("「{t}」不是日期（写成 \"2027-02-05\"）"),
            BadDate(t) => format!("'{t}' is not a date (write \"2027-02-05\")"),
            Name if zh => "节日名称为空、太长或含有隐藏字符".into(),
            Name => "a holiday's name is empty, too long or holds hidden characters".into(),
            Span { name, from, to } if zh => {
                format!("{name} 从 {from} 到 {to} 不对：最多 31 天，须在本年结束（最早从上一年 12 月开始）")
            }
            Span { name, from, to } => format!(
                "{name} from {from} to {to}: at most 31 days, ending in its year (starting at the earliest the December before)"
            ),
            NotWeekend(d) if zh => format!("调休上班日 {d} 不是本年的周六或周日"),
            NotWeekend(d) => format!("make-up working day {d} is not a Saturday or Sunday of its year"),
            Both(d) if zh => format!("{d} 既是放假日又是调休上班日"),
            Both(d) => format!("{d} is both a day off and a make-up working day"),
        };
        match (self.year, zh) {
            (Some(y), true) => format!("{y} 年：{what}"),
            (Some(y), false) => format!("{y}: {what}"),
            (None, _) => what,
        }
    }
}

/// Where a year's days off come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearSource {
    /// The State Council's arrangement (built in or imported).
    Official,
    /// Not published to this calendar: the statutory holidays alone, without make-up days
    /// (预估).
    Estimated,
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

/// A deadline and whether the calendar had to estimate a year (statutory holidays only) to
/// reach it.
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

    /// Reads a holidays file (data/holidays.toml's format). Every year is checked: the file is
    /// at most `MAX_FILE_BYTES`; years are 2000–2099, each once; dates are real; a holiday has
    /// a short name without hidden characters and runs at most 31 days, ending in its year
    /// (starting at the earliest the December before, as 元旦 sometimes does); a make-up working
    /// day is a Saturday or a Sunday of its year (or that December before); and no day is both
    /// a holiday and a make-up working day.
    ///
    /// # Errors
    /// The first problem, naming the year and the day (`CalendarError`, in both languages).
    pub fn from_toml(src: &str) -> Result<Calendar, CalendarError> {
        let err = |year: Option<i32>, problem: CalendarProblem| CalendarError { year, problem };
        if src.len() > MAX_FILE_BYTES {
            return Err(err(None, CalendarProblem::TooLarge(src.len())));
        }
        let file: File = toml::from_str(src)
            .map_err(|e| err(None, CalendarProblem::Toml(super::catalog::one_line_toml_error(src, &e))))?;
        if file.year.is_empty() {
            return Err(err(None, CalendarProblem::NoYear));
        }
        let mut cal = Calendar::default();
        for y in file.year {
            let at = |problem| err(Some(y.year), problem);
            if !(2000..=2099).contains(&y.year) {
                return Err(at(CalendarProblem::YearRange));
            }
            if cal.years.contains_key(&y.year) {
                return Err(at(CalendarProblem::Twice));
            }
            if y.holidays.len() > 60 || y.workdays.len() > 60 {
                return Err(at(CalendarProblem::TooMany));
            }
            let clean = |t: &str| !t.chars().any(|c| super::text::is_forbidden(c, false));
            let source = y.source.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            if source.as_deref().is_some_and(|s| s.chars().count() > 200 || !clean(s)) {
                return Err(at(CalendarProblem::Source));
            }
            // A day of this year, or of the December before.
            let within = |d: Date| d.year() == y.year || (d.year() == y.year - 1 && d.month() == time::Month::December);
            let day = |t: &str| parse_date(t).ok_or_else(|| at(CalendarProblem::BadDate(t.chars().take(20).collect())));
            let mut year = Year { year: y.year, source, holidays: Vec::new(), workdays: Vec::new() };
            for h in y.holidays {
                let (from, to) = (day(&h.from)?, day(&h.to)?);
                let name = h.name.trim().to_string();
                if name.is_empty() || name.chars().count() > 20 || !clean(&name) {
                    return Err(at(CalendarProblem::Name));
                }
                if to < from || (to - from).whole_days() > 31 || !within(from) || to.year() != y.year {
                    return Err(at(CalendarProblem::Span { name, from, to }));
                }
                year.holidays.push((name, from, to));
            }
            for w in y.workdays {
                let d = day(&w)?;
                if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) || !within(d) {
                    return Err(at(CalendarProblem::NotWeekend(d)));
                }
                year.workdays.push(d);
            }
            cal.years.insert(y.year, year);
        }
        cal.rebuild();
        // A day both off and a make-up working day (within a year or across two) is a mistake.
        if let Some(d) = cal.workdays.iter().find(|d| cal.holidays.contains_key(d)) {
            return Err(err(Some(d.year()), CalendarProblem::Both(*d)));
        }
        Ok(cal)
    }

    /// This calendar with the years of `other` put in place of its own (an imported year
    /// replaces the built-in one).
    pub fn merged(mut self, other: &Calendar) -> Calendar {
        for (y, year) in &other.years {
            self.years.insert(*y, year.clone());
        }
        self.rebuild();
        self
    }

    fn rebuild(&mut self) {
        self.holidays.clear();
        self.workdays.clear();
        for year in self.years.values() {
            for (name, from, to) in &year.holidays {
                for i in 0..=(*to - *from).whole_days() {
                    self.holidays.insert(add_days(*from, i), name.clone());
                }
            }
            self.workdays.extend(year.workdays.iter().copied());
        }
    }

    /// A calendar of only `year` of this one (empty when it has no such year).
    pub fn only_year(&self, year: i32) -> Calendar {
        let mut c = Calendar::default();
        if let Some(y) = self.years.get(&year) {
            c.years.insert(year, y.clone());
        }
        c.rebuild();
        c
    }

    /// The years with an official arrangement, oldest first.
    pub fn official_years(&self) -> Vec<&Year> {
        self.years.values().collect()
    }

    /// A year as this calendar counts it: the official arrangement, or the estimate from the
    /// statutory holidays.
    pub fn year(&self, year: i32) -> (YearSource, Year) {
        match self.years.get(&year) {
            Some(y) => (YearSource::Official, y.clone()),
            None => (
                YearSource::Estimated,
                Year {
                    year,
                    source: None,
                    holidays: statutory(year).iter().map(|(d, n)| (n.to_string(), *d, *d)).collect(),
                    workdays: Vec::new(),
                },
            ),
        }
    }

    /// Whether `d`'s year has an official arrangement (otherwise it is estimated).
    pub fn covers(&self, d: Date) -> bool {
        self.years.contains_key(&d.year())
    }

    pub fn holiday_name(&self, d: Date) -> Option<&str> {
        if self.covers(d) {
            return self.holidays.get(&d).map(String::as_str);
        }
        statutory(d.year()).iter().find(|(h, _)| *h == d).map(|(_, n)| *n)
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains_key(&d) {
            return false;
        }
        // A year without its arrangement: the statutory days off are off (预估).
        if !self.covers(d) && statutory(d.year()).iter().any(|(h, _)| *h == d) {
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

    /// Whether any day in `(from, to]` lies outside the calendar (a case accepted on
    /// 2025-12-31 counts 2026's days only, so 2025 does not matter to it).
    pub fn range_estimated(&self, from: Date, to: Date) -> bool {
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        let first = a.next_day().unwrap_or(a);
        first <= b && (first.year()..=b.year()).any(|y| !self.years.contains_key(&y))
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
        // The days counted are those after `from` (as `range_estimated`).
        let a = if a < b { a.next_day().unwrap_or(a) } else { a };
        let missing: Vec<String> =
            (a.year()..=b.year()).filter(|y| !self.years.contains_key(y)).map(|y| y.to_string()).collect();
        if missing.is_empty() {
            return None;
        }
        let years = missing.join(", ");
        Some(match lang {
            Lang::Zh => format!("{years} 年放假安排尚未导入：按法定节假日预估，不含调休"),
            Lang::En => {
                format!("{years} holidays not imported: estimated from the statutory holidays, no make-up days")
            }
        })
    }
}

/// The statutory days off of `year` (《全国年节及纪念日放假办法》, as revised in 2024, from
/// 2025 on): 元旦 1 day, 春节 4 (农历除夕 to 正月初三), 清明节 1, 劳动节 2 (May 1–2),
/// 端午节 1 (农历五月初五), 中秋节 1 (农历八月十五), 国庆节 3 (October 1–3). The lunar
/// dates come from the lunar-lite crate; 清明 from the 寿星 formula for the 21st century
/// (`[Y × 0.2422 + 4.81] − [Y / 4]` of April, `Y` the year's last two digits). Years outside
/// 2000–2099 have none (weekends only). Computed once per year and kept.
pub fn statutory(year: i32) -> &'static [(Date, &'static str)] {
    // One slot per year, filled on its first use: a hall asks about a year or two, not all 100.
    static TABLE: [OnceLock<Vec<(Date, &'static str)>>; 100] = [const { OnceLock::new() }; 100];
    let Some(slot) = usize::try_from(i64::from(year) - 2000).ok().and_then(|i| TABLE.get(i)) else { return &[] };
    slot.get_or_init(|| statutory_days(year))
}

fn statutory_days(year: i32) -> Vec<(Date, &'static str)> {
    let day = |m: u8, d: u8| time::Month::try_from(m).ok().and_then(|m| Date::from_calendar_date(year, m, d).ok());
    let lunar = |m: u8, d: u8| {
        let s =
            lunar_lite::lunar_to_solar(lunar_lite::LunarDate { year, month: m, day: d, is_leap_month: false }).ok()?;
        time::Month::try_from(s.month).ok().and_then(|m| Date::from_calendar_date(s.year, m, s.day).ok())
    };
    let mut out = Vec::new();
    let mut push = |d: Option<Date>, name: &'static str| {
        if let Some(d) = d {
            out.push((d, name));
        }
    };
    push(day(1, 1), "元旦");
    if let Some(new_year) = lunar(1, 1) {
        // 除夕 is the day before 正月初一 (the 29th or 30th of the twelfth month).
        for i in -1..=2 {
            push(Some(add_days(new_year, i)), "春节");
        }
    }
    let y = i64::from(year % 100);
    let qingming = (y as f64 * 0.2422 + 4.81).floor() as i64 - y / 4;
    push(u8::try_from(qingming).ok().and_then(|d| day(4, d)), "清明节");
    push(day(5, 1), "劳动节");
    push(day(5, 2), "劳动节");
    push(lunar(5, 5), "端午节");
    push(lunar(8, 15), "中秋节");
    for d in 1..=3 {
        push(day(10, d), "国庆节");
    }
    out.sort();
    out
}

/// A holiday's name in `lang`: the seven statutory holidays have English names; any other
/// name a notice gives stays as written.
pub fn holiday_label(name: &str, lang: Lang) -> &str {
    if lang == Lang::Zh {
        return name;
    }
    match name {
        "元旦" => "New Year's Day",
        "春节" => "Spring Festival",
        "清明节" => "Qingming Festival",
        "劳动节" => "Labour Day",
        "端午节" => "Dragon Boat Festival",
        "中秋节" => "Mid-Autumn Festival",
        "国庆节" => "National Day",
        other => other,
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
        // Dec 29, 30, 31, then Jan 1 2027 (元旦, off even without the 2027 notice), Jan 4, 5.
        assert_eq!(d, Deadline { date: date!(2027 - 01 - 05), estimated: true });
        assert_eq!(
            c.estimate_note(date!(2026 - 12 - 28), d.date, Lang::En).as_deref(),
            Some("2027 holidays not imported: estimated from the statutory holidays, no make-up days")
        );
        assert!(c.estimate_note(date!(2026 - 01 - 01), date!(2026 - 12 - 31), Lang::En).is_none());
        // Accepted on the last day of 2025 (not in the calendar): only 2026's days count.
        assert!(!c.range_estimated(date!(2025 - 12 - 31), date!(2026 - 01 - 20)));
        assert!(c.range_estimated(date!(2025 - 12 - 30), date!(2026 - 01 - 20)));
    }

    #[test]
    fn a_missing_year_is_estimated_from_the_statutory_holidays() {
        let c = cal();
        // 2027: 春节 is 6 Feb (除夕 5 Feb), 清明 5 Apr, 端午 9 Jun, 中秋 15 Sep.
        let (source, y) = c.year(2027);
        assert_eq!(source, YearSource::Estimated);
        let days: Vec<Date> = y.holidays.iter().map(|(_, d, _)| *d).collect();
        for d in [
            date!(2027 - 01 - 01),
            date!(2027 - 02 - 05),
            date!(2027 - 02 - 06),
            date!(2027 - 02 - 08),
            date!(2027 - 04 - 05),
            date!(2027 - 05 - 01),
            date!(2027 - 05 - 02),
            date!(2027 - 06 - 09),
            date!(2027 - 09 - 15),
            date!(2027 - 10 - 03),
        ] {
            assert!(days.contains(&d), "{d} in {days:?}");
            assert!(!c.is_working_day(d) || d.weekday() == Weekday::Saturday, "{d}");
        }
        assert_eq!(days.len(), 13, "13 statutory days: {days:?}");
        assert_eq!(c.holiday_name(date!(2027 - 02 - 08)), Some("春节"));
        // The built-in 2026 agrees with the statutory days it contains (a check of the rule).
        for (d, name) in statutory(2026) {
            assert_eq!(c.holiday_name(*d), Some(*name), "{d}");
        }
    }

    #[test]
    fn an_imported_year_replaces_the_estimate_and_a_bad_file_says_what_is_wrong() {
        let src = r#"
[[year]]
year = 2027
source = "test"
holidays = [{ name = "春节", from = "2027-02-05", to = "2027-02-12" }]
workdays = ["2027-02-13"]
"#;
        let c = cal().merged(&Calendar::from_toml(src).expect("parses"));
        assert_eq!(c.year(2027).0, YearSource::Official);
        assert!(!c.is_working_day(date!(2027 - 02 - 12)));
        assert!(c.is_working_day(date!(2027 - 02 - 13)), "a Saturday made a working day");
        assert!(c.is_working_day(date!(2027 - 01 - 01)), "only what the file says is off");
        assert!(!c.range_estimated(date!(2027 - 01 - 01), date!(2027 - 12 - 31)));
        let bad = |s: &str| Calendar::from_toml(s).expect_err("refused").to_string();
        assert!(bad("[[year]]\nyear = 2027\nworkdays = [\"2027-02-10\"]").contains("not a Saturday or Sunday"));
        assert!(
            bad("[[year]]\nyear = 2027\nholidays = [{ name = \"x\", from = \"2027-02-30\", to = \"2027-03-01\" }]")
                .contains("not a date")
        );
        assert!(bad("[[year]]\nyear = 2027\n[[year]]\nyear = 2027").contains("twice"));
        assert!(bad("[[year]]\nyear = 1999").contains("2000"));
        // A day filed under the wrong year, a day both off and worked, hidden characters.
        assert!(
            bad("[[year]]\nyear = 2028\nholidays = [{ name = \"春节\", from = \"2027-02-16\", to = \"2027-02-18\" }]")
                .contains("2027-02-16")
        );
        let both = "[[year]]\nyear = 2027\nholidays = [{ name = \"x\", from = \"2027-02-06\", to = \"2027-02-07\" }]\nworkdays = [\"2027-02-06\"]";
        assert!(bad(both).contains("both a day off"));
        assert!(bad("[[year]]\nyear = 2027\nholidays = [{ name = \"春\u{202e}节\", from = \"2027-02-06\", to = \"2027-02-07\" }]").contains("name"));
        assert!(bad(&format!("# {}\n[[year]]\nyear = 2027", "x".repeat(MAX_FILE_BYTES))).contains("bytes"));
        // Chinese for the user.
        use super::super::lang::Localized;
        let zh = Calendar::from_toml("[[year]]\nyear = 1999").expect_err("refused").localized(Lang::Zh);
        assert_eq!(zh, "1999 年：年份只能是 2000 到 2099");
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
