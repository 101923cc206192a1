//! How things are shown to people, apart from any one front end: widths in terminal cells (a
//! Chinese character counts two), cutting and padding by cells, and the hall's times as text.
//! The command line, the reports and the interface all draw from here (a first step of the
//! presentation layer the house issue asks for).

pub mod export;
pub mod paper;
pub mod pdf;
pub mod print;
pub mod render;
pub mod slip;
pub mod xlsx;

use time::OffsetDateTime;
use unicode_width::UnicodeWidthStr;

/// The width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `w` cells, marking a cut with "..".
pub fn fit(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw + 2 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push_str("..");
    out
}

/// Pads `s` with spaces to `w` cells.
pub fn pad(s: &str, w: usize) -> String {
    let s = fit(s, w);
    let n = w.saturating_sub(width(&s));
    format!("{s}{}", " ".repeat(n))
}

/// A file beside the database (through a server: in this PC's data folder), in `folder`,
/// named after the database and `name` — `reports/yimen-daily-2026-11-30.pdf` — so two
/// databases in one folder (a hall's and its demo) never write the same file.
pub fn beside_database(desk: &dyn yimen_api::Client, folder: &str, name: &str) -> std::path::PathBuf {
    let described = desk.describe();
    let db = std::path::Path::new(&described)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty() && !described.contains("://"))
        .unwrap_or_else(|| "server".into());
    desk.home().join(folder).join(format!("{db}-{name}"))
}

/// "2026-11-29 09:05:03" in the hall's time, for people.
pub fn stamp_at(clock: &yimen_domain::clock::Clock, t: OffsetDateTime) -> String {
    clock.show(t, yimen_domain::clock::Shown::DaySecond)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_not_chars() {
        assert_eq!(super::width("张三abc"), 7);
        assert_eq!(super::fit("城乡居民基本养老保险", 9), "城乡居..");
        assert_eq!(super::pad("张三", 6), "张三  ");
    }
}
